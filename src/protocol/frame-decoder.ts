// Incremental frame parser: a state machine that accepts bytes split or
// coalesced in any way across reads, and does no I/O of its own.

import { ErrorCode, ProtocolError } from "./errors.js";
import { FRAME_HEADER_BYTES, type Frame, MAX_FRAME_PAYLOAD } from "./frame.js";

export class FrameDecoder {
  readonly #maxPayload: number;
  #chunks: Uint8Array[] = [];
  #headOffset = 0;
  #buffered = 0;
  /** Payload length and type of the frame whose header has been read, if any. */
  #pendingLength = -1;
  #pendingType = 0;

  constructor(maxPayload: number = MAX_FRAME_PAYLOAD) {
    this.#maxPayload = maxPayload;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Feeds bytes and calls `onFrame` for each complete frame, in order.
   * Throws a fatal ProtocolError when a header announces an oversize frame.
   */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#pendingLength < 0) {
        if (this.#buffered < FRAME_HEADER_BYTES) return;
        const header = this.#take(FRAME_HEADER_BYTES);
        const view = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES);
        const payloadLength = view.getUint32(0);
        if (payloadLength > this.#maxPayload) {
          throw new ProtocolError(
            ErrorCode.FrameTooLarge,
            `frame announces ${payloadLength} bytes; the limit is ${this.#maxPayload}`,
            { fatal: true },
          );
        }
        this.#pendingLength = payloadLength;
        this.#pendingType = view.getUint8(4);
      }
      if (this.#buffered < this.#pendingLength) return;
      const payload = this.#take(this.#pendingLength);
      const type = this.#pendingType;
      this.#pendingLength = -1;
      onFrame({ type, payload });
    }
  }

  /** Removes `count` buffered bytes: a view when they sit in one chunk, a copy otherwise. */
  #take(count: number): Uint8Array {
    const head = this.#chunks[0];
    if (head === undefined || count === 0) return new Uint8Array(0);
    const inHead = head.length - this.#headOffset;
    let out: Uint8Array;
    if (inHead >= count) {
      out = head.subarray(this.#headOffset, this.#headOffset + count);
      this.#advance(count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      while (filled < count) {
        const chunk = this.#chunks[0] as Uint8Array;
        const piece = chunk.subarray(this.#headOffset, this.#headOffset + (count - filled));
        out.set(piece, filled);
        filled += piece.length;
        this.#advance(piece.length);
      }
    }
    return out;
  }

  #advance(count: number): void {
    this.#buffered -= count;
    this.#headOffset += count;
    const head = this.#chunks[0];
    if (head !== undefined && this.#headOffset === head.length) {
      this.#chunks.shift();
      this.#headOffset = 0;
    }
  }
}
