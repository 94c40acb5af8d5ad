// The file relay: accepts an upload into a spool on disk and sends it on to
// every receiver as it arrives, each at its own pace; verifies the SHA-256,
// tells everyone the outcome, and keeps the file for later /get for a while.
//
// Nothing here grows with what others do: an upload that stops sending, or a
// receiver that stops answering, is given up after a deadline; a finished file
// holds no memory and no descriptor; the disk space promised to uploads is
// capped per client and per address; and every step is O(1) in the number of
// files and users, beyond telling each user what they need to hear.

import { timingSafeEqual } from "node:crypto";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { safeFileName } from "../protocol/file-names.js";
import { DOWNLOAD_WINDOW_BYTES, FILE_CHUNK_BYTES, UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { FileChunk, FileEnd, FileEntry, ServerMessage } from "../protocol/messages.js";
import { formatBytes, formatSeconds } from "../protocol/render.js";
import { DEFAULT_ROOM } from "../protocol/rooms.js";
import { Deadlines } from "./deadlines.js";
import { DownloadPump } from "./download-pump.js";
import { LegacyUploads, type SpooledFile } from "./legacy-uploads.js";
import { diskSpace, prepareSpoolDir, Spool } from "./spool.js";
import { type Delivery, type FilePeer, Transfer } from "./transfer.js";
import { type Reservation, UploadQuotas } from "./upload-quotas.js";

export interface FileRelayConfig {
  spoolDir: string;
  maxFileBytes: number;
  retentionMs: number;
  /** How long an upload may go without data, or a receiver without answering, before it is given up. */
  transferTimeoutMs: number;
}

/**
 * Chunks of one upload waiting for the disk. A well-behaved sender has at most
 * a window's worth of full chunks out; this stops a flood of tiny ones.
 */
const MAX_UNWRITTEN_CHUNKS = 256;
const SMALL_CHUNK_BYTES = 16 * 1024;
/** Files /files lists at most: the newest ones. */
export const MAX_LISTED_FILES = 100;

export class FileRelay {
  readonly #config: FileRelayConfig;
  readonly #peers: () => Iterable<FilePeer>;
  /** Transfers under way or listed, by id; ids ascend, so this is also oldest first. */
  readonly #transfers = new Map<number, Transfer>();
  /** Retired transfers that receivers are still reading. */
  readonly #retiring = new Map<number, Transfer>();
  readonly #pumps = new Map<FilePeer, DownloadPump>();
  readonly #quotas = new UploadQuotas();
  /** The transfers each client here has sent, listed or under way, so a rename reaches them. */
  readonly #sentBy = new Map<FilePeer, Set<Transfer>>();
  /** Each client's copies not yet settled. */
  readonly #copiesTo = new Map<FilePeer, Set<Delivery>>();
  readonly #uploadDeadlines: Deadlines<Transfer>;
  readonly #receiverDeadlines: Deadlines<Delivery>;
  readonly #expiry: Deadlines<Transfer>;
  readonly #legacy: LegacyUploads;
  /** Disk work under way (offers being set up, spool files being sealed or removed). */
  readonly #work = new Set<Promise<unknown>>();
  readonly #gone = new WeakSet<FilePeer>();
  #nextId = 1;
  #stopped = false;

  /** `peers` lists everyone who has joined: offers and outcomes go to all of them. */
  constructor(config: FileRelayConfig, peers: () => Iterable<FilePeer>) {
    this.#config = config;
    this.#peers = peers;
    const timeout = config.transferTimeoutMs;
    this.#uploadDeadlines = new Deadlines(timeout, (t) =>
      this.#abort(t, `no data from ${t.fromNick} for ${formatSeconds(timeout)}`),
    );
    this.#receiverDeadlines = new Deadlines(timeout, (d) => {
      const reason = `no answer from ${d.peer.nick} for ${formatSeconds(timeout)}`;
      // One still owed data learns that none will come; one that has it all keeps its verdict.
      if (!d.endSent) this.#cancelCopy(d, reason);
      this.#settle(d, reason);
    });
    this.#expiry = new Deadlines(config.retentionMs, (t) => this.#retire(t));
    this.#legacy = new LegacyUploads({
      quotas: this.#quotas,
      maxFileBytes: config.maxFileBytes,
      timeoutMs: timeout,
      spoolFor: (reservation) => this.#spoolFor(reservation),
      roomFor: async (reservation) =>
        this.#quotas.room(reservation, await diskSpace(config.spoolDir)),
      publish: (reservation, file) => this.#publishSpooled(reservation, file),
      track: (work) => this.#track(work),
    });
  }

  start(): Promise<void> {
    return prepareSpoolDir(this.#config.spoolDir);
  }

  offer(from: FilePeer, offeredName: string, size: number): Promise<Transfer | ProtocolError> {
    return this.#track(this.#offer(from, offeredName, size));
  }

  /** The original client's upload of `path` begins: its bytes follow, up to the end marker. */
  legacyStart(peer: FilePeer, path: string): Promise<void> {
    return this.#track(this.#legacy.start(peer, path));
  }

  /** More of it; a promise when the connection must wait for the disk. */
  legacyData(peer: FilePeer, data: Uint8Array): Promise<void> | undefined {
    return this.#legacy.data(peer, data);
  }

  /** Its end marker: the file is whole. */
  legacyEnd(peer: FilePeer): Promise<void> {
    return this.#track(this.#legacy.end(peer));
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
    this.#quotas.arrived(transfer, length);
    transfer.unwrittenChunks += 1;
    this.#uploadDeadlines.set(transfer);
    // A small piece is copied, so it does not keep a whole socket read buffer alive.
    const data = length < SMALL_CHUNK_BYTES ? m.data.slice() : m.data;
    transfer.hashMore(data);
    transfer.spool.append(data).then(
      () => {
        transfer.unwrittenChunks -= 1;
        transfer.spooledChunk(offset, data);
        if (transfer.state === "aborted") return;
        const grant = transfer.grants.stored(length);
        if (grant > 0) {
          from.deliver({ type: "file-window", id: transfer.id, bytes: grant });
          // Waiting for this grant was the server's doing, not the sender's.
          if (transfer.received < transfer.size) this.#uploadDeadlines.set(transfer);
        }
        this.#wakeAll(transfer);
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
    this.#uploadDeadlines.clear(transfer);
    try {
      await transfer.spool.flushed();
    } catch {
      return undefined; // already failed by the write that broke
    }
    if (transfer.state !== "uploading") return undefined;
    const digest = transfer.digest();
    if (m.sha256.length !== digest.length || !timingSafeEqual(digest, m.sha256)) {
      return this.#fail(
        transfer,
        "SHA-256 mismatch: the data was damaged on the way",
        ErrorCode.ChecksumMismatch,
      );
    }
    // Verified means on disk, its descriptor closed: from here on it is only read.
    await transfer.spool.seal();
    if (transfer.state !== "uploading") return undefined;
    this.#verify(transfer, digest);
    return undefined;
  }

  /** The sender stops its upload, or a receiver declines its copy. */
  cancel(peer: FilePeer, id: number, reason: string): ProtocolError | undefined {
    const transfer = this.#find(id);
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
    const delivery = this.#find(id)?.deliveries.get(peer);
    if (delivery === undefined || delivery.outcome !== undefined) return;
    delivery.credit = Math.min(delivery.credit + bytes, DOWNLOAD_WINDOW_BYTES);
    if (!delivery.endSent) this.#receiverDeadlines.clear(delivery);
    this.#pumps.get(peer)?.ready(delivery);
  }

  /** Starts (or restarts from `offset`) sending a spooled file to `peer`. */
  get(peer: FilePeer, id: number, offset: number): ProtocolError | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined || transfer.state === "aborted") return noSuchFile(id);
    if (!peer.capabilities.files) {
      return new ProtocolError(
        ErrorCode.NeedsNativeClient,
        "files need the sockchat client: npx sockchat connect",
      );
    }
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > transfer.size) {
      return new ProtocolError(ErrorCode.BadTransfer, `offset ${offset} is outside the file`);
    }
    peer.deliver({
      type: "file-offered",
      id,
      from: transfer.fromNick,
      name: transfer.name,
      size: transfer.size,
      offset,
      requested: true,
      room: DEFAULT_ROOM,
    });
    this.#addDelivery(transfer, peer, offset);
    return undefined;
  }

  /** A receiver's word on its copy: saved and verified, or why not. */
  received(peer: FilePeer, id: number, ok: boolean, reason: string): void {
    const delivery = this.#find(id)?.deliveries.get(peer);
    if (delivery !== undefined) this.#settle(delivery, ok ? "ok" : reason || "failed");
  }

  /** The newest verified files (at most MAX_LISTED_FILES, oldest of them first), and how many there are. */
  list(): { files: FileEntry[]; total: number } {
    const files: FileEntry[] = [];
    let total = 0;
    // Newest first: ids ascend in the map's order, so walk it from the end.
    const transfers = [...this.#transfers.values()];
    for (let i = transfers.length - 1; i >= 0; i--) {
      const t = transfers[i] as Transfer;
      if (t.state !== "verified") continue;
      total += 1;
      if (files.length < MAX_LISTED_FILES) {
        files.push({
          id: t.id,
          from: t.fromNick,
          name: t.name,
          size: t.size,
          expiresAt: t.expiresAt,
        });
      }
    }
    return { files: files.reverse(), total };
  }

  /** `peer` has taken a new nickname: the files it sent say so. */
  renamed(peer: FilePeer): void {
    for (const transfer of this.#sentBy.get(peer) ?? []) transfer.fromNick = peer.nick;
  }

  /** The peer's connection has room again. */
  writable(peer: FilePeer): void {
    this.#pumps.get(peer)?.wake();
  }

  /** The peer is gone: its uploads are abandoned, its downloads failed. */
  detach(peer: FilePeer): void {
    this.#gone.add(peer);
    this.#legacy.detach(peer);
    for (const transfer of this.#quotas.uploadsOf(peer)) {
      this.#abort(transfer, `${peer.nick} disconnected before sending it all`);
    }
    for (const delivery of [...(this.#copiesTo.get(peer) ?? [])]) {
      this.#settle(delivery, `${peer.nick} disconnected`);
    }
    this.#pumps.delete(peer);
    this.#quotas.forget(peer);
    this.#copiesTo.delete(peer);
    for (const transfer of this.#sentBy.get(peer) ?? []) transfer.from = undefined;
    this.#sentBy.delete(peer);
  }

  /** Waits for disk work under way, then deletes every spooled file. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const deadlines of [this.#uploadDeadlines, this.#receiverDeadlines, this.#expiry])
      deadlines.stop();
    this.#legacy.stop();
    await this.#settled();
    for (const transfer of [...this.#transfers.values(), ...this.#retiring.values()]) {
      transfer.abort();
      this.#track(transfer.spool.remove());
    }
    this.#transfers.clear();
    this.#retiring.clear();
    await this.#settled();
  }

  async #offer(
    from: FilePeer,
    offeredName: string,
    size: number,
  ): Promise<Transfer | ProtocolError> {
    const { maxFileBytes } = this.#config;
    if (!Number.isSafeInteger(size) || size < 0) {
      return new ProtocolError(ErrorCode.BadTransfer, `invalid file size ${size}`);
    }
    if (size > maxFileBytes) {
      return new ProtocolError(
        ErrorCode.FileTooLarge,
        `the file is ${formatBytes(size)}; this server takes files up to ${formatBytes(maxFileBytes)}`,
      );
    }
    // Counted before the first await, so offers made at the same moment see each other.
    const reservation = this.#quotas.reserve(from, size);
    if (reservation instanceof ProtocolError) return reservation;
    const spooled = await this.#spoolFor(reservation);
    if (spooled instanceof ProtocolError) return spooled;
    const transfer = new Transfer(spooled.id, from, safeFileName(offeredName), size, spooled.spool);
    this.#publish(transfer, reservation);
    this.#uploadDeadlines.set(transfer);
    return transfer;
  }

  /** Makes the spool file of an upload `reservation` counts, if the disk has room for it. */
  async #spoolFor(
    reservation: Reservation,
  ): Promise<{ id: number; spool: Spool; room: number } | ProtocolError> {
    const id = this.#nextId++;
    let spool: Spool | undefined;
    try {
      const disk = await diskSpace(this.#config.spoolDir);
      const problem = this.#quotas.spaceProblem(reservation, disk);
      if (problem !== undefined) return problem;
      spool = await Spool.create(this.#config.spoolDir, String(id));
      if (this.#stopped || this.#gone.has(reservation.peer)) {
        // The sender left, or the server is stopping, while the spool was being made.
        this.#track(spool.remove());
        spool = undefined;
        return new ProtocolError(ErrorCode.Shutdown, "the transfer was not started");
      }
      return { id, spool, room: this.#quotas.room(reservation, disk) };
    } finally {
      if (spool === undefined) this.#quotas.cancel(reservation);
    }
  }

  /** An upload that came whole, without the sender's hash: offered now, verified at once. */
  #publishSpooled(reservation: Reservation, file: SpooledFile): void {
    const transfer = new Transfer(
      file.id,
      reservation.peer,
      file.name,
      file.size,
      file.spool,
      false,
    );
    transfer.received = file.size;
    transfer.spooled = file.size;
    this.#publish(transfer, reservation);
    this.#verify(transfer, file.sha256);
  }

  /** Lists `transfer`, the upload `reservation` counted, and offers it to everyone else. */
  #publish(transfer: Transfer, reservation: Reservation): void {
    const from = reservation.peer;
    this.#transfers.set(transfer.id, transfer);
    this.#quotas.started(reservation, transfer);
    let sent = this.#sentBy.get(from);
    if (sent === undefined) {
      sent = new Set();
      this.#sentBy.set(from, sent);
    }
    sent.add(transfer);
    const offered: ServerMessage = {
      type: "file-offered",
      id: transfer.id,
      from: from.nick,
      name: transfer.name,
      size: transfer.size,
      offset: 0,
      requested: false,
      room: DEFAULT_ROOM,
    };
    for (const peer of this.#peers()) {
      if (peer === from) continue;
      peer.deliver(offered);
      if (peer.capabilities.files) this.#addDelivery(transfer, peer, 0);
    }
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
      queued: false,
    };
    const previous = transfer.deliveries.get(peer);
    if (previous !== undefined) this.#forgetCopy(previous);
    transfer.addDelivery(delivery);
    let copies = this.#copiesTo.get(peer);
    if (copies === undefined) {
      copies = new Set();
      this.#copiesTo.set(peer, copies);
    }
    copies.add(delivery);
    let pump = this.#pumps.get(peer);
    if (pump === undefined) {
      pump = new DownloadPump(peer, {
        waiting: (d) => this.#receiverDeadlines.set(d),
        unreadable: (d, error) => {
          this.#cancelCopy(d, `the server could not read it: ${error.message}`);
          this.#settle(d, "the server could not read it");
        },
      });
      this.#pumps.set(peer, pump);
    }
    pump.ready(delivery);
  }

  /** Tells a receiver that no more of its copy will come. */
  #cancelCopy(delivery: Delivery, reason: string): void {
    const { transfer } = delivery;
    delivery.peer.deliver({ type: "file-cancelled", id: transfer.id, name: transfer.name, reason });
  }

  #verify(transfer: Transfer, digest: Uint8Array): void {
    transfer.verify(digest, Date.now() + this.#config.retentionMs);
    this.#uploadEnded(transfer);
    this.#expiry.set(transfer);
    this.#announceVerdict(transfer, "");
    this.#wakeAll(transfer);
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
    if (transfer.state === "aborted") return;
    if (transfer.state === "uploading") this.#uploadEnded(transfer);
    const sender = transfer.from;
    transfer.abort();
    if (sender !== undefined) this.#sentBy.get(sender)?.delete(transfer);
    this.#transfers.delete(transfer.id);
    this.#expiry.clear(transfer);
    if (announce)
      this.#tellAll({ type: "file-cancelled", id: transfer.id, name: transfer.name, reason });
    for (const delivery of transfer.deliveries.values()) this.#forgetCopy(delivery);
    this.#track(transfer.spool.remove());
  }

  /** The upload is over, one way or another: its deadline, slot and promised space go. */
  #uploadEnded(transfer: Transfer): void {
    this.#uploadDeadlines.clear(transfer);
    this.#quotas.ended(transfer);
  }

  /** Takes a copy off the relay's books: it settled, was replaced, or its transfer is gone. */
  #forgetCopy(delivery: Delivery): void {
    this.#receiverDeadlines.clear(delivery);
    this.#copiesTo.get(delivery.peer)?.delete(delivery);
  }

  #settle(delivery: Delivery, outcome: string): void {
    const { transfer } = delivery;
    if (!transfer.settle(delivery, outcome)) return;
    this.#forgetCopy(delivery);
    if (transfer.unsettled === 0 && this.#retiring.get(transfer.id) === transfer)
      this.#remove(transfer);
    this.#maybeComplete(transfer);
  }

  /** Past its retention: out of the list now, off the disk once nobody still reads it. */
  #retire(transfer: Transfer): void {
    if (transfer.from !== undefined) this.#sentBy.get(transfer.from)?.delete(transfer);
    this.#transfers.delete(transfer.id);
    if (transfer.unsettled === 0) this.#remove(transfer);
    else this.#retiring.set(transfer.id, transfer);
  }

  #remove(transfer: Transfer): void {
    this.#retiring.delete(transfer.id);
    this.#track(transfer.spool.remove());
  }

  /** Transfer `id` if it is listed, or retired but still being read. */
  #find(id: number): Transfer | undefined {
    return this.#transfers.get(id) ?? this.#retiring.get(id);
  }

  /** Tells the sender once every receiver has its copy or has failed. */
  #maybeComplete(transfer: Transfer): void {
    if (transfer.state !== "verified" || transfer.completionSent || transfer.unsettled > 0) return;
    const sender = transfer.from;
    sender?.deliver(transfer.complete());
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
      senderHash: transfer.senderHash,
      room: DEFAULT_ROOM,
    });
  }

  /** Everyone who joined, the sender included, hears how a transfer went. */
  #tellAll(message: ServerMessage): void {
    for (const peer of this.#peers()) peer.deliver(message);
  }

  /** New data, or the verdict: every copy under way may go on. */
  #wakeAll(transfer: Transfer): void {
    for (const delivery of transfer.deliveries.values()) {
      if (delivery.outcome === undefined) this.#pumps.get(delivery.peer)?.ready(delivery);
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#work.add(work);
    const forget = () => this.#work.delete(work);
    work.then(forget, forget);
    return work;
  }

  async #settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }
}

function noSuchFile(id: number): ProtocolError {
  return new ProtocolError(
    ErrorCode.NoSuchFile,
    `there is no shared file ${id}; /files lists them`,
  );
}
