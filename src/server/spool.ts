// One spooled file on the server's disk: appended in order as the sender's
// bytes arrive, read at any offset by receivers at their own pace. Only the
// upload holds a descriptor, and only while it is under way: a finished file
// holds none however long it is kept, and each read opens it for itself.

import { type FileHandle, mkdir, open, readdir, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { AppendQueue } from "../node/append-queue.js";

export class Spool {
  readonly path: string;
  /** Open while bytes may still be appended; undefined once sealed or removed. */
  #writer: { handle: FileHandle; appends: AppendQueue } | undefined;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#writer = { handle, appends: new AppendQueue(handle) };
  }

  /** Creates the file, never replacing one. */
  static async create(dir: string, name: string): Promise<Spool> {
    const path = join(dir, name);
    return new Spool(path, await open(path, "wx"));
  }

  /** Queues `data` after everything appended before; resolves once it is written. */
  append(data: Uint8Array): Promise<void> {
    if (this.#writer === undefined) return Promise.reject(new Error(`${this.path} is sealed`));
    return this.#writer.appends.append(data);
  }

  /** Resolves when every append so far is on disk (or rejects with the first failure). */
  flushed(): Promise<void> {
    return this.#writer?.appends.flushed() ?? Promise.resolve();
  }

  /** Every byte is in: lets go of the descriptor once they are on disk. */
  async seal(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    if (writer === undefined) return;
    await writer.appends.flushed().catch(() => {});
    await writer.handle.close();
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const handle = await open(this.path, "r");
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new Error(`spool ${this.path} ends before ${offset + length}`);
        filled += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /** Deletes the file, first letting go of its descriptor if the upload still held it. */
  async remove(): Promise<void> {
    await this.seal();
    await rm(this.path, { force: true });
  }
}

/** Creates the spool directory and clears files left by an earlier run. */
export async function prepareSpoolDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir))
    await rm(join(dir, entry), { force: true, recursive: true });
}

export interface DiskSpace {
  /** Bytes an unprivileged process may still write. */
  free: number;
  /** The file system's size. */
  total: number;
}

export async function diskSpace(dir: string): Promise<DiskSpace> {
  const stats = await statfs(dir);
  return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
}
