// Which codec a byte-stream connection speaks, told from its first bytes. Each
// codec kind recognises its own preamble; the registry asks them in order, and
// bytes that none claims speak the fallback. No I/O here: the connection feeds
// in what it reads and acts on the verdict.

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

// Kinds to come fit as they are: HTTP recognises "GET ", "HEAD " and the like,
// and its codec answers the request or upgrades to WebSocket. TLS would be a
// wrapping entry: it recognises a ClientHello (0x16 0x03) but makes no codec;
// the connection hands its stream, the bytes seen included, to a TLS socket and
// classifies the decrypted stream afresh, with a registry of its own.
export interface CodecRegistry {
  /** Asked in order: the first that does not say "not mine" decides, so a kind that needs more is waited for. */
  readonly kinds: readonly CodecKind[];
  /** Spoken when every kind says "not mine", and provisionally by a peer that stays silent. */
  readonly fallback: CodecFactory;
}

export interface Classified {
  readonly codec: CodecFactory;
  /** Every byte seen, for the chosen codec to decode from the start. */
  readonly bytes: Uint8Array;
}

/** A connection's first bytes, gathered until the registry can tell what they speak. */
export class Preamble {
  readonly #codecs: CodecRegistry;
  #seen: Uint8Array = new Uint8Array(0);

  constructor(codecs: CodecRegistry) {
    this.#codecs = codecs;
  }

  /** Adds `chunk`; undefined while no kind has decided. */
  push(chunk: Uint8Array): Classified | undefined {
    const seen = this.#seen.length === 0 ? chunk : concatBytes([this.#seen, chunk]);
    const codec = classify(this.#codecs, seen);
    if (codec !== undefined) return { codec, bytes: seen };
    // Usually the first read decides, and its bytes are decoded in place; only kept ones are copied.
    this.#seen = seen === chunk ? chunk.slice() : seen;
    return undefined;
  }
}

function classify(codecs: CodecRegistry, firstBytes: Uint8Array): CodecFactory | undefined {
  for (const kind of codecs.kinds) {
    const recognition = kind.recognise(firstBytes);
    if (recognition === "mine") return kind;
    if (recognition === "need more") return undefined;
  }
  return codecs.fallback;
}
