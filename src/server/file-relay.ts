// The file relay: accepts an upload into the spool and sends it on to the
// members of the room it was sent to as it arrives, each at its own pace;
// verifies the SHA-256, tells the room the outcome, and keeps the file for
// later /get for a while, across restarts: the store holds the index of kept
// files and gives out their ids, the spool their bytes.
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
import { roomKey } from "../protocol/rooms.js";
import type { FileDraft, Store } from "../store/store.js";
import type { Bus } from "./bus.js";
import { Deadlines } from "./deadlines.js";
import { DownloadPump } from "./download-pump.js";
import { LegacyUploads, type SpooledFile } from "./legacy-uploads.js";
import { recoverFiles } from "./recover-files.js";
import { RoomFiles } from "./room-files.js";
import type { SpoolStorage, SpoolWriter } from "./spool.js";
import { type Delivery, type FilePeer, Transfer } from "./transfer.js";
import { type Reservation, UploadQuotas } from "./upload-quotas.js";

export interface FileRelayConfig {
  maxFileBytes: number;
  retentionMs: number;
  /** How long an upload may go without data, or a receiver without answering, before it is given up. */
  transferTimeoutMs: number;
}

/** What the relay is built on. */
export interface FileRelayParts {
  /** The index of kept files, and where transfer ids come from. */
  store: Store;
  /** Where the files' bytes are kept. */
  spool: SpoolStorage;
  /** The members of `room` connected now: a transfer's offer and notices go to its room's. */
  /** Carries the room's notices: offers, verdicts, cancellations. */
  bus: Pick<Bus, "announce">;
  /** This server's members of a room, which it sends file data to. */
  audience: (room: string) => Iterable<FilePeer>;
}

/**
 * Chunks of one upload waiting for the disk. A well-behaved sender has at most
 * a window's worth of full chunks out; this stops a flood of tiny ones.
 */
const MAX_UNWRITTEN_CHUNKS = 256;
const SMALL_CHUNK_BYTES = 16 * 1024;
/** Files /files lists at most: the newest ones. */
export const MAX_LISTED_FILES = 100;

/** A verified file as an HTTP download sees it. */
export interface FileDownload {
  readonly name: string;
  readonly size: number;
  readonly sha256: Uint8Array;
  /** `length` bytes from `offset` of the spooled file. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export class FileRelay {
  readonly #config: FileRelayConfig;
  readonly #store: Store;
  readonly #spool: SpoolStorage;
  readonly #audience: (room: string) => Iterable<FilePeer>;
  readonly #bus: Pick<Bus, "announce">;
  /** Transfers under way or listed, by id. */
  readonly #transfers = new Map<number, Transfer>();
  /** The listed ones of each room, by room key. */
  readonly #rooms = new Map<string, RoomFiles<Transfer>>();
  /** Transfers past their retention that receivers are still reading. */
  readonly #retiring = new Map<number, Transfer>();
  readonly #pumps = new Map<FilePeer, DownloadPump>();
  readonly #quotas = new UploadQuotas();
  /** The transfers each client here has sent, listed or under way, so a rename reaches them. */
  readonly #sentBy = new Map<FilePeer, Set<Transfer>>();
  /** Each client's copies not yet settled. */
  readonly #copiesTo = new Map<FilePeer, Set<Delivery>>();
  readonly #uploadDeadlines: Deadlines<Transfer>;
  readonly #receiverDeadlines: Deadlines<Delivery>;
  /** Retention of the files verified here; they all last as long, so they expire in order. */
  readonly #expiry: Deadlines<Transfer>;
  /** Retention of the files kept from an earlier run, which may have kept them longer. */
  readonly #restoredExpiry: Deadlines<Transfer>;
  readonly #legacy: LegacyUploads;
  /** Disk work under way (offers being set up, uploads being verified, spool files being removed). */
  readonly #work = new Set<Promise<unknown>>();
  readonly #gone = new WeakSet<FilePeer>();
  /** The highest id the store gave out here: data for one up to it may be late, not wrong. */
  #lastId = 0;
  #stopped = false;

