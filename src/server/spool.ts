// One spooled file on the server's disk: appended in order as the sender's
// bytes arrive, read at any offset by receivers at their own pace.

import { type FileHandle, mkdir, open, readdir, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { AppendQueue } from "../node/append-queue.js";

export class Spool {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #appends: AppendQueue;
  #closed = false;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
    this.#appends = new AppendQueue(handle);
  }

  static async create(dir: string, name: string): Promise<Spool> {
    const path = join(dir, name);
    return new Spool(path, await open(path, "w+"));
  }

  /** Queues `data` after everything appended before; resolves once it is written. */
  append(data: Uint8Array): Promise<void> {
    return this.#appends.append(data);
  }

  /** Resolves when every append so far is on disk (or rejects with the first failure). */
  flushed(): Promise<void> {
    return this.#appends.flushed();
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.#handle.read(
        buffer,
        filled,
        length - filled,
        offset + filled,
      );
      if (bytesRead === 0) throw new Error(`spool ${this.path} ends before ${offset + length}`);
      filled += bytesRead;
    }
    return buffer;
  }

  /** Deletes the file; readers holding it open may finish, as the handle stays valid. */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flushed().catch(() => {});
    await this.#handle.close();
  }
}

/** Creates the spool directory and clears files left by an earlier run. */
export async function prepareSpoolDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir))
    await rm(join(dir, entry), { force: true, recursive: true });
}

export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}
