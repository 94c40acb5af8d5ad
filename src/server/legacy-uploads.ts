// The original chat client's uploads: a text connection's raw bytes up to an
// end marker, with no size and no hash. Each is spooled whole and hashed by
// the server, and only then handed to the relay, which offers it to the room
// like any other file: nobody receives a file that might yet turn out too
// large, and one cut off costs nobody but its sender anything.

import { createHash, type Hash } from "node:crypto";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { safeFileName } from "../protocol/file-names.js";
import { UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import { LEGACY_END_MARKER } from "../protocol/legacy-upload.js";
import { formatBytes, formatSeconds } from "../protocol/render.js";
import type { FileDraft } from "../store/store.js";
import { Deadlines } from "./deadlines.js";
import type { SpoolWriter } from "./spool.js";
import type { FilePeer } from "./transfer.js";
import type { Reservation, UploadQuotas } from "./upload-quotas.js";

/** What the uploads need of the relay they hand their files to. */
export interface LegacyUploadHost {
  readonly quotas: UploadQuotas;
  readonly maxFileBytes: number;
  readonly timeoutMs: number;
  /**
   * Records the upload `reservation` counts and makes its spool file; `diskRoom` is
   * what the disk can take of it.
   */
  spoolFor(
    reservation: Reservation,
    draft: FileDraft,
  ): Promise<{ id: number; writer: SpoolWriter; diskRoom: number } | ProtocolError>;
  /** What the disk can take of the upload now. */
  roomFor(reservation: Reservation): Promise<number>;
  /** The upload is whole and on disk: offer it to its room. */
  publish(reservation: Reservation, file: SpooledFile): void;
  /** The upload is dropped: its spool file and its record go. */
  discard(id: number): void;
}

export interface SpooledFile {
  id: number;
  room: string;
  name: string;
  size: number;
  sha256: Uint8Array;
}

interface Upload {
  readonly id: number;
  readonly room: string;
  readonly name: string;
  readonly reservation: Reservation;
  readonly writer: SpoolWriter;
  readonly hash: Hash;
  received: number;
  /** Up to where the disk was last seen to have room. */
  roomUpTo: number;
  /** Bytes handed to the spool and not yet written. */
  unwritten: number;
  /** Wakes the upload's connection once the spool has caught up. */
  caughtUp: (() => void) | undefined;
  failed: boolean;
}

/** Bytes of an upload that may wait for the disk before its connection stops being read. */
const MAX_UNWRITTEN_BYTES = UPLOAD_WINDOW_BYTES;
/** Named in what the sender is told: a person at netcat who typed SEND needs it to get out. */
const END_MARKER = new TextDecoder().decode(LEGACY_END_MARKER);
/** A small piece is copied, so it does not keep a whole socket read buffer alive. */
const SMALL_PIECE_BYTES = 16 * 1024;

export class LegacyUploads {
  readonly #host: LegacyUploadHost;
  /** One upload at a time per connection: its bytes are the connection's until the marker. */
  readonly #uploads = new Map<FilePeer, Upload>();
  readonly #silence: Deadlines<FilePeer>;

  constructor(host: LegacyUploadHost) {
    this.#host = host;
    this.#silence = new Deadlines(host.timeoutMs, (peer) => {
      const upload = this.#uploads.get(peer);
      if (upload !== undefined)
        this.#refuse(
          peer,
          upload,
          `nothing arrived for ${formatSeconds(host.timeoutMs)}`,
          ErrorCode.BadTransfer,
        );
    });
  }

  async start(peer: FilePeer, room: string, path: string): Promise<void> {
    const name = safeFileName(path);
    // Its size is known only at the end: it is promised nothing, and the disk is looked at as it grows.
    const reservation = this.#host.quotas.reserve(peer, 0);
    if (reservation instanceof ProtocolError) return this.#tellRefused(peer, name, reservation);
    // Its size is recorded when it is kept.
    const draft = { room, from: peer.nick, name, size: 0 };
    const spooled = await this.#host.spoolFor(reservation, draft);
    if (spooled instanceof ProtocolError) return this.#tellRefused(peer, name, spooled);
    this.#uploads.set(peer, {
      id: spooled.id,
      room,
      name,
      reservation,
      writer: spooled.writer,
      hash: createHash("sha256"),
      received: 0,
      roomUpTo: spooled.diskRoom,
      unwritten: 0,
      caughtUp: undefined,
      failed: false,
    });
    this.#silence.set(peer);
    peer.deliver({
      type: "notice",
      text: `receiving ${name} from you, up to its end marker ${END_MARKER}; everyone is offered it once it is whole`,
    });
  }

  /** The upload's next bytes; a promise when the connection must wait for the disk. */
  data(peer: FilePeer, data: Uint8Array): Promise<void> | undefined {
    const upload = this.#uploads.get(peer);
    // Refused or given up: its bytes are dropped, up to the marker.
    if (upload === undefined) return undefined;
    this.#silence.set(peer);
    const total = upload.received + data.length;
    if (total > this.#host.maxFileBytes) {
      this.#refuse(
        peer,
        upload,
        `it is over the ${formatBytes(this.#host.maxFileBytes)} this server takes`,
        ErrorCode.FileTooLarge,
      );
      return undefined;
    }
    if (total > upload.roomUpTo) return this.#makeRoom(peer, upload, data);
    return this.#write(peer, upload, data);
  }

  async end(peer: FilePeer): Promise<void> {
    const upload = this.#uploads.get(peer);
    if (upload === undefined) return;
    this.#uploads.delete(peer);
    this.#silence.clear(peer);
    try {
      await upload.writer.flushed();
      await upload.writer.seal();
    } catch (error) {
      const reason = `the server could not store it: ${(error as Error).message}`;
      return this.#discard(peer, upload, reason, ErrorCode.Internal);
    }
    if (upload.failed) return;
    const sha256 = new Uint8Array(upload.hash.digest());
    const hex = Buffer.from(sha256).toString("hex");
    peer.deliver({
      type: "notice",
      text: `${upload.name} arrived: ${formatBytes(upload.received)} (${upload.received} bytes), SHA-256 computed by the server ${hex}`,
    });
    this.#host.publish(upload.reservation, {
      id: upload.id,
      room: upload.room,
      name: upload.name,
      size: upload.received,
      sha256,
    });
  }

  /** `peer` has left: an upload it had not finished is dropped. */
  detach(peer: FilePeer): void {
    const upload = this.#uploads.get(peer);
    if (upload === undefined) return;
    this.#uploads.delete(peer);
    this.#silence.clear(peer);
    this.#drop(upload);
  }

  /** The server is stopping: every unfinished upload goes. */
  stop(): void {
    this.#silence.stop();
    for (const upload of this.#uploads.values()) this.#drop(upload);
    this.#uploads.clear();
  }

  #write(peer: FilePeer, upload: Upload, data: Uint8Array): Promise<void> | undefined {
    const piece = data.length < SMALL_PIECE_BYTES ? data.slice() : data;
    upload.received += piece.length;
    upload.hash.update(piece);
    upload.unwritten += piece.length;
    upload.writer.append(piece).then(
      () => {
        upload.unwritten -= piece.length;
        if (upload.unwritten <= MAX_UNWRITTEN_BYTES / 2) upload.caughtUp?.();
      },
      (error: Error) =>
        this.#refuse(
          peer,
          upload,
          `the server could not store it: ${error.message}`,
          ErrorCode.Internal,
        ),
    );
    if (upload.unwritten <= MAX_UNWRITTEN_BYTES) return undefined;
    return new Promise<void>((resolve) => {
      upload.caughtUp = () => {
        upload.caughtUp = undefined;
        resolve();
      };
    });
  }

  /** Looks at the disk again before `data` goes past the room last seen. */
  async #makeRoom(peer: FilePeer, upload: Upload, data: Uint8Array): Promise<void> {
    const room = await this.#host.roomFor(upload.reservation);
    if (this.#uploads.get(peer) !== upload) return;
    upload.roomUpTo = upload.received + room;
    if (upload.received + data.length > upload.roomUpTo) {
      this.#refuse(
        peer,
        upload,
        `the server has room for ${formatBytes(upload.roomUpTo)} of it`,
        ErrorCode.NoSpace,
      );
      return;
    }
    await this.#write(peer, upload, data);
  }

  /** Over a limit, given up or unstorable: the sender hears once, and the rest is dropped. */
  #refuse(peer: FilePeer, upload: Upload, reason: string, code: ErrorCode): void {
    if (this.#uploads.get(peer) === upload) {
      this.#uploads.delete(peer);
      this.#silence.clear(peer);
    }
    this.#discard(peer, upload, reason, code);
  }

  #discard(peer: FilePeer, upload: Upload, reason: string, code: ErrorCode): void {
    if (upload.failed) return;
    upload.failed = true;
    this.#drop(upload);
    this.#tellRefused(peer, upload.name, new ProtocolError(code, reason));
  }

  #drop(upload: Upload): void {
    upload.caughtUp?.();
    this.#host.quotas.cancel(upload.reservation);
    this.#host.discard(upload.id);
  }

  /** Refused at its start too, its bytes still come up to the marker: the sender is told so. */
  #tellRefused(peer: FilePeer, name: string, why: ProtocolError): void {
    peer.deliver({
      type: "error",
      seq: 0,
      code: why.code,
      message: `${name} was not sent: ${why.message}; what is left of it is dropped, up to its end marker ${END_MARKER}`,
    });
  }
}
