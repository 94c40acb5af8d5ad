// The spool on the local disk: a directory with one file per transfer, named
// by its id. Only an upload under way holds a descriptor: a finished file
// holds none however long it is kept, and each read opens it for itself.

import { type FileHandle, mkdir, open, readdir, rm, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
import { AppendQueue } from "../node/append-queue.js";
import type { DiskSpace, SpoolStorage, SpoolWriter } from "./spool.js";

/** The names this spool gives its files; anything else in the directory is not its own. */
const ID_NAME = /^[1-9][0-9]*$/;

export class DiskSpool implements SpoolStorage {
  readonly #dir: string;
  /** Writers not yet sealed, so that removing a file closes its descriptor first. */
  readonly #writers = new Map<number, DiskWriter>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
  }

  async create(id: number): Promise<SpoolWriter> {
    const handle = await open(this.#path(id), "wx");
    const writer = new DiskWriter(handle, () => this.#writers.delete(id));
    this.#writers.set(id, writer);
    return writer;
  }

  async read(id: number, offset: number, length: number): Promise<Uint8Array> {
    const handle = await open(this.#path(id), "r");
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new Error(`spool file ${id} ends before ${offset + length}`);
        filled += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }

  async remove(id: number): Promise<void> {
    await this.#writers.get(id)?.seal();
    await rm(this.#path(id), { force: true });
  }

  async list(): Promise<Map<number, number>> {
    const stored = new Map<number, number>();
    for (const entry of await readdir(this.#dir, { withFileTypes: true })) {
      if (!entry.isFile() || !ID_NAME.test(entry.name)) continue;
      // Gone meanwhile (removed by its expiry, say): then it is not stored.
      const size = await stat(join(this.#dir, entry.name)).then(
        (s) => s.size,
        () => undefined,
      );
      if (size !== undefined) stored.set(Number(entry.name), size);
    }
    return stored;
  }

  async space(): Promise<DiskSpace> {
    const stats = await statfs(this.#dir);
    return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
  }

  #path(id: number): string {
    return join(this.#dir, String(id));
  }
}

class DiskWriter implements SpoolWriter {
  /** Open while bytes may still be appended; undefined once sealed. */
  #open: { handle: FileHandle; appends: AppendQueue } | undefined;
  readonly #sealed: () => void;

  constructor(handle: FileHandle, sealed: () => void) {
    this.#open = { handle, appends: new AppendQueue(handle) };
    this.#sealed = sealed;
  }

  append(data: Uint8Array): Promise<void> {
    if (this.#open === undefined) return Promise.reject(new Error("the spool file is sealed"));
    return this.#open.appends.append(data);
  }

  flushed(): Promise<void> {
    return this.#open?.appends.flushed() ?? Promise.resolve();
  }

  async seal(): Promise<void> {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    this.#sealed();
    await open.appends.flushed().catch(() => {});
    await open.handle.close();
  }
}
