// The file relay: accepts an upload into a spool on disk and sends it on to
// every receiver as it arrives, each at its own pace; verifies the SHA-256,
// tells everyone the outcome, and keeps the file for later /get for a while.

import { timingSafeEqual } from "node:crypto";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { safeFileName } from "../protocol/file-names.js";
import { DOWNLOAD_WINDOW_BYTES, FILE_CHUNK_BYTES, UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { FileChunk, FileEnd, FileEntry, ServerMessage } from "../protocol/messages.js";
import { formatBytes } from "../protocol/render.js";
import { DownloadPump } from "./download-pump.js";
import { freeBytes, prepareSpoolDir, Spool } from "./spool.js";
import { type Delivery, type FilePeer, Transfer } from "./transfer.js";

export interface FileRelayConfig {
  spoolDir: string;
  maxFileBytes: number;
  retentionMs: number;
}

/**
 * Chunks of one upload waiting for the disk. A well-behaved sender has at most
 * a window's worth of full chunks out; this stops a flood of tiny ones.
 */
const MAX_UNWRITTEN_CHUNKS = 256;
/** Uploads one client may have under way at once: each holds a window of memory. */
const MAX_UPLOADS_PER_SENDER = 8;
const SMALL_CHUNK_BYTES = 16 * 1024;

/** Disk space always left free, so a full spool cannot starve the system. */
const FREE_SPACE_MARGIN = 64 * 1024 * 1024;

export class FileRelay {
  readonly #config: FileRelayConfig;
  readonly #peers: () => Iterable<FilePeer>;
  readonly #transfers = new Map<number, Transfer>();
  readonly #pumps = new Map<FilePeer, DownloadPump>();
  readonly #expiryTimers = new Set<NodeJS.Timeout>();
  #nextId = 1;
  /** Bytes of offers still being checked and set up, and how many each sender has. */
  #offering = 0;
  readonly #offersBy = new Map<FilePeer, number>();

  /** `peers` lists everyone who has joined: offers and outcomes go to all of them. */
  constructor(config: FileRelayConfig, peers: () => Iterable<FilePeer>) {
    this.#config = config;
    this.#peers = peers;
  }

  start(): Promise<void> {
    return prepareSpoolDir(this.#config.spoolDir);
  }

  async offer(
    from: FilePeer,
    offeredName: string,
    size: number,
  ): Promise<Transfer | ProtocolError> {
    const { maxFileBytes } = this.#config;
    if (!Number.isSafeInteger(size) || size < 0) {
      return new ProtocolError(ErrorCode.BadTransfer, `invalid file size ${size}`);
    }
    // Offers still being set up count too, so a burst of offers cannot slip past.
    let underWay = this.#offersBy.get(from) ?? 0;
    for (const t of this.#transfers.values()) {
      if (t.from === from && t.state === "uploading") underWay += 1;
    }
    if (underWay >= MAX_UPLOADS_PER_SENDER) {
      return new ProtocolError(
        ErrorCode.BadTransfer,
        `you are already sending ${underWay} files; wait for one to finish`,
      );
    }
    if (size > maxFileBytes) {
      return new ProtocolError(
        ErrorCode.FileTooLarge,
        `the file is ${formatBytes(size)}; this server takes files up to ${formatBytes(maxFileBytes)}`,
      );
    }
    // Counted before the first await, so offers made at the same moment see each other.
    const promised = this.#promisedBytes();
    this.#offering += size;
    this.#offersBy.set(from, (this.#offersBy.get(from) ?? 0) + 1);
    const id = this.#nextId++;
    let spool: Spool;
    try {
      const available = (await freeBytes(this.#config.spoolDir)) - promised - FREE_SPACE_MARGIN;
      if (size > available) {
        return new ProtocolError(
          ErrorCode.NoSpace,
          `the server has room for ${formatBytes(Math.max(0, available))} now; the file is ${formatBytes(size)}`,
        );
      }
      spool = await Spool.create(this.#config.spoolDir, String(id));
    } finally {
      this.#offering -= size;
      const left = (this.#offersBy.get(from) ?? 1) - 1;
      if (left === 0) this.#offersBy.delete(from);
      else this.#offersBy.set(from, left);
    }
    const name = safeFileName(offeredName);
    const transfer = new Transfer(id, from, name, size, spool);
    this.#transfers.set(id, transfer);
    const offered: ServerMessage = {
      type: "file-offered",
      id,
      from: from.nick,
      name,
      size,
      offset: 0,
    };
    for (const peer of this.#peers()) {
      if (peer === from) continue;
      peer.deliver(offered);
      if (peer.framed) this.#addDelivery(transfer, peer, 0);
    }
    return transfer;
  }

  chunk(from: FilePeer, m: FileChunk): ProtocolError | undefined {
    const transfer = this.#upload(from, m.id);
    if (transfer === undefined || transfer instanceof ProtocolError) return transfer;
    const length = m.data.length;
    const problem =
      m.offset !== transfer.received
        ? `expected offset ${transfer.received}, got ${m.offset}`
        : transfer.received + length > transfer.size
          ? `more bytes than the ${transfer.size} offered`
          : transfer.received + length - transfer.spooled > UPLOAD_WINDOW_BYTES
            ? "sent beyond the window"
            : length > FILE_CHUNK_BYTES
              ? `a chunk of ${length} bytes; the most is ${FILE_CHUNK_BYTES}`
              : transfer.unwrittenChunks >= MAX_UNWRITTEN_CHUNKS
                ? "too many small chunks"
                : undefined;
    if (problem !== undefined) return this.#fail(transfer, `protocol violation: ${problem}`);
    const offset = transfer.received;
    transfer.received += length;
    transfer.unwrittenChunks += 1;
    // A small piece is copied, so it does not keep a whole socket read buffer alive.
    const data = length < SMALL_CHUNK_BYTES ? m.data.slice() : m.data;
    transfer.hash.update(data);
    transfer.spool.append(data).then(
      () => {
        transfer.unwrittenChunks -= 1;
        transfer.spooledChunk(offset, data);
        if (transfer.state === "aborted") return;
        const grant = transfer.grants.stored(length);
        if (grant > 0) from.deliver({ type: "file-window", id: transfer.id, bytes: grant });
        for (const delivery of transfer.deliveries.values()) this.#pumps.get(delivery.peer)?.wake();
      },
      (error: Error) => this.#fail(transfer, `the server could not store it: ${error.message}`),
    );
    return undefined;
  }

  async end(from: FilePeer, m: FileEnd): Promise<ProtocolError | undefined> {
    const transfer = this.#upload(from, m.id);
    if (transfer === undefined || transfer instanceof ProtocolError) return transfer;
    if (transfer.received !== transfer.size) {
      return this.#fail(transfer, `ended after ${transfer.received} of ${transfer.size} bytes`);
    }
    try {
      await transfer.spool.flushed();
    } catch {
      return undefined; // already failed by the write that broke
    }
    if (transfer.state !== "uploading") return undefined;
    const digest = transfer.hash.digest();
    if (m.sha256.length !== digest.length || !timingSafeEqual(digest, m.sha256)) {
      return this.#fail(
        transfer,
        "SHA-256 mismatch: the data was damaged on the way",
        ErrorCode.ChecksumMismatch,
      );
    }
    await this.#verify(transfer, digest);
    return undefined;
  }

  /** The sender stops its upload, or a receiver declines its copy. */
  cancel(peer: FilePeer, id: number, reason: string): ProtocolError | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) return noSuchFile(id);
    if (transfer.from === peer && transfer.state === "uploading") {
      this.#abort(transfer, reason === "" ? `cancelled by ${peer.nick}` : reason);
      return undefined;
    }
    const delivery = transfer.deliveries.get(peer);
    if (delivery === undefined) return noSuchFile(id);
    this.#settle(delivery, reason === "" ? "declined" : reason);
    return undefined;
  }

  window(peer: FilePeer, id: number, bytes: number): void {
    const delivery = this.#transfers.get(id)?.deliveries.get(peer);
    if (delivery === undefined) return;
    delivery.credit = Math.min(delivery.credit + bytes, DOWNLOAD_WINDOW_BYTES);
    this.#pumps.get(peer)?.wake();
  }

  /** Starts (or restarts from `offset`) sending a spooled file to `peer`. */
  get(peer: FilePeer, id: number, offset: number): ProtocolError | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined || transfer.state === "aborted") return noSuchFile(id);
    if (!peer.framed) {
      return new ProtocolError(
        ErrorCode.NeedsNativeClient,
        "files need the sockchat client: npx sockchat connect",
      );
    }
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > transfer.size) {
      return new ProtocolError(ErrorCode.BadTransfer, `offset ${offset} is outside the file`);
    }
    const previous = transfer.deliveries.get(peer);
    if (previous !== undefined) this.#pumps.get(peer)?.remove(previous);
    peer.deliver({
      type: "file-offered",
      id,
      from: transfer.fromNick,
      name: transfer.name,
      size: transfer.size,
      offset,
    });
    this.#addDelivery(transfer, peer, offset);
    return undefined;
  }

  /** A receiver's word on its copy: saved and verified, or why not. */
  received(peer: FilePeer, id: number, ok: boolean, reason: string): void {
    const delivery = this.#transfers.get(id)?.deliveries.get(peer);
    if (delivery !== undefined) this.#settle(delivery, ok ? "ok" : reason || "failed");
  }

  list(now: number = Date.now()): FileEntry[] {
    return [...this.#transfers.values()]
      .filter((t) => t.state === "verified" && t.expiresAt > now)
      .map((t) => ({
        id: t.id,
        from: t.fromNick,
        name: t.name,
        size: t.size,
        expiresAt: t.expiresAt,
      }));
  }

  /** The peer's connection has room again. */
  writable(peer: FilePeer): void {
    this.#pumps.get(peer)?.wake();
  }

  /** The peer is gone: its uploads are abandoned, its downloads failed. */
  detach(peer: FilePeer): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.from === peer && transfer.state === "uploading") {
        this.#abort(transfer, `${peer.nick} disconnected before sending it all`);
      }
      const delivery = transfer.deliveries.get(peer);
      if (delivery !== undefined) this.#settle(delivery, `${peer.nick} disconnected`);
    }
    this.#pumps.delete(peer);
  }

  async stop(): Promise<void> {
    for (const timer of this.#expiryTimers) clearTimeout(timer);
    const transfers = [...this.#transfers.values()];
    this.#transfers.clear();
    await Promise.all(transfers.map((t) => this.#release(t)));
  }

  /**
   * The sender's upload `id`; undefined for one already aborted, whose data may
   * still be in flight and is dropped without a word.
   */
  #upload(from: FilePeer, id: number): Transfer | ProtocolError | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) return id < this.#nextId ? undefined : noSuchFile(id);
    if (transfer.from !== from || transfer.state !== "uploading") {
      return new ProtocolError(ErrorCode.BadTransfer, `no upload ${id} of yours is under way`);
    }
    return transfer;
  }

  #addDelivery(transfer: Transfer, peer: FilePeer, offset: number): void {
    const delivery: Delivery = {
      transfer,
      peer,
      offset,
      credit: DOWNLOAD_WINDOW_BYTES,
      endSent: false,
      outcome: undefined,
      block: undefined,
    };
    transfer.deliveries.set(peer, delivery);
    let pump = this.#pumps.get(peer);
    if (pump === undefined) {
      pump = new DownloadPump(peer);
      this.#pumps.set(peer, pump);
    }
    pump.add(delivery);
  }

  async #verify(transfer: Transfer, digest: Uint8Array): Promise<void> {
    transfer.sha256 = digest;
    transfer.state = "verified";
    transfer.expiresAt = Date.now() + this.#config.retentionMs;
    const timer = setTimeout(() => {
      this.#expiryTimers.delete(timer);
      this.#transfers.delete(transfer.id);
      void this.#release(transfer);
    }, this.#config.retentionMs);
    timer.unref();
    this.#expiryTimers.add(timer);
    this.#announceVerdict(transfer, "");
    for (const delivery of transfer.deliveries.values()) this.#pumps.get(delivery.peer)?.wake();
    this.#maybeComplete(transfer);
  }

  #fail(
    transfer: Transfer,
    reason: string,
    code: ErrorCode = ErrorCode.BadTransfer,
  ): ProtocolError {
    if (transfer.state === "uploading") {
      this.#announceVerdict(transfer, reason);
      this.#abort(transfer, reason, false);
    }
    return new ProtocolError(code, reason);
  }

  #abort(transfer: Transfer, reason: string, announce = true): void {
    transfer.state = "aborted";
    this.#transfers.delete(transfer.id);
    if (announce)
      this.#tellAll({ type: "file-cancelled", id: transfer.id, name: transfer.name, reason });
    for (const delivery of transfer.deliveries.values())
      this.#pumps.get(delivery.peer)?.remove(delivery);
    transfer.deliveries.clear();
    void this.#release(transfer);
  }

  #settle(delivery: Delivery, outcome: string): void {
    if (delivery.outcome !== undefined) return;
    delivery.outcome = outcome;
    this.#pumps.get(delivery.peer)?.remove(delivery);
    const { transfer } = delivery;
    if (transfer.state === "verified" && !this.#transfers.has(transfer.id))
      void this.#release(transfer);
    this.#maybeComplete(transfer);
  }

  /** Tells the sender once every receiver has its copy or has failed. */
  #maybeComplete(transfer: Transfer): void {
    if (transfer.state !== "verified" || transfer.completionSent) return;
    const outcomes = [...transfer.deliveries.values()].map((d) => d.outcome);
    if (outcomes.includes(undefined)) return;
    transfer.completionSent = true;
    // Later downloads (/get) read the spool; nothing needs the newest bytes in memory now.
    transfer.forgetRecent();
    const failures = [...transfer.deliveries.values()].filter((d) => d.outcome !== "ok");
    transfer.from.deliver({
      type: "file-complete",
      id: transfer.id,
      name: transfer.name,
      delivered: outcomes.length - failures.length,
      failed: failures.length,
      detail: failures.map((d) => `${d.peer.nick}: ${d.outcome}`).join("; "),
    });
  }

  /** Tells everyone whether the upload arrived intact: `failure` is "" when it did. */
  #announceVerdict(transfer: Transfer, failure: string): void {
    this.#tellAll({
      type: "file-verified",
      id: transfer.id,
      from: transfer.fromNick,
      name: transfer.name,
      size: transfer.size,
      ok: failure === "",
      reason: failure,
    });
  }

  /** Everyone who joined, the sender included, hears how a transfer went. */
  #tellAll(message: ServerMessage): void {
    for (const peer of this.#peers()) peer.deliver(message);
  }

  /** Deletes the spool file; the handle closes once no receiver still reads from it. */
  async #release(transfer: Transfer): Promise<void> {
    transfer.forgetRecent();
    await transfer.spool.remove();
    const reading = [...transfer.deliveries.values()].some((d) => d.outcome === undefined);
    if (!reading) await transfer.spool.close();
  }

  #promisedBytes(): number {
    let promised = this.#offering;
    for (const t of this.#transfers.values())
      if (t.state === "uploading") promised += t.size - t.received;
    return promised;
  }
}

function noSuchFile(id: number): ProtocolError {
  return new ProtocolError(
    ErrorCode.NoSuchFile,
    `there is no shared file ${id}; /files lists them`,
  );
}
