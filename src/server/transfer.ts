// The state of one file transfer and of each receiver's copy of it.

import { createHash, type Hash } from "node:crypto";
import type { ServerMessage } from "../protocol/messages.js";
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
}

export type TransferState = "uploading" | "verified" | "aborted";

export class Transfer {
  readonly id: number;
  readonly from: FilePeer;
  readonly fromNick: string;
  readonly name: string;
  readonly size: number;
  readonly spool: Spool;
  readonly hash: Hash = createHash("sha256");
  readonly deliveries = new Map<FilePeer, Delivery>();
  state: TransferState = "uploading";
  /** Bytes accepted from the sender, and the part of them already on disk. */
  received = 0;
  spooled = 0;
  /** Set once the content is verified. */
  sha256: Uint8Array | undefined;
  expiresAt = Number.POSITIVE_INFINITY;
  completionSent = false;

  constructor(id: number, from: FilePeer, name: string, size: number, spool: Spool) {
    this.id = id;
    this.from = from;
    this.fromNick = from.nick;
    this.name = name;
    this.size = size;
    this.spool = spool;
  }
}
