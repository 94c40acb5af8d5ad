// The state of one file transfer and of each receiver's copy of it. Everything
// the relay asks of a transfer on a hot path or per receiver is kept counted,
// so that no step costs more as receivers or files add up.

import { createHash, type Hash } from "node:crypto";
import { UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import { WindowGrants } from "../protocol/window-grants.js";
import type { FileRecord } from "../store/store.js";
import type { SpoolStorage, SpoolWriter } from "./spool.js";

/** What the relay needs of a connected client. */
export interface FilePeer {
  readonly nick: string;
  /** Where it connects from: uploads are capped per address as well as per client. */
  readonly address: string;
  /** `files`: it can take file data (text clients cannot). */
  readonly capabilities: { readonly files: boolean };
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
  /** In its pump's queue of deliveries that may make progress. */
  queued: boolean;
}

/** Bounds the in-memory window by count too, so tiny chunks cannot make it long. */
const MAX_RECENT_CHUNKS = 64;
/** Failures named in a sender's completion line; the rest are counted. */
const MAX_NAMED_FAILURES = 10;

/**
 * Where a transfer is in its life:
 * - uploading: the sender's bytes are arriving;
 * - verifying: all of them are in, and being checked and stored;
 * - verified: kept, listed and served until it expires;
 * - aborted: failed or cancelled before it was kept, its spool file gone;
 * - retired: past its retention and read by nobody any more, its spool file gone.
 */
export type TransferState = "uploading" | "verifying" | "verified" | "aborted" | "retired";

/** The moves each state allows; a transition asked for outside them is refused. */
const NEXT_STATES: Record<TransferState, readonly TransferState[]> = {
  uploading: ["verifying", "aborted"],
  verifying: ["verified", "aborted"],
  verified: ["retired"],
  aborted: [],
  retired: [],
};

/** What a verified file keeps: its hash, when it was shared and goes, where it sits in its room. */
export type KeptRecord = Pick<FileRecord, "sha256" | "sharedAt" | "expiresAt" | "afterLine">;

/** Where a transfer comes from and what it is. */
interface TransferOrigin {
  room: string;
  name: string;
  size: number;
  from: FilePeer | undefined;
  fromNick: string;
  fromAddress: string;
}

export class Transfer {
  readonly id: number;
  /** The room it was sent to: its offer and notices go to that room's members. */
  readonly room: string;
  /**
   * The sender while it is connected; let go when it leaves, so a file kept for a
   * day does not keep its sender's connection in memory.
   */
  from: FilePeer | undefined;
  /** What the sender is called: kept up to date while it is here, as it was when it left. */
  fromNick: string;
  /** Where the sender connects from; "" for a file kept from an earlier run. */
  readonly fromAddress: string;
  readonly name: string;
  readonly size: number;
  /** Reads of the spooled bytes, for the receivers' pumps. */
  readonly spool: { read(offset: number, length: number): Promise<Uint8Array> };
  /** Whether the sender's SHA-256 is checked; the original client's uploads bring none. */
  readonly senderHash: boolean;
  /** Appends the sender's bytes; let go once they are all on disk. */
  #writer: SpoolWriter | undefined;
  /** Hashes what the sender sends; dropped with its native state once digested. */
  #hash: Hash | undefined;
  /** Credit for the sender, returned as its data reaches the spool. */
  readonly grants = new WindowGrants(UPLOAD_WINDOW_BYTES);
  /** Each receiver's copy, the latest one per receiver. */
  readonly deliveries = new Map<FilePeer, Delivery>();
  /** Receivers whose copy has failed, and why. */
  readonly failures = new Map<FilePeer, string>();
  /** Copies neither confirmed nor failed yet. */
  unsettled = 0;
  #state: TransferState;
  /** Bytes accepted from the sender, and the part of them already on disk. */
  received = 0;
  spooled = 0;
  unwrittenChunks = 0;
  /** Set once the content is verified. */
  sha256: Uint8Array | undefined;
  sharedAt = 0;
  expiresAt = Number.POSITIVE_INFINITY;
  /** Where it sits in its room's history once kept (see FileRecord). */
  afterLine = 0;
  completionSent = false;
  /**
   * The newest spooled bytes, kept in memory up to one upload window while the
   * upload is under way: receivers that keep up are served from here, only
   * those that fall behind read the spool.
   */
  readonly #recent: { offset: number; data: Uint8Array }[] = [];
  #recentBytes = 0;

  private constructor(
    id: number,
    storage: SpoolStorage,
    origin: TransferOrigin,
    senderHash: boolean,
    state: TransferState,
  ) {
    this.id = id;
    this.room = origin.room;
    this.name = origin.name;
    this.size = origin.size;
    this.from = origin.from;
    this.fromNick = origin.fromNick;
    this.fromAddress = origin.fromAddress;
    this.senderHash = senderHash;
    this.#state = state;
    this.spool = { read: (offset, length) => storage.read(id, offset, length) };
  }

  /**
   * An upload from `from`, its bytes to come through `writer`; with no writer,
   * one already spooled whole (the original client's), its hash the server's.
   */
  static upload(
    id: number,
    from: FilePeer,
    file: { room: string; name: string; size: number },
    storage: SpoolStorage,
    writer: SpoolWriter | undefined,
  ): Transfer {
    const origin = { ...file, from, fromNick: from.nick, fromAddress: from.address };
    const whole = writer === undefined;
    const transfer = new Transfer(id, storage, origin, !whole, whole ? "verifying" : "uploading");
    if (whole) {
      transfer.received = file.size;
      transfer.spooled = file.size;
    } else {
      transfer.#writer = writer;
      transfer.#hash = createHash("sha256");
    }
    return transfer;
  }

  /** A file kept from an earlier run: verified, and nobody waits for its summary. */
  static restored(record: FileRecord, storage: SpoolStorage): Transfer {
    const origin = { ...record, from: undefined, fromNick: record.from, fromAddress: "" };
    const transfer = new Transfer(record.id, storage, origin, record.senderHash, "verified");
    transfer.received = record.size;
    transfer.spooled = record.size;
    transfer.#kept(record);
    transfer.completionSent = true;
    return transfer;
  }

  get state(): TransferState {
    return this.#state;
  }

  /** Its sender may still send, cancel or lose it: uploading or verifying. */
  get underWay(): boolean {
    return this.#state === "uploading" || this.#state === "verifying";
  }

  /** Hashes the sender's next bytes and queues them for the spool; resolves once they are on disk. */
  append(data: Uint8Array): Promise<void> {
    if (this.#writer === undefined || this.#hash === undefined) {
      return Promise.reject(new Error(`transfer ${this.id} takes no more bytes`));
    }
    this.#hash.update(data);
    return this.#writer.append(data);
  }

  /** Resolves when every append so far is on disk (or rejects with the first failure). */
  flushed(): Promise<void> {
    return this.#writer?.flushed() ?? Promise.resolve();
  }

  /** Verified means on disk, its descriptor closed: from here on it is only read. */
  async seal(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.seal();
  }

  /** The sender says it sent everything: uploading → verifying. */
  endUpload(): boolean {
    return this.#move("verifying");
  }

  /** The SHA-256 of everything the sender sent; the hash is done with then. */
  digest(): Uint8Array {
    const digest = (this.#hash as Hash).digest();
    this.#hash = undefined;
    return digest;
  }

  /** Records that `data`, at `offset`, is now on disk. */
  spooledChunk(offset: number, data: Uint8Array): void {
    this.spooled = offset + data.length;
    if (!this.underWay) return;
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

  /**
   * The upload is complete and matches `sha256`. Its memory goes now, whatever
   * the receivers do: from here on they all read the spool.
   */
  verify(kept: KeptRecord): boolean {
    if (!this.#move("verified")) return false;
    this.#kept(kept);
    this.#forgetRecent();
    return true;
  }

  /** The upload failed or was cancelled: nobody will read any of it. */
  abort(): boolean {
    if (!this.#move("aborted")) return false;
    this.#hash = undefined;
    this.#writer = undefined;
    this.from = undefined;
    this.#forgetRecent();
    return true;
  }

  /** Past its retention, and nobody reads it any more. */
  retire(): boolean {
    return this.#move("retired");
  }

  /** Starts a copy for `peer`, replacing one it had. */
  addDelivery(delivery: Delivery): void {
    const previous = this.deliveries.get(delivery.peer);
    if (previous !== undefined && previous.outcome === undefined) {
      // Retired without a verdict of its own: the new copy stands in for it.
      previous.outcome = "replaced";
      this.unsettled -= 1;
    }
    this.failures.delete(delivery.peer);
    this.deliveries.set(delivery.peer, delivery);
    this.unsettled += 1;
  }

  /** Records `delivery`'s outcome; false if it already had one. */
  settle(delivery: Delivery, outcome: string): boolean {
    if (delivery.outcome !== undefined) return false;
    delivery.outcome = outcome;
    if (this.deliveries.get(delivery.peer) !== delivery) return true;
    this.unsettled -= 1;
    // After the sender's summary, a copy (a later /get) is kept only while under way.
    if (this.completionSent) this.deliveries.delete(delivery.peer);
    else if (outcome !== "ok") this.failures.set(delivery.peer, outcome);
    return true;
  }

  /**
   * The sender's summary, once every copy is settled: delivered, failed, and who
   * failed why. The copies are forgotten then, so a file kept for a day holds
   * on to nobody who received it.
   */
  complete(): Extract<ServerMessage, { type: "file-complete" }> {
    this.completionSent = true;
    const failed = this.failures.size;
    const named: string[] = [];
    for (const [peer, outcome] of this.failures) {
      if (named.length === MAX_NAMED_FAILURES) break;
      named.push(`${peer.nick}: ${outcome}`);
    }
    if (failed > named.length) named.push(`and ${failed - named.length} more`);
    const delivered = this.deliveries.size - failed;
    this.deliveries.clear();
    this.failures.clear();
    return {
      type: "file-complete",
      id: this.id,
      name: this.name,
      delivered,
      failed,
      detail: named.join("; "),
    };
  }

  #move(to: TransferState): boolean {
    if (!NEXT_STATES[this.#state].includes(to)) return false;
    this.#state = to;
    return true;
  }

  #forgetRecent(): void {
    this.#recent.length = 0;
    this.#recentBytes = 0;
  }

  #kept({ sha256, sharedAt, expiresAt, afterLine }: KeptRecord): void {
    this.sha256 = sha256;
    this.sharedAt = sharedAt;
    this.expiresAt = expiresAt;
    this.afterLine = afterLine;
  }
}
