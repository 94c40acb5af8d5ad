// Field-level encoding of frame payloads: big-endian integers, f64 timestamps,
// and UTF-8 strings prefixed by their u32 byte length.

import { bytesAt, readU32 } from "./bytes.js";
import { ErrorCode, ProtocolError } from "./errors.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD } from "./frame.js";

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text instead of silently dropping it.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, rejecting invalid sequences instead of replacing them. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new ProtocolError(ErrorCode.InvalidUtf8, "text is not valid UTF-8", { cause });
  }
}

/** Builds one complete frame (header included) in a single allocation. */
export class FrameWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #offset = FRAME_HEADER_BYTES;
  readonly #type: number;

  constructor(type: number, sizeHint = 64) {
    this.#type = type;
    this.#bytes = new Uint8Array(FRAME_HEADER_BYTES + sizeHint);
    this.#view = new DataView(this.#bytes.buffer);
  }

  u8(value: number): this {
    this.#reserve(1);
    this.#view.setUint8(this.#offset, value);
    this.#offset += 1;
    return this;
  }

  u32(value: number): this {
    this.#reserve(4);
    this.#view.setUint32(this.#offset, value);
    this.#offset += 4;
    return this;
  }

  f64(value: number): this {
    this.#reserve(8);
    this.#view.setFloat64(this.#offset, value);
    this.#offset += 8;
    return this;
  }

  str(value: string): this {
    // Most text is ASCII: room for one byte per code unit usually suffices, and
    // only text that does not fit pays for the worst case of three.
    this.#reserve(4 + value.length);
    let { read, written } = utf8Encoder.encodeInto(value, this.#bytes.subarray(this.#offset + 4));
    if (read < value.length) {
      this.#reserve(4 + value.length * 3);
      ({ read, written } = utf8Encoder.encodeInto(value, this.#bytes.subarray(this.#offset + 4)));
    }
    this.#view.setUint32(this.#offset, written);
    this.#offset += 4 + written;
    return this;
  }

  /** Raw bytes with no length prefix: fixed-size fields, or the last field of a frame. */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#offset);
    this.#offset += bytes.length;
    return this;
  }

  finish(): Uint8Array {
    const payloadLength = this.#offset - FRAME_HEADER_BYTES;
    if (payloadLength > MAX_FRAME_PAYLOAD) {
      throw new ProtocolError(
        ErrorCode.FrameTooLarge,
        `frame payload of ${payloadLength} bytes exceeds ${MAX_FRAME_PAYLOAD}`,
      );
    }
    this.#view.setUint32(0, payloadLength);
    this.#view.setUint8(4, this.#type);
    return this.#bytes.subarray(0, this.#offset);
  }

  #reserve(extra: number): void {
    const needed = this.#offset + extra;
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#offset));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }
}

/**
 * Nicknames decoded lately, by a hash of their bytes: the same few names head
 * every message in a busy room, and matching their bytes costs far less than
 * decoding them again.
 */
const NAME_CACHE_SLOTS = 256;
const MAX_CACHED_NAME_BYTES = 32;
const nameCache: ({ bytes: Uint8Array; text: string } | undefined)[] = new Array(NAME_CACHE_SLOTS);

/** Scratch space for reading a float without a DataView per payload. */
const f64Bytes = new Uint8Array(8);
const f64View = new DataView(f64Bytes.buffer);

/** Reads fields from one frame payload; any overrun is a malformed frame. */
export class PayloadReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(payload: Uint8Array) {
    this.#bytes = payload;
  }

  u8(): number {
    this.#need(1);
    const value = this.#bytes[this.#offset] as number;
    this.#offset += 1;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = readU32(this.#bytes, this.#offset);
    this.#offset += 4;
    return value;
  }

  f64(): number {
    this.#need(8);
    const b = this.#bytes;
    const at = this.#offset;
    // Byte by byte: a subarray to copy from would be an allocation per field.
    for (let i = 0; i < 8; i++) f64Bytes[i] = b[at + i] as number;
    this.#offset += 8;
    return f64View.getFloat64(0);
  }

  /** Exactly `count` bytes, as a view into the payload. */
  raw(count: number): Uint8Array {
    this.#need(count);
    const bytes = this.#bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return bytes;
  }

  /** Bytes not read yet: a field appended by a later version is read only if it is there. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Everything left in the payload, as a view. */
  rest(): Uint8Array {
    const bytes = this.#bytes.subarray(this.#offset);
    this.#offset = this.#bytes.length;
    return bytes;
  }

  str(): string {
    return this.#text(this.u32());
  }

  /** A string that recurs, such as a nickname: as `str`, through a small cache. */
  name(): string {
    const length = this.u32();
    if (length === 0 || length > MAX_CACHED_NAME_BYTES) return this.#text(length);
    this.#need(length);
    const b = this.#bytes;
    const start = this.#offset;
    let hash = length;
    for (let i = start; i < start + length; i++)
      hash = (Math.imul(hash, 31) + (b[i] as number)) | 0;
    const slot = hash & (NAME_CACHE_SLOTS - 1);
    const cached = nameCache[slot];
    this.#offset += length;
    if (cached !== undefined && cached.bytes.length === length && bytesAt(b, start, cached.bytes)) {
      return cached.text;
    }
    const bytes = b.slice(start, start + length);
    const text = decodeUtf8(bytes);
    nameCache[slot] = { bytes, text };
    return text;
  }

  /** The next `length` bytes as UTF-8 text. */
  #text(length: number): string {
    if (length === 0) return "";
    this.#need(length);
    const text = decodeUtf8(this.#bytes.subarray(this.#offset, this.#offset + length));
    this.#offset += length;
    return text;
  }

  #need(count: number): void {
    if (this.#offset + count > this.#bytes.length) {
      throw new ProtocolError(
        ErrorCode.Malformed,
        `frame payload ends early: needed ${count} more bytes at offset ${this.#offset}`,
      );
    }
  }
}
