// How much to read from a socket at once. Node reads 64 KiB at a time, so a
// 1 GiB download costs 16,384 reads, callbacks and copies of frames that span
// them. Reads that fill their buffer double the next one, up to 1 MiB; reads
// that use under a quarter of it halve it again, so a chat connection keeps
// small buffers (a frame handed on as a view keeps its whole read alive).

export const MIN_READ_BYTES = 64 * 1024;
export const MAX_READ_BYTES = 1024 * 1024;

export class ReadSizes {
  #size = MIN_READ_BYTES;

  /** Bytes to offer the next read. */
  get next(): number {
    return this.#size;
  }

  /** A read of `offered` bytes returned `got`. */
  observe(got: number, offered: number): void {
    if (got >= offered) this.#size = Math.min(offered * 2, MAX_READ_BYTES);
    else if (got < offered / 4) this.#size = Math.max(offered / 2, MIN_READ_BYTES);
  }
}
