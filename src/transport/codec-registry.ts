// Which codec a byte-stream connection speaks, told from its first bytes. Each
// codec kind recognises its own preamble; the registry asks them in order, and
// bytes that none claims speak the fallback. No I/O here: the connection feeds
// in what it reads and acts on the verdict.

import type { Duplex } from "node:stream";
import { concatBytes } from "../protocol/bytes.js";
import type { Codec } from "./codec.js";

/** What a codec kind makes of the bytes a connection has sent so far. */
export type Recognition = "mine" | "not mine" | "need more";

export interface CodecFactory {
  create(): Codec;
}

export interface CodecKind extends CodecFactory {
  /**
   * Judges every byte received so far: the same prefix, longer on each call.
   * Those bytes are held until a kind decides, so "need more" must turn into a
   * verdict within a few of them.
   */
  recognise(firstBytes: Uint8Array): Recognition;
}

/** What takes a stream that is no chat connection over, whole. */
export interface HandOff {
  /** Takes `stream` over; `firstBytes` were read from it already (none when silence decided). */
  take(stream: Duplex, firstBytes: Uint8Array): void;
}

/**
 * A kind of peer that is no chat connection: its stream is handed over whole
 * to what serves it. HTTP is one (the page, its WebSocket, file downloads);
 * TLS another, handing the stream to a TLS socket whose decrypted stream is
 * classified afresh.
 */
export interface HandOffKind extends HandOff {
  recognise(firstBytes: Uint8Array): Recognition;
}

export interface CodecRegistry {
  /** Asked in order: the first that does not say "not mine" decides, so a kind that needs more is waited for. */
  readonly kinds: readonly (CodecKind | HandOffKind)[];
  /**
   * Spoken when every kind says "not mine", and provisionally by a peer that
   * stays silent; or, as a hand-off, given all such peers outright (a port
   * that refuses plaintext tells them so).
   */
  readonly fallback: CodecFactory | HandOff;
}

export interface Classified {
  readonly kind: CodecFactory | HandOff;
  /** Every byte seen, for the chosen codec (or the taker) to read from the start. */
  readonly bytes: Uint8Array;
}

export function isHandOff(kind: CodecFactory | HandOff): kind is HandOff {
  return "take" in kind;
}

/** A connection's first bytes, gathered until the registry can tell what they speak. */
export class Preamble {
  readonly #codecs: CodecRegistry;
  #seen: Uint8Array = new Uint8Array(0);

  constructor(codecs: CodecRegistry) {
    this.#codecs = codecs;
  }

  /** The bytes held while no kind has decided. */
  get held(): Uint8Array {
    return this.#seen;
  }

  /** Adds `chunk`; undefined while no kind has decided. */
  push(chunk: Uint8Array): Classified | undefined {
    const seen = this.#seen.length === 0 ? chunk : concatBytes([this.#seen, chunk]);
    const kind = classify(this.#codecs, seen);
    if (kind !== undefined) return { kind, bytes: seen };
    // Usually the first read decides, and its bytes are decoded in place; only kept ones are copied.
    this.#seen = seen === chunk ? chunk.slice() : seen;
    return undefined;
  }
}

function classify(
  codecs: CodecRegistry,
  firstBytes: Uint8Array,
): CodecFactory | HandOff | undefined {
  for (const kind of codecs.kinds) {
    const recognition = kind.recognise(firstBytes);
    if (recognition === "mine") return kind;
    if (recognition === "need more") return undefined;
  }
  return codecs.fallback;
}
