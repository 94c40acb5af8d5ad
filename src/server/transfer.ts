// The state of one file transfer and of each receiver's copy of it.

import { createHash, type Hash } from "node:crypto";
import type { Block } from "../protocol/bytes.js";
import { UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import { WindowGrants } from "../protocol/window-grants.js";
import type { Spool } from "./spool.js";

/** What the relay needs of a connected client. */
export interface FilePeer {
  readonly nick: string;
  /** Speaks the framed protocol, so it can take file data (text clients cannot). */
  readonly framed: boolean;
  /** A chunk written now would wait behind at most one other. */
  readonly bulkReady: boolean;
  deliver(message: ServerMessage): void;
  sendBulk(header: Uint8Array, data: Uint8Array): void;
}

export interface Delivery {
  readonly transfer: Transfer;
  readonly peer: FilePeer;
  /** Next byte to send. */
  offset: number;
  /** Bytes the receiver has room for. */
  credit: number;
  endSent: boolean;
  /** Undefined while under way; "ok" or the reason it failed once settled. */
  outcome: string | undefined;
  /** The last block read from the spool for this receiver. */
  block: Block | undefined;
}

/** Bounds the in-memory window by count too, so tiny chunks cannot make it long. */
const MAX_RECENT_CHUNKS = 64;

export type TransferState = "uploading" | "verified" | "aborted";

export class Transfer {
  readonly id: number;
  readonly from: FilePeer;
  readonly fromNick: string;
  readonly name: string;
  readonly size: number;
  readonly spool: Spool;
  readonly hash: Hash = createHash("sha256");
  /** Credit for the sender, returned as its data reaches the spool. */
  readonly grants = new WindowGrants(UPLOAD_WINDOW_BYTES);
  readonly deliveries = new Map<FilePeer, Delivery>();
  state: TransferState = "uploading";
  /** Bytes accepted from the sender, and the part of them already on disk. */
  received = 0;
  spooled = 0;
  unwrittenChunks = 0;
  /** Set once the content is verified. */
  sha256: Uint8Array | undefined;
  expiresAt = Number.POSITIVE_INFINITY;
  completionSent = false;
  /**
   * The newest spooled bytes, kept in memory up to one upload window: receivers that
   * keep up are served from here, only those that fall behind read the spool.
   */
  readonly #recent: { offset: number; data: Uint8Array }[] = [];
  #recentBytes = 0;

  constructor(id: number, from: FilePeer, name: string, size: number, spool: Spool) {
    this.id = id;
    this.from = from;
    this.fromNick = from.nick;
    this.name = name;
    this.size = size;
    this.spool = spool;
  }

  /** Records that `data`, at `offset`, is now on disk. */
  spooledChunk(offset: number, data: Uint8Array): void {
    this.spooled = offset + data.length;
    this.#recent.push({ offset, data });
    this.#recentBytes += data.length;
    while (this.#recentBytes > UPLOAD_WINDOW_BYTES || this.#recent.length > MAX_RECENT_CHUNKS) {
      this.#recentBytes -= (this.#recent.shift() as { data: Uint8Array }).data.length;
    }
  }

  /** Up to `length` bytes from `offset` if they are still in memory, without copying. */
  recent(offset: number, length: number): Uint8Array | undefined {
    for (const chunk of this.#recent) {
      const start = offset - chunk.offset;
      if (start >= 0 && start < chunk.data.length) {
        return chunk.data.subarray(start, Math.min(chunk.data.length, start + length));
      }
    }
    return undefined;
  }

  /** Frees the in-memory copy once the transfer is over. */
  forgetRecent(): void {
    this.#recent.length = 0;
    this.#recentBytes = 0;
  }
}
