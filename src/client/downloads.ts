// Receiving files: each offered file is written aside as it arrives, hashed,
// and named only once its SHA-256 matches; an interrupted one is kept to resume.
// Chunks are handed to the sink as they come (it batches them), and the window
// is returned as they are written, a quarter window at a time. A file this
// client cannot save is declined with the reason, and nothing else is affected.
// Each download ends in exactly one event: saved, failed, interrupted or cancelled.

import { bytesAt } from "../protocol/bytes.js";
import { DOWNLOAD_WINDOW_BYTES } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import { WindowGrants } from "../protocol/window-grants.js";
import type { FileSink, FileSupport, Hasher, TransferEvent, TransferPort } from "./files.js";

interface Download {
  id: number;
  name: string;
  size: number;
  /** Offset the next chunk must carry. */
  expected: number;
  /** Bytes written so far. */
  written: number;
  /** Credit for the server, returned as chunks are written. */
  grants: WindowGrants;
  /** Hashes what is handed to the sink, resumed bytes included, in order. */
  hasher: Hasher;
  /** Undefined until the store has opened it; chunks wait in `early` meanwhile. */
  sink: FileSink | undefined;
  /** The sink once open; undefined if opening failed (and was reported). */
  opened: Promise<FileSink | undefined>;
  early: Uint8Array[];
  /** Settles once every write issued so far has; never rejects, as a failed write fails the download. */
  writes: Promise<void>;
  /** The SHA-256 the server announced at the end, once it has. */
  expectedSha256: Uint8Array | undefined;
  settled: boolean;
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

