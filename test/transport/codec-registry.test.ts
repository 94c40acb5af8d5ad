// Telling a connection's codec from its first bytes: the registry asked in
// order, and the native kind's own preamble, cut across reads in every way.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handshakeBytes, MAGIC } from "../../src/protocol/frame.js";
import type { Codec } from "../../src/transport/codec.js";
import {
  type CodecFactory,
  type CodecKind,
  type CodecRegistry,
  Preamble,
  type Recognition,
} from "../../src/transport/codec-registry.js";
import { nativeCodecKind } from "../../src/transport/native-codec.js";

const unused = (): Codec => {
  throw new Error("not made here");
};

/** A kind that judges by how many bytes it has seen. */
function kind(judge: (length: number) => Recognition): CodecKind {
  return { recognise: (bytes) => judge(bytes.length), create: unused };
}

const fallback: CodecFactory = { create: unused };

function pushAll(registry: CodecRegistry, chunks: readonly Uint8Array[]) {
  const preamble = new Preamble(registry);
  const verdicts = chunks.map((chunk) => preamble.push(chunk));
  return { last: verdicts.at(-1), undecided: verdicts.slice(0, -1) };
}

describe("Preamble", () => {
  it("gives the connection to the first kind that claims it", () => {
    const mine = kind(() => "mine");
    const registry = { kinds: [kind(() => "not mine"), mine, kind(() => "mine")], fallback };
    assert.equal(pushAll(registry, [Uint8Array.of(1)]).last?.kind, mine);
  });

  it("waits for an earlier kind that needs more, though a later one would claim it", () => {
    const later = kind(() => "mine");
    const registry = {
      kinds: [kind((n) => (n < 3 ? "need more" : "not mine")), later],
      fallback,
    };
    const { last, undecided } = pushAll(registry, [Uint8Array.of(1), Uint8Array.of(2, 3)]);
    assert.deepEqual(undecided, [undefined]);
    assert.equal(last?.kind, later);
  });

  it("falls back when every kind says not mine", () => {
    const registry = { kinds: [kind(() => "not mine"), kind(() => "not mine")], fallback };
    assert.equal(pushAll(registry, [Uint8Array.of(1)]).last?.kind, fallback);
    assert.equal(pushAll({ kinds: [], fallback }, [Uint8Array.of(1)]).last?.kind, fallback);
  });

  it("hands on every byte seen, however the reads were cut", () => {
    const registry = { kinds: [kind((n) => (n < 5 ? "need more" : "mine"))], fallback };
    const bytes = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    for (let i = 1; i < 5; i++) {
      const { last } = pushAll(registry, [bytes.subarray(0, i), bytes.subarray(i)]);
      assert.deepEqual(last?.bytes, bytes, `cut at ${i}`);
    }
  });

  it("keeps a copy of what it holds, so the reader may reuse its buffer", () => {
    const registry = { kinds: [kind((n) => (n < 2 ? "need more" : "mine"))], fallback };
    const preamble = new Preamble(registry);
    const first = Uint8Array.of(1);
    preamble.push(first);
    first[0] = 9;
    assert.deepEqual(preamble.push(Uint8Array.of(2))?.bytes, Uint8Array.of(1, 2));
  });
});

describe("nativeCodecKind", () => {
  const native = { kinds: [nativeCodecKind], fallback };

  it("claims the magic and a version byte, split over reads anywhere", () => {
    const handshake = Uint8Array.from([...handshakeBytes(), 0, 0, 0, 0, 6]);
    for (let i = 1; i < 9; i++) {
      for (let j = i; j <= handshake.length; j++) {
        const chunks = [handshake.subarray(0, i), handshake.subarray(i, j), handshake.subarray(j)];
        const preamble = new Preamble(native);
        const verdicts = chunks.map((chunk) => preamble.push(chunk)?.kind);
        const claimedAt = verdicts.findIndex((codec) => codec !== undefined);
        assert.equal(verdicts[claimedAt], nativeCodecKind, `cut at ${i} and ${j}`);
        // Not before the version byte is in.
        assert.equal(claimedAt, j >= 9 ? 1 : 2, `cut at ${i} and ${j}`);
      }
    }
  });

  it("claims any version, for the codec to refuse", () => {
    assert.equal(nativeCodecKind.recognise(handshakeBytes(2)), "mine");
  });

  it("gives up at the first byte that differs from the magic", () => {
    for (let i = 0; i < MAGIC.length; i++) {
      const bytes = MAGIC.slice(0, i + 1);
      bytes[i] = (bytes[i] as number) ^ 0x01;
      assert.equal(nativeCodecKind.recognise(bytes), "not mine", `byte ${i}`);
      assert.equal(pushAll(native, [bytes]).last?.kind, fallback, `byte ${i}`);
    }
    assert.equal(nativeCodecKind.recognise(new TextEncoder().encode("hello\n")), "not mine");
  });

  it("needs more while the bytes so far are the start of the magic", () => {
    for (let n = 0; n <= MAGIC.length; n++)
      assert.equal(nativeCodecKind.recognise(MAGIC.subarray(0, n)), "need more", `${n} bytes`);
  });
});
