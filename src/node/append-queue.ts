// Appends to a file in order, gathering whatever arrives while a write is under
// way into the next single writev: one system call per batch, not per chunk.
// After a failed write it writes nothing more: the file no longer holds what
// was appended in order, so every later append fails as that one did.

import type { FileHandle } from "node:fs/promises";

interface Pending {
  data: Uint8Array;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AppendQueue {
  readonly #handle: FileHandle;
  #position: number;
  #pending: Pending[] = [];
  #writing = false;
  #failure: Error | undefined;

  constructor(handle: FileHandle, position = 0) {
    this.#handle = handle;
    this.#position = position;
  }

  /** Resolves once `data`, and everything appended before it, is written. */
  append(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      this.#pending.push({ data, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  /** Resolves once everything appended so far is written (rejects if any of it failed). */
  flushed(): Promise<void> {
    return this.append(new Uint8Array(0));
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.#writeAll(batch.map((p) => p.data));
        for (const p of batch) p.resolve();
      } catch (error) {
        this.#failure = error as Error;
        for (const p of [...batch, ...this.#pending.splice(0)]) p.reject(this.#failure);
      }
    }
    this.#writing = false;
  }

  async #writeAll(buffers: Uint8Array[]): Promise<void> {
    const rest = buffers.filter((b) => b.length > 0);
    while (rest.length > 0) {
      const { bytesWritten } = await this.#handle.writev(rest, this.#position);
      this.#position += bytesWritten;
      // A short write leaves the tail of some buffer: continue from there.
      let skip = bytesWritten;
      while (rest.length > 0 && skip >= (rest[0] as Uint8Array).length) {
        skip -= (rest.shift() as Uint8Array).length;
      }
      if (skip > 0) rest[0] = (rest[0] as Uint8Array).subarray(skip);
    }
  }
}
