// Finds an end marker in a byte stream cut at arbitrary points, the way the
// original chat ends an uploaded file: the bytes before the marker are the
// file, the bytes after it are what follows. No I/O; it holds back at most the
// marker's length less one, the bytes that may be the start of a marker still
// arriving, so it never copies the stream.

import { bytesAt, concatBytes, indexOfBytes } from "./bytes.js";

export interface Scanned {
  /** Bytes before the marker, settled: they can no longer be part of it. */
  data: Uint8Array[];
  /** Once the marker has been found: the bytes that followed it in this chunk. */
  rest?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export class MarkerScanner {
  readonly #marker: Uint8Array;
  /** The end of the stream so far that could begin the marker. */
  #held: Uint8Array = EMPTY;

  constructor(marker: Uint8Array) {
    this.#marker = marker;
  }

  /** The bytes held back, for a stream that ends without its marker. */
  get held(): Uint8Array {
    return this.#held;
  }

  push(chunk: Uint8Array): Scanned {
    const marker = this.#marker;
    const held = this.#held;
    this.#held = EMPTY;
    const data: Uint8Array[] = [];
    const keep = (piece: Uint8Array) => {
      if (piece.length > 0) data.push(piece);
    };
    if (held.length > 0) {
      // Too short to hold a marker itself, the start of `chunk` can only finish one begun before.
      const edge = concatBytes([held, chunk.subarray(0, marker.length - 1)]);
      const at = indexOfBytes(edge, marker);
      if (at >= 0) {
        keep(held.subarray(0, at));
        return { data, rest: chunk.subarray(at + marker.length - held.length) };
      }
    }
    const at = indexOfBytes(chunk, marker);
    if (at >= 0) {
      keep(held);
      keep(chunk.subarray(0, at));
      return { data, rest: chunk.subarray(at + marker.length) };
    }
    // A proper prefix of the marker is shorter than it: one at the end of a long
    // chunk lies within the chunk; a short chunk may continue one held before.
    const stream = chunk.length >= marker.length - 1 ? chunk : concatBytes([held, chunk]);
    if (stream === chunk) keep(held);
    const begun = begunMarker(stream, marker);
    keep(stream.subarray(0, stream.length - begun));
    this.#held = stream.slice(stream.length - begun);
    return { data };
  }
}

/** The length of the longest end of `bytes` that is the start of `marker` (and not all of it). */
function begunMarker(bytes: Uint8Array, marker: Uint8Array): number {
  for (let length = Math.min(marker.length - 1, bytes.length); length > 0; length--) {
    if (bytesAt(bytes, bytes.length - length, marker.subarray(0, length))) return length;
  }
  return 0;
}
