// The chat port's first-bytes classification, fuzzed with a seeded generator:
// mutated ClientHellos, request lines, native handshakes, chat lines and noise,
// cut into reads at random. Whatever the bytes, the verdict never depends on
// how they were cut, every byte seen is handed on, and no input keeps the
// connection undecided past the longest preamble a kind may wait for.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handshakeBytes } from "../../src/protocol/frame.js";
import type { Codec } from "../../src/transport/codec.js";
import {
  type CodecRegistry,
  Preamble,
  type Recognition,
} from "../../src/transport/codec-registry.js";
import { recogniseHttp } from "../../src/transport/http-kind.js";
import { nativeCodecKind } from "../../src/transport/native-codec.js";
import { recogniseTls } from "../../src/transport/tls-kind.js";
import { Random } from "../helpers/random.js";

const unused = (): Codec => {
  throw new Error("not made here");
};
const named = (name: string, recognise: (bytes: Uint8Array) => Recognition) => ({
  name,
  recognise,
  create: unused,
});

/** The chat port's kinds in the server's order, and its fallback. */
const REGISTRY: CodecRegistry = {
  kinds: [
    named("tls", recogniseTls),
    named("http", recogniseHttp),
    named("native", nativeCodecKind.recognise),
  ],
  fallback: { name: "text", create: unused } as { name: string; create: () => Codec },
};
/** An HTTP request line may take 8 KiB before the kind gives up on it. */
const LONGEST_WAIT = 8192 + 1;

const encoder = new TextEncoder();
const SEEDS = [
  Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03),
  encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n\r\n"),
  encoder.encode("HEAD /files/7/photo.jpg HTTP/1.0\r\n\r\n"),
  encoder.encode("GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
  encoder.encode("GET me a coffee\n"),
  encoder.encode("hello everyone\r\n"),
  encoder.encode("SEND See-Saw.mp3\n"),
  handshakeBytes(),
  encoder.encode(`GET /${"a".repeat(9000)} HTTP/1.1\r\n`),
  new Uint8Array(0),
];

function mutate(r: Random, seed: Uint8Array): Uint8Array {
  const bytes = [...seed];
  for (let n = r.int(4); n > 0; n--) {
    const at = r.int(bytes.length + 1);
    switch (r.int(4)) {
      case 0:
        bytes.splice(at, 1);
        break;
      case 1:
        bytes.splice(at, 0, r.int(256));
        break;
      case 2:
        if (at < bytes.length) bytes[at] = r.pick([0x0a, 0x0d, 0x16, 0x03, 0x20, r.int(256)]);
        break;
      default:
        bytes.length = Math.min(bytes.length, at);
    }
  }
  if (r.int(5) === 0) bytes.push(...r.bytes(r.int(64)));
  return Uint8Array.from(bytes);
}

function cut(r: Random, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = r.pick([1, 2, 3, 7, r.int(64) + 1, bytes.length]);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** The kind named, the bytes handed on and the reads it took, once they decide; undefined while they do not. */
function classify(
  chunks: readonly Uint8Array[],
): { kind: string; bytes: number[]; reads: number } | undefined {
  const preamble = new Preamble(REGISTRY);
  for (const [i, chunk] of chunks.entries()) {
    const verdict = preamble.push(chunk);
    if (verdict !== undefined) {
      const kind = (verdict.kind as unknown as { name: string }).name;
      return { kind, bytes: [...verdict.bytes], reads: i + 1 };
    }
  }
  return undefined;
}

describe("the chat port's classification, fuzzed (seeded)", () => {
  it("decides the same however the reads are cut, hands on every byte seen, and never waits long", () => {
    const r = new Random(0x5eed_0013);
    for (let round = 0; round < 2500; round++) {
      const bytes = mutate(r, r.pick(SEEDS));
      const context = `round ${round}: ${JSON.stringify([...bytes.subarray(0, 48)])}`;
      // Byte by byte: the verdict of the shortest prefix that decides.
      const reference = classify(Array.from(bytes, (byte) => Uint8Array.of(byte)));
      const chunks = cut(r, bytes);
      const cutAnyhow = classify(chunks);
      assert.equal(cutAnyhow?.kind, reference?.kind, context);
      if (cutAnyhow !== undefined) {
        const seen = chunks.slice(0, cutAnyhow.reads).flatMap((chunk) => [...chunk]);
        assert.deepEqual(cutAnyhow.bytes, seen, context);
      }
      if (bytes.length >= LONGEST_WAIT) assert.notEqual(reference, undefined, context);
      // TLS is told by its record header alone, and nothing else is taken for it.
      if (reference !== undefined) {
        assert.equal(reference.kind === "tls", bytes[0] === 0x16 && bytes[1] === 0x03, context);
      }
    }
  });
});
