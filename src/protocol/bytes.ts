// Byte helpers that work the same in Node and in the browser.

/** `chunks` as one array (the one chunk itself if there is only one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Index of `needle` in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (
    let i = haystack.indexOf(first ?? 0);
    i >= 0 && i + needle.length <= haystack.length;
    i = haystack.indexOf(first ?? 0, i + 1)
  ) {
    if (bytesAt(haystack, i, needle)) return i;
  }
  return -1;
}

/** Whether `bytes` holds exactly the bytes of `expected`, starting at `at`. */
export function bytesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  if (at < 0 || at + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** A run of bytes of a larger whole, starting at `offset` in it. */
export interface Block {
  offset: number;
  data: Uint8Array;
}

/** Up to `length` bytes from `offset` if `block` holds that offset, as a view. */
export function sliceBlock(
  block: Block | undefined,
  offset: number,
  length: number,
): Uint8Array | undefined {
  if (block === undefined) return undefined;
  const start = offset - block.offset;
  if (start < 0 || start >= block.data.length) return undefined;
  return block.data.subarray(start, Math.min(block.data.length, start + length));
}

/** The big-endian u32 at `at`; the caller has checked that four bytes are there. */
export function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number))
  );
}