  /** Bytes this client holds of file `id` (taking over ones another left), where a /get resumes. */
  resumeOffset(id: number): Promise<number> {
    return this.#files.store?.claimPartial(id) ?? Promise.resolve(0);
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
            false,
          );
          return true;
        }
        download.expected += message.data.length;
        if (download.sink === undefined) download.early.push(message.data);
        else this.#write(download, download.sink, message.data);
        return true;
      }
      case "file-end": {
        const download = this.#active.get(message.id);
        if (download === undefined) return true;
        download.expectedSha256 = message.sha256;
        if (download.sink !== undefined) void this.#finish(download, download.sink);
        return true;
      }
      case "file-cancelled":
      case "file-verified": {
        const download = this.#active.get(message.id);
        if (download !== undefined && (message.type === "file-cancelled" || !message.ok)) {
          this.#fail(download, message.reason, true);
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
      this.#settle(download);
      this.#wrapUp(download, (sink) => sink.suspend(), "download-interrupted");
    }
  }

  /**
   * Declines every download under way, telling the server `reason`, and deletes
   * what arrived of each. One whose last byte is in is being saved, and goes on.
   */
  cancelAll(reason: string): void {
    for (const download of [...this.#active.values()]) {
      this.#settle(download);
      this.#port.enqueue({ type: "file-cancel", id: download.id, reason });
      this.#wrapUp(download, (sink) => sink.discard(), "download-cancelled");
    }
  }

  #offered(offer: Extract<ServerMessage, { type: "file-offered" }>): void {
    const store = this.#files.store;
    if (store === undefined) {
      // Declining a file the server never meant to push would be refused as about no download.
      if (this.#files.fetchedElsewhere === true) return;
      this.#port.enqueue({
        type: "file-cancel",
        id: offer.id,
        reason: "declined: this client does not take files",
      });
      return;
    }
    const previous = this.#active.get(offer.id);
    if (previous !== undefined) {
      // Asked for again, the server starts this file over: the copy under way goes.
      this.#settle(previous);
      void this.#whenOpen(previous, (sink) => sink.discard());
    }
    const download: Download = {
      id: offer.id,
      name: offer.name,
      size: offer.size,
      expected: offer.offset,
      written: offer.offset,
      grants: new WindowGrants(DOWNLOAD_WINDOW_BYTES),
      hasher: this.#files.hasher(),
      sink: undefined,
      opened: Promise.resolve(undefined),
      early: [],
      writes: Promise.resolve(),
      expectedSha256: undefined,
      settled: false,
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
    download.opened = store.open(offer, offer.offset, download.hasher).then(
      (sink) => {
        download.sink = sink;
        if (download.settled) return sink; // lost or failed while opening: they handle the sink
        for (const data of download.early.splice(0)) this.#write(download, sink, data);
        if (download.expectedSha256 !== undefined) void this.#finish(download, sink);
        return sink;
      },
      (error: Error) => {
        this.#fail(download, error.message, false);
        return undefined;
      },
    );
  }

  #write(download: Download, sink: FileSink, data: Uint8Array): void {
    download.hasher.update(data);
    const written = sink.write(data).then(
      () => this.#stored(download, data.length),
      (error: Error) => this.#fail(download, error.message, false),
    );
    download.writes = Promise.all([download.writes, written]).then(() => {});
  }

  #stored(download: Download, bytes: number): void {
    if (download.settled) return;
    download.written += bytes;
    const grant = download.grants.stored(bytes);
    if (grant > 0) this.#port.enqueue({ type: "file-window", id: download.id, bytes: grant });
    this.#emit({
      type: "download-progress",
      id: download.id,
      name: download.name,
      received: download.written,
      size: download.size,
    });
  }

  async #finish(download: Download, sink: FileSink): Promise<void> {
    await download.writes;
    if (download.settled) return;
    this.#settle(download);
    const expected = download.expectedSha256 as Uint8Array;
    const digest = download.hasher.digest();
    if (digest.length !== expected.length || !bytesAt(digest, 0, expected)) {
      this.#unsaved(download, "SHA-256 mismatch", false);
      return;
    }
    let path: string;
    try {
      path = await sink.commit();
    } catch (error) {
      this.#unsaved(download, (error as Error).message, false);
      return;
    }
    this.#port.enqueue({ type: "file-received", id: download.id, ok: true, reason: "" });
    this.#emit({
      type: "download-saved",
      id: download.id,
      name: download.name,
      path,
      size: download.size,
    });
  }

  /** Ends `download` unsaved, unless its outcome is already decided. */
  #fail(download: Download, reason: string, remote: boolean): void {
    if (download.settled) return;
    this.#settle(download);
    this.#unsaved(download, reason, remote);
  }

  /**
   * Deletes what arrived of a settled download and reports why it was not saved.
   * `remote`: the sender or the server ended it, and the server knows; otherwise
   * this client could not save it, and declines it saying why.
   */
  #unsaved(download: Download, reason: string, remote: boolean): void {
    if (!remote) {
      this.#port.enqueue({
        type: "file-received",
        id: download.id,
        ok: false,
        reason: `could not save it: ${reason}`,
      });
    }
    void this.#whenOpen(download, (sink) => sink.discard()).then(() =>
      this.#emit({
        type: "download-failed",
        id: download.id,
        name: download.name,
        reason,
        remote,
      }),
    );
  }

  /** Stops taking chunks for `download`; its outcome is being decided. */
  #settle(download: Download): void {
    download.settled = true;
    if (this.#active.get(download.id) === download) this.#active.delete(download.id);
  }

  /** Keeps or deletes a settled download's bytes, `step`, then reports how far it got. */
  #wrapUp(
    download: Download,
    step: (sink: FileSink) => Promise<void>,
    type: "download-interrupted" | "download-cancelled",
  ): void {
    const { id, name, size } = download;
    void this.#whenOpen(download, step).then(() =>
      this.#emit({ type, id, name, received: download.written, size }),
    );
  }

  /** Runs `then` with the sink once the store has opened it (not at all if it failed to). */
  async #whenOpen(download: Download, then: (sink: FileSink) => Promise<void>): Promise<void> {
    const sink = await download.opened;
    if (sink === undefined) return;
    try {
      await then(sink);
    } catch {
      // The outcome is already decided; all a failure here costs is a partial file left behind.
    }
  }
}