  constructor(config: FileRelayConfig, parts: FileRelayParts) {
    this.#config = config;
    this.#store = parts.store;
    this.#spool = parts.spool;
    this.#audience = parts.audience;
    this.#bus = parts.bus;
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
    this.#restoredExpiry = new Deadlines(0, (t) => this.#retire(t));
    this.#legacy = new LegacyUploads({
      quotas: this.#quotas,
      maxFileBytes: config.maxFileBytes,
      timeoutMs: timeout,
      spoolFor: (reservation, draft) => this.#spoolFor(reservation, draft),
      roomFor: async (reservation) => this.#quotas.room(reservation, await this.#spool.space()),
      publish: (reservation, file) => this.#publishSpooled(reservation, file),
      discard: (id) => this.#discard(id),
    });
  }

  /**
   * Opens the spool and serves the files kept from an earlier run, once what
   * did not survive it is cleared away; call it before any upload.
   */
  async start(): Promise<void> {
    await this.#spool.open();
    const kept = await recoverFiles(this.#store, this.#spool, Date.now());
    // Listed in the order they were shared, as before the restart.
    kept.sort((a, b) => a.sharedAt - b.sharedAt || a.id - b.id);
    const restored = kept.map((record) => Transfer.restored(record, this.#spool));
    for (const transfer of restored) {
      this.#transfers.set(transfer.id, transfer);
      this.#roomFiles(transfer.room).add(transfer);
    }
    // Set in the order they fall due, as Deadlines needs; with no length of
    // their own, each falls due at the expiresAt given as its start.
    restored.sort((a, b) => a.expiresAt - b.expiresAt);
    for (const transfer of restored) this.#restoredExpiry.set(transfer, transfer.expiresAt);
  }

  /** `from` offers a file to `room`. */
  offer(
    from: FilePeer,
    room: string,
    offeredName: string,
    size: number,
  ): Promise<Transfer | ProtocolError> {
    return this.#track(this.#offer(from, room, offeredName, size));
  }

  /** The original client's upload of `path` to `room` begins: its bytes follow, up to the end marker. */
  legacyStart(peer: FilePeer, room: string, path: string): Promise<void> {
    return this.#track(this.#legacy.start(peer, room, path));
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
    transfer.append(data).then(
      () => {
        transfer.unwrittenChunks -= 1;
        transfer.spooledChunk(offset, data);
        if (!transfer.underWay) return;
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

  end(from: FilePeer, m: FileEnd): Promise<ProtocolError | undefined> {
    return this.#track(this.#end(from, m));
  }

  /** The sender stops its upload, or a receiver declines its copy. */
  cancel(peer: FilePeer, id: number, reason: string): ProtocolError | undefined {
    const transfer = this.#find(id);
    if (transfer === undefined) return noSuchFile(id);
    if (transfer.from === peer && transfer.underWay) {
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
    if (transfer === undefined) return noSuchFile(id);
    if (!takesFileData(peer)) {
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
      room: transfer.room,
    });
    this.#addDelivery(transfer, peer, offset);
    return undefined;
  }

  /** A receiver's word on its copy: saved and verified, or why not. */
  received(peer: FilePeer, id: number, ok: boolean, reason: string): void {
    const delivery = this.#find(id)?.deliveries.get(peer);
    if (delivery !== undefined) this.#settle(delivery, ok ? "ok" : reason || "failed");
  }

  /**
   * The files kept in `room` that were shared last (at most MAX_LISTED_FILES,
   * oldest of them first), and how many it keeps.
   */
  list(room: string): { files: FileEntry[]; total: number } {
    const kept = this.#rooms.get(roomKey(room));
    const files = (kept?.newest(MAX_LISTED_FILES) ?? []).map((t) => ({
      id: t.id,
      from: t.fromNick,
      name: t.name,
      size: t.size,
      expiresAt: t.expiresAt,
      afterLine: t.afterLine,
      sharedAt: t.sharedAt,
      sha256: t.sha256 ?? new Uint8Array(0),
    }));
    return { files, total: kept?.size ?? 0 };
  }

  /** Verified file `id`, for a download over HTTP; undefined unless it is listed. */
  download(id: number): FileDownload | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer?.state !== "verified" || transfer.sha256 === undefined) return undefined;
    return {
      name: transfer.name,
      size: transfer.size,
      sha256: transfer.sha256,
      read: (offset, length) => transfer.spool.read(offset, length),
    };
  }

  /** The id of the file called `name` shared last in `room`, if it keeps one. */
  newestNamed(room: string, name: string): number | undefined {
    return this.#rooms.get(roomKey(room))?.newestNamed(name)?.id;
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

  /**
   * Waits for disk work under way (verifications among it), then deletes the
   * uploads still under way and the expired files still being read. Kept files
   * stay, on disk and in the store, for the next start.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const deadlines = [
      this.#uploadDeadlines,
      this.#receiverDeadlines,
      this.#expiry,
      this.#restoredExpiry,
    ];
    for (const each of deadlines) each.stop();
    this.#legacy.stop();
    await this.#settled();
    for (const transfer of this.#transfers.values()) {
      if (transfer.abort()) this.#discard(transfer.id);
    }
    for (const transfer of [...this.#retiring.values()]) this.#remove(transfer);
    this.#transfers.clear();
    this.#rooms.clear();
    await this.#settled();
  }

  async #offer(
    from: FilePeer,
    room: string,
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
    const name = safeFileName(offeredName);
    const spooled = await this.#spoolFor(reservation, { room, from: from.nick, name, size });
    if (spooled instanceof ProtocolError) return spooled;
    const file = { room, name, size };
    const transfer = Transfer.upload(spooled.id, from, file, this.#spool, spooled.writer);
    this.#publish(transfer, reservation);
    this.#uploadDeadlines.set(transfer);
    return transfer;
  }

  async #end(from: FilePeer, m: FileEnd): Promise<ProtocolError | undefined> {
    const transfer = this.#upload(from, m.id);
    if (transfer === undefined || transfer instanceof ProtocolError) return transfer;
    if (transfer.received !== transfer.size) {
      return this.#fail(transfer, `ended after ${transfer.received} of ${transfer.size} bytes`);
    }
    transfer.endUpload();
    this.#uploadDeadlines.clear(transfer);
    try {
      await transfer.flushed();
    } catch {
      return undefined; // already failed by the write that broke
    }
    if (transfer.state !== "verifying") return undefined;
    const digest = transfer.digest();
    if (m.sha256.length !== digest.length || !timingSafeEqual(digest, m.sha256)) {
      return this.#fail(
        transfer,
        "SHA-256 mismatch: the data was damaged on the way",
        ErrorCode.ChecksumMismatch,
      );
    }
    await transfer.seal();
    if (transfer.state !== "verifying") return undefined;
    return this.#verify(transfer, digest);
  }

  /**
   * Records the upload `reservation` counts and makes its spool file, if the
   * disk has room for it.
   */
  async #spoolFor(
    reservation: Reservation,
    draft: FileDraft,
  ): Promise<{ id: number; writer: SpoolWriter; diskRoom: number } | ProtocolError> {
    let started = false;
    try {
      const disk = await this.#spool.space();
      const problem = this.#quotas.spaceProblem(reservation, disk);
      if (problem !== undefined) return problem;
      const id = this.#begin(draft);
      if (id instanceof ProtocolError) return id;
      const writer = await this.#spool.create(id).catch((error: unknown) => {
        this.#forgetRecord(id);
        throw error;
      });
      if (this.#stopped || this.#gone.has(reservation.peer)) {
        // The sender left, or the server is stopping, while the spool was being made.
        this.#discard(id);
        return new ProtocolError(ErrorCode.Shutdown, "the transfer was not started");
      }
      started = true;
      return { id, writer, diskRoom: this.#quotas.room(reservation, disk) };
    } finally {
      if (!started) this.#quotas.cancel(reservation);
    }
  }

  /** A new upload's record in the store, and so its id. */
  #begin(draft: FileDraft): number | ProtocolError {
    try {
      const id = this.#store.beginFile(draft);
      this.#lastId = Math.max(this.#lastId, id);
      return id;
    } catch (error) {
      const reason = `the server could not record the file: ${(error as Error).message}`;
      return new ProtocolError(ErrorCode.Internal, reason);
    }
  }

  /** An upload that came whole, without the sender's hash: offered now, verified at once. */
  #publishSpooled(reservation: Reservation, file: SpooledFile): void {
    const transfer = Transfer.upload(file.id, reservation.peer, file, this.#spool, undefined);
    this.#publish(transfer, reservation);
    this.#verify(transfer, file.sha256);
  }

  /** Lists `transfer`, the upload `reservation` counted, and offers it to the rest of its room. */
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
      room: transfer.room,
    };
    this.#bus.announce(transfer.room, offered, from);
    for (const peer of this.#audience(transfer.room)) {
      if (peer !== from && takesFileData(peer)) this.#addDelivery(transfer, peer, 0);
    }
  }

  /**
   * The sender's upload `id`; undefined for one already aborted, whose data may
   * still be in flight and is dropped without a word.
   */
  #upload(from: FilePeer, id: number): Transfer | ProtocolError | undefined {
    const transfer = this.#transfers.get(id);
    if (transfer === undefined) return id <= this.#lastId ? undefined : noSuchFile(id);
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

  /** Keeps the upload, whole and on disk, for the retention: in the store first, so it survives a restart. */
  #verify(transfer: Transfer, digest: Uint8Array): ProtocolError | undefined {
    const sharedAt = Date.now();
    const expiresAt = sharedAt + this.#config.retentionMs;
    const { size, senderHash } = transfer;
    let afterLine: number;
    try {
      const kept = { size, sha256: digest, senderHash, sharedAt, expiresAt };
      afterLine = this.#store.keepFile(transfer.id, kept);
    } catch (error) {
      const reason = `the server could not keep it: ${(error as Error).message}`;
      return this.#fail(transfer, reason, ErrorCode.Internal);
    }
    this.#uploadEnded(transfer);
    transfer.verify({ sha256: digest, sharedAt, expiresAt, afterLine });
    this.#roomFiles(transfer.room).add(transfer);
    this.#expiry.set(transfer, sharedAt);
    this.#announceVerdict(transfer, "");
    this.#wakeAll(transfer);
    this.#maybeComplete(transfer);
    return undefined;
  }

  #fail(
    transfer: Transfer,
    reason: string,
    code: ErrorCode = ErrorCode.BadTransfer,
  ): ProtocolError {
    if (transfer.underWay) {
      this.#announceVerdict(transfer, reason);
      this.#abort(transfer, reason, false);
    }
    return new ProtocolError(code, reason);
  }

  #abort(transfer: Transfer, reason: string, announce = true): void {
    if (!transfer.underWay) return;
    // Before the abort, which lets go of the sender: the quotas count the upload
    // under it, and it is told even if it left the room.
    this.#uploadEnded(transfer);
    if (announce) {
      const { id, name } = transfer;
      this.#tellRoom(transfer, { type: "file-cancelled", id, name, reason });
    }
    const sender = transfer.from;
    transfer.abort();
    if (sender !== undefined) this.#sentBy.get(sender)?.delete(transfer);
    this.#transfers.delete(transfer.id);
    for (const delivery of transfer.deliveries.values()) this.#forgetCopy(delivery);
    this.#discard(transfer.id);
  }

  /** An upload that will not be kept: its spool file and its record go. */
  #discard(id: number): void {
    this.#track(this.#spool.remove(id));
    this.#forgetRecord(id);
  }

  #forgetRecord(id: number): void {
    try {
      this.#store.dropFile(id);
    } catch {
      // Left behind, the record is dropped at the next start: as unfinished, or as expired.
    }
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

  /** Past its retention: out of the list and the store now, off the disk once nobody still reads it. */
  #retire(transfer: Transfer): void {
    if (transfer.from !== undefined) this.#sentBy.get(transfer.from)?.delete(transfer);
    this.#transfers.delete(transfer.id);
    const key = roomKey(transfer.room);
    const kept = this.#rooms.get(key);
    kept?.delete(transfer);
    if (kept?.size === 0) this.#rooms.delete(key);
    this.#forgetRecord(transfer.id);
    if (transfer.unsettled === 0) this.#remove(transfer);
    else this.#retiring.set(transfer.id, transfer);
  }

  #remove(transfer: Transfer): void {
    this.#retiring.delete(transfer.id);
    transfer.retire();
    this.#track(this.#spool.remove(transfer.id));
  }

  /** The files kept in `room`, made the first time one is. */
  #roomFiles(room: string): RoomFiles<Transfer> {
    const key = roomKey(room);
    let kept = this.#rooms.get(key);
    if (kept === undefined) {
      kept = new RoomFiles();
      this.#rooms.set(key, kept);
    }
    return kept;
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

  /** Tells the room whether the upload arrived intact: `failure` is "" when it did. */
  #announceVerdict(transfer: Transfer, failure: string): void {
    this.#tellRoom(transfer, {
      type: "file-verified",
      id: transfer.id,
      from: transfer.fromNick,
      name: transfer.name,
      size: transfer.size,
      ok: failure === "",
      reason: failure,
      senderHash: transfer.senderHash,
      room: transfer.room,
      ...(failure === "" && transfer.sha256 !== undefined ? { sha256: transfer.sha256 } : {}),
    });
  }

  /**
   * The members of the transfer's room hear how it went, and so does its sender
   * if it is not among them (it left the room meanwhile): its client waits for
   * the word to free the upload's slot.
   */
  #tellRoom(transfer: Transfer, message: ServerMessage): void {
    this.#bus.announce(transfer.room, message);
    const sender = transfer.from;
    if (sender !== undefined && !includes(this.#audience(transfer.room), sender)) {
      sender.deliver(message);
    }
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

function includes<T>(items: Iterable<T>, item: T): boolean {
  for (const each of items) if (each === item) return true;
  return false;
}

/** Can take file bytes (text clients cannot). */
function takesFileData(peer: FilePeer): boolean {
  return peer.capabilities.files;
}

function noSuchFile(id: number): ProtocolError {
  return new ProtocolError(
    ErrorCode.NoSuchFile,
    `there is no shared file ${id}; /files lists them`,
  );
}
