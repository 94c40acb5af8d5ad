// Sending files: reads each from its source a chunk at a time, as the
// server's window and the connection's room allow, hashing on the way.

import { type Block, sliceBlock } from "../protocol/bytes.js";
import { ErrorCode, ProtocolError, RemoteError } from "../protocol/errors.js";
import { FILE_CHUNK_BYTES, UPLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import { fileChunkHeader, type ServerMessage } from "../protocol/messages.js";
import type { FileSource, Hasher, TransferEvent, TransferPort } from "./files.js";

/** Every receiver's outcome, once all have confirmed or failed. */
export interface Delivered {
  id: number;
  name: string;
  delivered: number;
  failed: number;
  detail: string;
}

const READ_BLOCK_BYTES = 1024 * 1024;

interface Upload {
  id: number;
  source: FileSource;
  hasher: Hasher;
  sent: number;
  credit: number;
  reading: boolean;
  ended: boolean;
  /** The last block read from the source; chunks are cut from it. */
  block: Block | undefined;
  finish: (outcome: Delivered | Error) => void;
}

export class Uploads {
  readonly #port: TransferPort;
  readonly #emit: (event: TransferEvent) => void;
  readonly #active = new Map<number, Upload>();

  constructor(port: TransferPort, emit: (event: TransferEvent) => void) {
    this.#port = port;
    this.#emit = emit;
  }

  get ids(): number[] {
    return [...this.#active.keys()];
  }

  /** Starts sending `source` as accepted transfer `id`; resolves when every receiver has it. */
  start(id: number, source: FileSource, hasher: Hasher): Promise<Delivered> {
    return new Promise((resolve, reject) => {
      const upload: Upload = {
        id,
        source,
        hasher,
        sent: 0,
        credit: UPLOAD_WINDOW_BYTES,
        reading: false,
        ended: false,
        block: undefined,
        finish: (outcome) => {
          this.#active.delete(id);
          void source.close();
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      this.#active.set(id, upload);
      void this.#pump(upload);
    });
  }

  cancel(id: number, reason: string): boolean {
    const upload = this.#active.get(id);
    // Once all bytes are out the file is the server's to deliver; too late to cancel.
    if (upload === undefined || upload.ended) return false;
    this.#port.enqueue({ type: "file-cancel", id, reason });
    upload.finish(new ProtocolError(ErrorCode.BadTransfer, `cancelled: ${reason}`));
    return true;
  }

  /** Handles the server's file messages about uploads; false when not about one of ours. */
  handle(message: ServerMessage): boolean {
    if (!("id" in message)) return false;
    const upload = this.#active.get(message.id);
    if (upload === undefined) return false;
    switch (message.type) {
      case "file-window":
        upload.credit += message.bytes;
        void this.#pump(upload);
        return true;
      case "file-verified":
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
      default:
        return false;
    }
  }

  /** The connection has room again. */
  writable(): void {
    for (const upload of this.#active.values()) void this.#pump(upload);
  }

  /** The connection is gone: no upload can finish. */
  lost(reason: string): void {
    for (const upload of [...this.#active.values()]) {
      upload.finish(
        new ProtocolError(ErrorCode.ConnectionLost, `connection lost while sending: ${reason}`),
      );
    }
  }

  async #pump(upload: Upload): Promise<void> {
    if (upload.reading) return;
    upload.reading = true;
    try {
      const { source } = upload;
      while (!upload.ended && this.#port.bulkReady()) {
        if (upload.sent === source.size) {
          upload.ended = true;
          this.#port.enqueue({ type: "file-end", id: upload.id, sha256: upload.hasher.digest() });
          return;
        }
        if (upload.credit <= 0) return;
        const offset = upload.sent;
        const wanted = Math.min(FILE_CHUNK_BYTES, upload.credit, source.size - offset);
        let data = sliceBlock(upload.block, offset, wanted);
        if (data === undefined) {
          // Reading a block at a time costs one file read per many chunks.
          upload.block = {
            offset,
            data: await source.read(offset, Math.min(READ_BLOCK_BYTES, source.size - offset)),
          };
          if (!this.#active.has(upload.id)) return;
          data = sliceBlock(upload.block, offset, wanted) as Uint8Array;
        }
        const length = data.length;
        upload.hasher.update(data);
        this.#port.writeBulk(fileChunkHeader("up", upload.id, offset, length), data);
        upload.sent += length;
        upload.credit -= length;
        this.#emit({
          type: "upload-progress",
          id: upload.id,
          name: source.name,
          sent: upload.sent,
          size: source.size,
        });
      }
    } catch (error) {
      this.cancel(upload.id, `cannot read the file: ${(error as Error).message}`);
    } finally {
      upload.reading = false;
    }
  }
}
