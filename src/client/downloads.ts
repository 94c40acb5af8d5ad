// Receiving files: each offered file is written aside as it arrives, hashed,
// and named only once its SHA-256 matches; an interrupted one is kept to resume.

import type { ServerMessage } from "../protocol/messages.js";
import type { FileSink, FileSupport, Hasher, TransferEvent, TransferPort } from "./files.js";

interface Download {
  id: number;
  name: string;
  size: number;
  /** Offset the next chunk must carry. */
  expected: number;
  /** Bytes written so far. */
  written: number;
  /** Hashes what is written, resumed bytes included. */
  hasher: Hasher;
  /** Writes run one after another on this chain. */
  chain: Promise<FileSink | undefined>;
}

export class Downloads {
  readonly #port: TransferPort;
  readonly #files: FileSupport;
  readonly #emit: (event: TransferEvent) => void;
  readonly #active = new Map<number, Download>();

  constructor(port: TransferPort, files: FileSupport, emit: (event: TransferEvent) => void) {
    this.#port = port;
    this.#files = files;
    this.#emit = emit;
  }

  /** Bytes already held for file `id`, where a /get should resume. */
  resumeOffset(id: number): Promise<number> {
    return this.#files.store?.partialSize(id) ?? Promise.resolve(0);
  }

  /** Handles the server's file messages about downloads; false when not about one. */
  handle(message: ServerMessage): boolean {
    switch (message.type) {
      case "file-offered":
        this.#offered(message);
        return false;
      case "file-chunk": {
        const download = this.#active.get(message.id);
        if (download === undefined) return true;
        if (message.offset !== download.expected) {
          this.#fail(
            download,
            `data out of order: expected offset ${download.expected}, got ${message.offset}`,
            true,
          );
          return true;
        }
        const { data } = message;
        download.expected += data.length;
        this.#then(download, async (sink) => {
          await sink.write(data);
          download.hasher.update(data);
          download.written += data.length;
          this.#port.enqueue({ type: "file-window", id: download.id, bytes: data.length });
          this.#emit({
            type: "download-progress",
            id: download.id,
            name: download.name,
            received: download.written,
            size: download.size,
          });
        });
        return true;
      }
      case "file-end": {
        const download = this.#active.get(message.id);
        if (download === undefined) return true;
        this.#active.delete(download.id);
        const expected = message.sha256;
        this.#then(download, async (sink) => {
          if (!sameBytes(download.hasher.digest(), expected)) {
            await sink.discard();
            this.#port.enqueue({
              type: "file-received",
              id: download.id,
              ok: false,
              reason: "SHA-256 mismatch",
            });
            this.#emit({
              type: "download-failed",
              id: download.id,
              name: download.name,
              reason: "SHA-256 mismatch; nothing was saved",
            });
            return;
          }
          const path = await sink.commit();
          this.#port.enqueue({ type: "file-received", id: download.id, ok: true, reason: "" });
          this.#emit({
            type: "download-saved",
            id: download.id,
            name: download.name,
            path,
            size: download.size,
          });
        });
        return true;
      }
      case "file-cancelled":
      case "file-verified": {
        const download = this.#active.get(message.id);
        if (download !== undefined && (message.type === "file-cancelled" || !message.ok)) {
          this.#fail(download, message.reason, false);
        }
        return false;
      }
      default:
        return false;
    }
  }

  /** The connection is gone: partial files are kept so /get can resume them. */
  lost(): void {
    for (const download of [...this.#active.values()]) {
      this.#active.delete(download.id);
      this.#then(download, async (sink) => {
        await sink.suspend();
        this.#emit({
          type: "download-interrupted",
          id: download.id,
          name: download.name,
          received: download.written,
          size: download.size,
        });
      });
    }
  }

  #offered(offer: Extract<ServerMessage, { type: "file-offered" }>): void {
    const store = this.#files.store;
    if (store === undefined) {
      this.#port.enqueue({
        type: "file-cancel",
        id: offer.id,
        reason: "declined: this client does not take files",
      });
      return;
    }
    const hasher = this.#files.hasher();
    const download: Download = {
      id: offer.id,
      name: offer.name,
      size: offer.size,
      expected: offer.offset,
      written: offer.offset,
      hasher,
      chain: store.open(offer, offer.offset, hasher).catch((error: Error) => {
        this.#active.delete(offer.id);
        this.#port.enqueue({
          type: "file-cancel",
          id: offer.id,
          reason: `cannot save it: ${error.message}`,
        });
        this.#emit({
          type: "download-failed",
          id: offer.id,
          name: offer.name,
          reason: `cannot save it: ${error.message}`,
        });
        return undefined;
      }),
    };
    this.#active.set(offer.id, download);
    this.#emit({
      type: "download-started",
      id: offer.id,
      from: offer.from,
      name: offer.name,
      size: offer.size,
      offset: offer.offset,
    });
  }

  /** Runs `step` after everything before it for this download; a failure discards the file. */
  #then(download: Download, step: (sink: FileSink) => Promise<void>): void {
    download.chain = download.chain.then(async (sink) => {
      if (sink === undefined) return undefined;
      try {
        await step(sink);
        return sink;
      } catch (error) {
        this.#active.delete(download.id);
        await sink.discard().catch(() => {});
        this.#emit({
          type: "download-failed",
          id: download.id,
          name: download.name,
          reason: (error as Error).message,
        });
        return undefined;
      }
    });
  }

  #fail(download: Download, reason: string, tellServer: boolean): void {
    this.#active.delete(download.id);
    if (tellServer)
      this.#port.enqueue({ type: "file-received", id: download.id, ok: false, reason });
    this.#then(download, async (sink) => {
      await sink.discard();
      this.#emit({ type: "download-failed", id: download.id, name: download.name, reason });
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
