// Sending files: each waits for one of the server's upload slots, is offered,
// and is sent from its source a chunk at a time by a ChunkSender, as the
// server's window and the connection's room allow, hashing on the way.

import { type ChunkFiles, ChunkSender, type SentFile } from "../protocol/chunk-sender.js";
import { ErrorCode, ProtocolError, RemoteError } from "../protocol/errors.js";
import { MAX_UPLOADS_PER_CLIENT, UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { FileSource, Hasher, TransferEvent, TransferPort } from "./files.js";
import { type UploadSlot, UploadSlots } from "./upload-slots.js";

/** A file the server accepted: its id, and the outcome once every receiver is done. */
export interface OutgoingFile {
  id: number;
  delivered: Promise<Delivered>;
}

/** Offers `source` to everyone; resolves with the id the server gave it, rejects if it refuses. */
export type Offer = (source: FileSource) => Promise<number>;

/** Every receiver's outcome, once all have confirmed or failed. */
export interface Delivered {
  id: number;
  name: string;
  delivered: number;
  failed: number;
  detail: string;
}

interface Upload extends SentFile {
  id: number;
  source: FileSource;
  hasher: Hasher;
  /** Held until the server has freed its own: at verification, or when the upload ends. */
  slot: UploadSlot;
  /**
   * Each upload has a sender of its own, so each keeps its own block: one
   * sender taking uploads in turn would read each block several times over.
   */
  sender: ChunkSender<Upload>;
  /** Its end is sent: every byte is out. */
  ended: boolean;
  finish: (outcome: Delivered | Error) => void;
}

/** A file on its way to being offered: waiting for a slot, or for the server's answer. */
interface Offering {
  name: string;
  /** Why it was cancelled meanwhile, if it was. */
  cancelled: string | undefined;
}

export class Uploads {
  readonly #port: TransferPort;
  readonly #emit: (event: TransferEvent) => void;
  readonly #active = new Map<number, Upload>();
  readonly #slots = new UploadSlots(MAX_UPLOADS_PER_CLIENT);
  readonly #offering = new Set<Offering>();
  readonly #files: ChunkFiles<Upload> = {
    id: (upload) => upload.id,
    live: (upload) => this.#active.get(upload.id) === upload,
    readable: (upload) => upload.source.size,
    endable: (upload) => !upload.ended,
    read: (upload, offset, length) => upload.source.read(offset, length),
    end: (upload) => {
      upload.ended = true;
      this.#port.enqueue({ type: "file-end", id: upload.id, sha256: upload.hasher.digest() });
    },
    sent: (upload, data) => {
      upload.hasher.update(data);
      this.#emit({
        type: "upload-progress",
        id: upload.id,
        name: upload.source.name,
        sent: upload.offset,
        size: upload.source.size,
      });
    },
    unreadable: (upload, error) => this.cancel(upload.id, `cannot read the file: ${error.message}`),
  };

  constructor(port: TransferPort, emit: (event: TransferEvent) => void) {
    this.#port = port;
    this.#emit = emit;
  }

  get ids(): number[] {
    return [...this.#active.keys()];
  }

  /**
   * Sends `source`, once a slot is free (an `upload-queued` event says when it
   * must wait for one); resolves once the server accepts it, rejects if the
   * server refuses it or it is cancelled first. It owns `source` from here on.
   */
  /** `signal` cancels it: waiting its turn, being offered, or being sent (its reason, if a string, is said). */
  async send(
    source: FileSource,
    hasher: Hasher,
    offer: Offer,
    signal?: AbortSignal,
  ): Promise<OutgoingFile> {
    const offering: Offering = { name: source.name, cancelled: undefined };
    this.#offering.add(offering);
    const abortOffering = () => {
      offering.cancelled = abortReason(signal);
    };
    signal?.addEventListener("abort", abortOffering, { once: true });
    let slot: UploadSlot | undefined;
    try {
      if (signal?.aborted) throw cancelledError(abortReason(signal));
      if (!this.#slots.free) {
        this.#emit({ type: "upload-queued", name: source.name, size: source.size });
      }
      slot = await this.#slots.take(signal);
      if (offering.cancelled !== undefined) throw cancelledError(offering.cancelled);
      const id = await offer(source);
      if (offering.cancelled !== undefined) {
        this.#port.enqueue({ type: "file-cancel", id, reason: offering.cancelled });
        throw cancelledError(offering.cancelled);
      }
      signal?.addEventListener("abort", () => this.cancel(id, abortReason(signal)), {
        once: true,
      });
      return { id, delivered: this.#start(id, source, hasher, slot) };
    } catch (error) {
      slot?.release();
      await source.close();
      throw offering.cancelled === undefined ? error : cancelledError(offering.cancelled);
    } finally {
      signal?.removeEventListener("abort", abortOffering);
      this.#offering.delete(offering);
    }
  }

  /**
   * Cancels every upload that can still be cancelled, and every file still to
   * be offered; returns their names. An upload whose bytes are all out is the
   * server's to deliver, and goes on.
   */
  cancelAll(reason: string): string[] {
    const names = [...this.#active.values()]
      .filter((upload) => this.cancel(upload.id, reason))
      .map((upload) => upload.source.name);
    for (const offering of this.#offering) {
      offering.cancelled = reason;
      names.push(offering.name);
    }
    this.#slots.abandon(cancelledError(reason));
    return names;
  }

  /** Starts sending `source` as accepted transfer `id`; resolves when every receiver has it. */
  #start(id: number, source: FileSource, hasher: Hasher, slot: UploadSlot): Promise<Delivered> {
    return new Promise((resolve, reject) => {
      const upload: Upload = {
        id,
        source,
        hasher,
        slot,
        offset: 0,
        credit: UPLOAD_WINDOW_BYTES,
        queued: false,
        sender: new ChunkSender({
          direction: "up",
          link: this.#port,
          files: this.#files,
          keepBlockWhilePaused: true,
        }),
        ended: false,
        finish: (outcome) => {
          this.#active.delete(id);
          slot.release();
          void source.close();
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      this.#active.set(id, upload);
      upload.sender.ready(upload);
    });
  }

  cancel(id: number, reason: string): boolean {
    const upload = this.#active.get(id);
    // Once all bytes are out the file is the server's to deliver; too late to cancel.
    if (upload === undefined || upload.ended) return false;
    this.#port.enqueue({ type: "file-cancel", id, reason });
    upload.finish(cancelledError(reason));
    return true;
  }

  /** Handles the server's file messages about uploads; false when not about one of ours. */
  handle(message: ServerMessage): boolean {
    switch (message.type) {
      case "file-window":
      case "file-verified":
      case "file-cancelled":
      case "file-complete":
        break;
      default:
        // Chat lines carry an id too, but a message id is no transfer's.
        return false;
    }
    const upload = this.#active.get(message.id);
    if (upload === undefined) return false;
    switch (message.type) {
      case "file-window":
        upload.credit += message.bytes;
        upload.sender.ready(upload);
        return true;
      case "file-verified":
        // The server's slot is free now, whatever receivers still have to do.
        upload.slot.release();
        if (!message.ok) upload.finish(new RemoteError(ErrorCode.BadTransfer, message.reason));
        return false;
      case "file-cancelled":
        upload.finish(new RemoteError(ErrorCode.BadTransfer, `cancelled: ${message.reason}`));
        return false;
      case "file-complete":
        upload.finish({
          id: message.id,
          name: message.name,
          delivered: message.delivered,
          failed: message.failed,
          detail: message.detail,
        });
        return false;
    }
  }

  /** The connection has room again. */
  writable(): void {
    for (const upload of this.#active.values()) upload.sender.wake();
  }

  /** The connection is gone: no upload can finish, and none still waiting can be offered. */
  lost(reason: string): void {
    // Those waiting go first, so that the slots freed below are not given to them.
    this.#slots.abandon(
      new ProtocolError(ErrorCode.ConnectionLost, `connection lost before it was sent: ${reason}`),
    );
    for (const upload of [...this.#active.values()]) {
      upload.finish(
        new ProtocolError(ErrorCode.ConnectionLost, `connection lost while sending: ${reason}`),
      );
    }
  }
}

function abortReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === "string" ? signal.reason : "";
}

function cancelledError(reason: string): ProtocolError {
  return new ProtocolError(ErrorCode.BadTransfer, `cancelled: ${reason}`);
}
