// Sends files as chunk frames over one connection: each file within the window
// its receiver granted, all of them only as fast as the connection takes them,
// in turn over those that can go on. The server gives each receiver one for
// its downloads, the client gives each upload its own. A file that must wait
// (for window, for data, for a verdict) costs the sender nothing: only files
// its owner says may go on (`ready`) are in line. Data is read through the
// owner a block at a time, and one block is held at once, so one read serves
// several chunks and a slow receiver costs a file position, not memory.

import { type Block, sliceBlock } from "./bytes.js";
import { FILE_CHUNK_BYTES } from "./frame.js";
import { fileChunkHeader } from "./messages.js";

/** Bytes read at once when a chunk is not in memory. */
export const READ_BLOCK_BYTES = 1024 * 1024;

/** What the sender keeps on each file it sends. */
export interface SentFile {
  /** The next byte to send. */
  offset: number;
  /** Bytes the receiver has room for: spent by the sender, added to by the owner's grants. */
  credit: number;
  /** In the sender's line of files that may go on. */
  queued: boolean;
}

/** The connection, as the sender writes to it. */
export interface ChunkLink {
  /** A chunk written now would wait behind at most one other. */
  bulkReady(): boolean;
  /** Writes a chunk frame's header and data, after everything sent before them, without joining them. */
  writeBulk(header: Uint8Array, data: Uint8Array): void;
}

/** What the sender asks of the files' owner. */
export interface ChunkFiles<F extends SentFile> {
  /** The transfer id in `file`'s frames. */
  id(file: F): number;
  /** Whether `file` is still to be sent: false once settled, cancelled or replaced. */
  live(file: F): boolean;
  /** How far `file` can be read now: its size, or as much as has arrived of an upload being relayed. */
  readable(file: F): number;
  /** Every byte of `file` is out: whether its end may go now (not sent yet, its hash known). */
  endable(file: F): boolean;
  /** Reads the `length` bytes of `file` at `offset`. */
  read(file: F, offset: number, length: number): Promise<Uint8Array>;
  /** Up to `length` bytes of `file` at `offset`, if they are in memory anyway: no read then. */
  recent?(file: F, offset: number, length: number): Uint8Array | undefined;
  /** Sends `file`'s end. */
  end(file: F): void;
  /** `data` went out as `file`'s next chunk. */
  sent?(file: F, data: Uint8Array): void;
  /** `file` can go no further for now and has left the line, until it is `ready` again. */
  paused?(file: F): void;
  /** `file` could not be read: it leaves the line, and its owner settles it. */
  unreadable(file: F, error: Error): void;
}

export interface ChunkSenderOptions<F extends SentFile> {
  /** "up" for the client's uploads, "down" for the server's downloads. */
  direction: "up" | "down";
  link: ChunkLink;
  files: ChunkFiles<F>;
  /**
   * Keeps a paused file's block for when it goes on. Without it the block goes
   * when the file pauses, so a receiver that stops reading holds no memory.
   */
  keepBlockWhilePaused?: boolean;
}

export class ChunkSender<F extends SentFile> {
  readonly #direction: "up" | "down";
  readonly #link: ChunkLink;
  readonly #files: ChunkFiles<F>;
  readonly #keepBlock: boolean;
  /** Files that may go on, in turn; some may have settled since they queued. */
  #line: F[] = [];
  #head = 0;
  /** The last block read, for the file it was read for. */
  #block: (Block & { file: F }) | undefined;
  #running = false;

  constructor(options: ChunkSenderOptions<F>) {
    this.#direction = options.direction;
    this.#link = options.link;
    this.#files = options.files;
    this.#keepBlock = options.keepBlockWhilePaused ?? false;
  }

  /** `file` may be able to go on now: data arrived, window was granted, its end may go. */
  ready(file: F): void {
    if (!file.queued && this.#files.live(file)) {
      file.queued = true;
      this.#line.push(file);
    }
    this.wake();
  }

  /** The connection may have room again. */
  wake(): void {
    if (!this.#running) void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#link.bulkReady()) {
        const file = this.#next();
        if (file === undefined) return;
        // Stays marked as queued while served, so a `ready` meanwhile does not queue it twice.
        const served = await this.#serve(file);
        if (served && this.#canGoOn(file)) this.#line.push(file);
        else this.#pause(file);
      }
    } finally {
      this.#running = false;
    }
  }

  /** The next file in line that can go on now. */
  #next(): F | undefined {
    while (this.#head < this.#line.length) {
      const file = this.#line[this.#head] as F;
      this.#head += 1;
      if (this.#canGoOn(file)) {
        this.#compact();
        return file;
      }
      file.queued = false;
    }
    this.#line = [];
    this.#head = 0;
    return undefined;
  }

  #canGoOn(file: F): boolean {
    const files = this.#files;
    if (!files.live(file)) return false;
    return file.offset < files.readable(file) ? file.credit > 0 : files.endable(file);
  }

  /** Sends `file` its next chunk, or its end; false if it could not be read. */
  async #serve(file: F): Promise<boolean> {
    const files = this.#files;
    const offset = file.offset;
    const readable = files.readable(file);
    if (offset >= readable) {
      files.end(file);
      return true;
    }
    const wanted = Math.min(FILE_CHUNK_BYTES, file.credit, readable - offset);
    let data =
      files.recent?.(file, offset, wanted) ??
      (this.#block?.file === file ? sliceBlock(this.#block, offset, wanted) : undefined);
    if (data === undefined) {
      try {
        const length = Math.min(READ_BLOCK_BYTES, readable - offset);
        this.#block = { file, offset, data: await files.read(file, offset, length) };
      } catch (error) {
        // One that is no longer live was settled by its owner meanwhile; otherwise it cannot go on.
        if (files.live(file)) files.unreadable(file, error as Error);
        return false;
      }
      // Settled, restarted or cut off while it was read: it tries again in turn.
      if (!files.live(file) || file.offset !== offset) return true;
      data = sliceBlock(this.#block, offset, wanted) as Uint8Array;
    }
    this.#link.writeBulk(
      fileChunkHeader(this.#direction, files.id(file), offset, data.length),
      data,
    );
    file.offset += data.length;
    file.credit -= data.length;
    files.sent?.(file, data);
    return true;
  }

  #pause(file: F): void {
    file.queued = false;
    if (!this.#keepBlock && this.#block?.file === file) this.#block = undefined;
    if (this.#files.live(file)) this.#files.paused?.(file);
  }

  /** Drops served entries once they are most of the line, so it never grows unbounded. */
  #compact(): void {
    if (this.#head > 64 && this.#head * 2 > this.#line.length) {
      this.#line = this.#line.slice(this.#head);
      this.#head = 0;
    }
  }
}
