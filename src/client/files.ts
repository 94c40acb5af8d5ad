// What the client core needs to move files, without knowing where they live:
// Node reads and writes the disk, a browser will use its File APIs.

import type { ChunkLink } from "../protocol/chunk-sender.js";
import type { ClientMessage } from "../protocol/messages.js";

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface FileSource {
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface IncomingFile {
  id: number;
  from: string;
  name: string;
  size: number;
}

/**
 * Where received files go; each is written aside and only named once verified.
 * A store and its sinks reject with an Error whose message says why in a few
 * words a person can act on ("disk full", "permission denied").
 */
export interface FileStore {
  /**
   * Bytes this store can resume file `id` from, 0 if none: those it kept from
   * an interrupted download, or took over from another client that left them
   * and is no longer writing them. Once taken, no other client can have them.
   */
  claimPartial(id: number): Promise<number>;
  /**
   * Opens a place for `file`'s bytes from `offset` on. With `offset` above 0 it
   * continues the bytes `claimPartial` found, which are fed to `hasher` first.
   */
  open(file: IncomingFile, offset: number, hasher: Hasher): Promise<FileSink>;
}

export interface FileSink {
  /** May be called again before earlier writes resolve; the data lands in call order. */
  write(data: Uint8Array): Promise<void>;
  /** Gives the verified file its final name; resolves with where it is. */
  commit(): Promise<string>;
  /** Keeps what arrived so far, for a later resume. */
  suspend(): Promise<void>;
  /** Deletes what arrived so far. */
  discard(): Promise<void>;
}

export interface FileSupport {
  hasher(): Hasher;
  /** Without a store the client declines every file it is offered, unless they are `fetchedElsewhere`. */
  store?: FileStore;
  /**
   * The server pushes this client no file data, as it gets files some other
   * way (a browser downloads them over HTTP): offers are neither taken nor
   * declined, only passed on as events.
   */
  fetchedElsewhere?: boolean;
}

/** How the transfer code reaches the connection: chunk frames as a ChunkLink, the rest enqueued. */
export interface TransferPort extends ChunkLink {
  /** Sends a control frame, in order with every other frame. */
  enqueue(message: ClientMessage): void;
}

export type TransferEvent =
  /** The server's uploads per client are under way: this file waits for one of them to be through. */
  | { type: "upload-queued"; name: string; size: number }
  | { type: "upload-progress"; id: number; name: string; sent: number; size: number }
  | {
      type: "download-started";
      id: number;
      from: string;
      name: string;
      size: number;
      offset: number;
    }
  | { type: "download-progress"; id: number; name: string; received: number; size: number }
  | { type: "download-saved"; id: number; name: string; path: string; size: number }
  | {
      type: "download-failed";
      id: number;
      name: string;
      reason: string;
      /** True when the sender or the server ended it; false when this client could not save it. */
      remote: boolean;
    }
  | { type: "download-interrupted"; id: number; name: string; received: number; size: number }
  /** This client stopped it (cancelDownloads) and deleted what had arrived. */
  | { type: "download-cancelled"; id: number; name: string; received: number; size: number };
