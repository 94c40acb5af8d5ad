// Incremental frame parser: a state machine that accepts bytes split or
// coalesced in any way across reads, and does no I/O of its own. A frame that
// sits inside one read is handed out as a view of it; one that spans reads is
// assembled in a buffer of its announced size, so memory stays O(frame size)
// however finely a peer drips its bytes.

import { readU32 } from "./bytes.js";
import { ErrorCode, ProtocolError } from "./errors.js";
import { FRAME_HEADER_BYTES, type Frame, MAX_FRAME_PAYLOAD } from "./frame.js";

export interface FrameDecoderOptions {
  maxPayload?: number;
  /**
   * Makes the buffer a spanning frame is assembled in. The default zero-fills
   * it, which is wasted work since every byte is overwritten: hosts that can
   * allocate without that (Node's Buffer.allocUnsafe) pass their own.
   */
  allocate?: (length: number) => Uint8Array;
}

export class FrameDecoder {
  #maxPayload: number;
  readonly #allocate: (length: number) => Uint8Array;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** Payload length and type of the frame whose header has been read, or -1. */
  #pendingLength = -1;
  #pendingType = 0;
  #assembly: Uint8Array | undefined;
  #assemblyFill = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxPayload = options.maxPayload ?? MAX_FRAME_PAYLOAD;
    this.#allocate = options.allocate ?? ((length) => new Uint8Array(length));
  }

  /** The largest payload a header may announce from now on (the next frame's is checked against it). */
  set maxPayload(bytes: number) {
    this.#maxPayload = bytes;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.#pendingLength < 0 ? this.#headerFill : FRAME_HEADER_BYTES + this.#assemblyFill;
  }

  /**
   * Feeds bytes and calls `onFrame` for each complete frame, in order.
   * Throws a fatal ProtocolError when a header announces an oversize frame.
   */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#pendingLength < 0) {
        if (this.#headerFill === 0 && chunk.length - offset >= FRAME_HEADER_BYTES) {
          // The usual case, a whole header in this read: read it in place.
          this.#startFrame(readU32(chunk, offset), chunk[offset + 4] as number);
          offset += FRAME_HEADER_BYTES;
        } else {
          while (this.#headerFill < FRAME_HEADER_BYTES && offset < chunk.length) {
            this.#header[this.#headerFill++] = chunk[offset++] as number;
          }
          if (this.#headerFill < FRAME_HEADER_BYTES) return;
          this.#startFrame(readU32(this.#header, 0), this.#header[4] as number);
        }
      }
      const length = this.#pendingLength;
      const available = chunk.length - offset;
      if (this.#assembly === undefined && available >= length) {
        const payload = chunk.subarray(offset, offset + length);
        offset += length;
        this.#finishFrame(payload, onFrame);
        continue;
      }
      this.#assembly ??= this.#allocate(length);
      const take = Math.min(length - this.#assemblyFill, available);
      this.#assembly.set(chunk.subarray(offset, offset + take), this.#assemblyFill);
      this.#assemblyFill += take;
      offset += take;
      if (this.#assemblyFill < length) return;
      this.#finishFrame(this.#assembly, onFrame);
    }
  }

  #startFrame(length: number, type: number): void {
    if (length > this.#maxPayload) {
      throw new ProtocolError(
        ErrorCode.FrameTooLarge,
        `frame announces ${length} bytes; the limit is ${this.#maxPayload}`,
        { fatal: true },
      );
    }
    this.#pendingLength = length;
    this.#pendingType = type;
  }

  #finishFrame(payload: Uint8Array, onFrame: (frame: Frame) => void): void {
    const type = this.#pendingType;
    this.#pendingLength = -1;
    this.#headerFill = 0;
    this.#assembly = undefined;
    this.#assemblyFill = 0;
    onFrame({ type, payload });
  }
}
