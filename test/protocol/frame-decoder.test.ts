import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import { type Frame, FrameType, MAX_FRAME_PAYLOAD } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import { encodeClientMessage } from "../../src/protocol/messages.js";

/** Bytes from a hex string; spaces are ignored ("00 00 00 01 02 ff"). */
function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  assert.equal(digits.length % 2, 0, `odd hex string ${text}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** A plain, comparable copy of a frame (payloads may be views into input chunks). */
type Plain = { type: number; payload: number[] };
const plain = (f: Frame): Plain => ({ type: f.type, payload: [...f.payload] });

function frameBytes(type: number, payload: Uint8Array | number[]): Uint8Array {
  const body = Uint8Array.from(payload);
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out[4] = type;
  out.set(body, 5);
  return out;
}

/** Feeds the chunks in order to one decoder and returns every frame it emitted. */
function decodeChunks(chunks: Uint8Array[], decoder = new FrameDecoder()): Plain[] {
  const frames: Plain[] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push(plain(f)));
  return frames;
}

function assertTooLarge(fn: () => void): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode.FrameTooLarge);
    assert.equal(error.fatal, true);
    return true;
  });
}

// "hi!" as a Say-type frame: length 3, type 0x02.
const HI = hex("00 00 00 03 02 68 69 21");
// An empty Who-type frame: length 0, type 0x06.
const EMPTY = hex("00 00 00 00 06");
// A ping with token 0x01020304.
const PING = hex("00 00 00 04 10 01 02 03 04");
const STREAM = concat(HI, EMPTY, PING);
const STREAM_FRAMES: Plain[] = [
  { type: 0x02, payload: [0x68, 0x69, 0x21] },
  { type: 0x06, payload: [] },
  { type: 0x10, payload: [1, 2, 3, 4] },
];

describe("FrameDecoder", () => {
  it("decodes a frame given as hex", () => {
    assert.deepEqual(decodeChunks([HI]), [{ type: 0x02, payload: [0x68, 0x69, 0x21] }]);
  });

  it("decodes the frames the message encoder writes (wire format pinned in hex)", () => {
    const ping = encodeClientMessage({ type: "ping", token: 0x01020304 });
    assert.deepEqual([...ping], [...PING]);
    const say = encodeClientMessage({ type: "say", seq: 7, text: "hi", room: "" });
    assert.deepEqual(
      [...say],
      [...hex("00 00 00 0e 02  00 00 00 07  00 00 00 02 68 69  00 00 00 00")],
    );
    assert.deepEqual(decodeChunks([say]), [
      { type: FrameType.Say, payload: [0, 0, 0, 7, 0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 0] },
    ]);
  });

  it("decodes several frames in one chunk, in order", () => {
    assert.deepEqual(decodeChunks([STREAM]), STREAM_FRAMES);
  });

  it("decodes a stream split at every possible byte boundary", () => {
    for (let i = 0; i <= STREAM.length; i++) {
      const frames = decodeChunks([STREAM.subarray(0, i), STREAM.subarray(i)]);
      assert.deepEqual(frames, STREAM_FRAMES, `split at ${i}`);
    }
  });

  it("decodes a stream split at every pair of byte boundaries", () => {
    for (let i = 0; i <= STREAM.length; i++) {
      for (let j = i; j <= STREAM.length; j++) {
        const chunks = [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)];
        assert.deepEqual(decodeChunks(chunks), STREAM_FRAMES, `split at ${i} and ${j}`);
      }
    }
  });

  it("emits each frame as soon as its last byte arrives, not later", () => {
    const decoder = new FrameDecoder();
    const seen: Plain[] = [];
    const ends = [HI.length, HI.length + EMPTY.length, STREAM.length];
    for (let i = 0; i < STREAM.length; i++) {
      decoder.push(STREAM.subarray(i, i + 1), (f) => seen.push(plain(f)));
      const expected = ends.filter((end) => end <= i + 1).length;
      assert.equal(seen.length, expected, `after byte ${i + 1}`);
    }
    assert.deepEqual(seen, STREAM_FRAMES);
  });

  it("decodes a thousand frames coalesced into one chunk", () => {
    const expected: Plain[] = [];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      const payload = Array.from({ length: i % 37 }, (_, k) => (i * 31 + k) & 0xff);
      expected.push({ type: i & 0xff, payload });
      parts.push(frameBytes(i & 0xff, payload));
    }
    const decoder = new FrameDecoder();
    assert.deepEqual(decodeChunks([concat(...parts)], decoder), expected);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("decodes frames fed one byte at a time", () => {
    const expected: Plain[] = [];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      const payload = Array.from({ length: i * 3 }, (_, k) => (k * 7 + i) & 0xff);
      expected.push({ type: 0x40 + (i % 10), payload });
      parts.push(frameBytes(0x40 + (i % 10), payload));
    }
    const stream = concat(...parts);
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    const decoder = new FrameDecoder();
    assert.deepEqual(decodeChunks(chunks, decoder), expected);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("copies nothing wrong when a payload spans chunks whose buffers have offsets", () => {
    // Node's pooled Buffers are views at nonzero offsets into a shared ArrayBuffer.
    const pool = new Uint8Array(64).fill(0xee);
    pool.set(HI, 10);
    pool.set(PING, 30);
    const chunks = [pool.subarray(10, 14), pool.subarray(14, 18), pool.subarray(30, 39)];
    assert.deepEqual(decodeChunks(chunks), [
      { type: 0x02, payload: [0x68, 0x69, 0x21] },
      { type: 0x10, payload: [1, 2, 3, 4] },
    ]);
  });

  describe("zero-length payloads", () => {
    it("emits an empty frame as soon as its header is complete", () => {
      const frames: Plain[] = [];
      new FrameDecoder().push(EMPTY, (f) => frames.push(plain(f)));
      assert.deepEqual(frames, [{ type: FrameType.Who, payload: [] }]);
    });

    it("emits back-to-back empty frames", () => {
      const stream = concat(EMPTY, EMPTY, hex("00 00 00 00 07"), EMPTY);
      const types = decodeChunks([stream]).map((f) => f.type);
      assert.deepEqual(types, [0x06, 0x06, 0x07, 0x06]);
    });

    it("ignores empty chunks", () => {
      const empty = new Uint8Array(0);
      const frames = decodeChunks([empty, HI.subarray(0, 2), empty, empty, HI.subarray(2), empty]);
      assert.deepEqual(frames, [{ type: 0x02, payload: [0x68, 0x69, 0x21] }]);
    });
  });

  describe("size limit", () => {
    it("rejects a header announcing 4 GiB before any payload arrives", () => {
      const decoder = new FrameDecoder();
      const frames: Plain[] = [];
      assertTooLarge(() => decoder.push(hex("ff ff ff ff 02"), (f) => frames.push(plain(f))));
      assert.deepEqual(frames, []);
    });

    it("rejects the oversize header as soon as its last byte arrives, split or not", () => {
      const decoder = new FrameDecoder();
      const onFrame = () => assert.fail("no frame expected");
      decoder.push(hex("ff ff"), onFrame);
      decoder.push(hex("ff"), onFrame);
      decoder.push(hex("ff"), onFrame);
      assertTooLarge(() => decoder.push(hex("02"), onFrame));
    });

    it("emits the valid frames before an oversize header in the same chunk, then throws", () => {
      const decoder = new FrameDecoder();
      const frames: Plain[] = [];
      assertTooLarge(() =>
        decoder.push(concat(HI, PING, hex("ff ff ff ff 02 00 00")), (f) => frames.push(plain(f))),
      );
      assert.deepEqual(frames, [STREAM_FRAMES[0], STREAM_FRAMES[2]]);
    });

    it("accepts exactly the default maximum and rejects one byte more", () => {
      const atLimit = new Uint8Array(5);
      new DataView(atLimit.buffer).setUint32(0, MAX_FRAME_PAYLOAD);
      // Only the header is fed: accepted means no throw and the frame waits for its payload.
      const decoder = new FrameDecoder();
      decoder.push(atLimit, () => assert.fail("no frame expected yet"));
      const overLimit = new Uint8Array(5);
      new DataView(overLimit.buffer).setUint32(0, MAX_FRAME_PAYLOAD + 1);
      assertTooLarge(() => new FrameDecoder().push(overLimit, () => {}));
    });

    it("honours a custom maximum payload", () => {
      const decoder = new FrameDecoder({ maxPayload: 16 });
      const frames = decodeChunks([frameBytes(0x02, new Array(16).fill(0x61))], decoder);
      assert.equal(frames.length, 1);
      assert.equal(frames[0]?.payload.length, 16);
      assertTooLarge(() => decoder.push(frameBytes(0x02, new Array(17).fill(0x61)), () => {}));
    });

    it("with a maximum of 0 accepts only empty frames", () => {
      const decoder = new FrameDecoder({ maxPayload: 0 });
      assert.deepEqual(decodeChunks([EMPTY], decoder), [{ type: 0x06, payload: [] }]);
      assertTooLarge(() => decoder.push(hex("00 00 00 01 02 00"), () => {}));
    });
  });

  describe("truncated frames", () => {
    it("does not emit a frame whose payload is incomplete", () => {
      const decoder = new FrameDecoder();
      decoder.push(HI.subarray(0, HI.length - 1), () => assert.fail("partial frame emitted"));
      const frames = decodeChunks([HI.subarray(HI.length - 1)], decoder);
      assert.deepEqual(frames, [{ type: 0x02, payload: [0x68, 0x69, 0x21] }]);
    });

    it("counts a partial header in bufferedBytes", () => {
      const decoder = new FrameDecoder();
      for (let i = 1; i < 5; i++) {
        decoder.push(HI.subarray(i - 1, i), () => assert.fail("no frame expected"));
        assert.equal(decoder.bufferedBytes, i);
      }
    });

    it("counts every received byte of a truncated frame in bufferedBytes, header included", () => {
      // bufferedBytes is documented as "bytes received but not yet returned as
      // frames": a header plus 3 of 8 payload bytes is 8 such bytes.
      const frame = frameBytes(0x02, [1, 2, 3, 4, 5, 6, 7, 8]);
      const decoder = new FrameDecoder();
      for (let i = 1; i < frame.length; i++) {
        decoder.push(frame.subarray(i - 1, i), () => assert.fail("partial frame emitted"));
        assert.equal(decoder.bufferedBytes, i, `after ${i} of ${frame.length} bytes`);
      }
      const frames = decodeChunks([frame.subarray(frame.length - 1)], decoder);
      assert.equal(frames.length, 1);
      assert.equal(decoder.bufferedBytes, 0);
    });

    it("keeps the bytes after complete frames buffered", () => {
      const decoder = new FrameDecoder();
      const frames = decodeChunks([concat(HI, PING.subarray(0, 3))], decoder);
      assert.deepEqual(frames, [STREAM_FRAMES[0]]);
      assert.equal(decoder.bufferedBytes, 3);
      assert.deepEqual(decodeChunks([PING.subarray(3)], decoder), [STREAM_FRAMES[2]]);
      assert.equal(decoder.bufferedBytes, 0);
    });
  });

  it("decodes a maximum-size frame dribbled one byte per read in linear time", async () => {
    // A peer can send one byte per TCP segment. Decoding must stay linear in the
    // number of chunks, or completing one frame blocks the server's event loop.
    // Runs in a worker so a too-slow decoder is stopped at the deadline, not waited for.
    const decoderUrl = new URL("../../src/protocol/frame-decoder.js", import.meta.url).href;
    const source = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.decoderUrl).then(({ FrameDecoder }) => {
        const n = workerData.size;
        const bytes = new Uint8Array(5 + n);
        new DataView(bytes.buffer).setUint32(0, n);
        bytes[4] = 2;
        for (let i = 5; i < bytes.length; i++) bytes[i] = i & 0xff;
        const decoder = new FrameDecoder();
        let length = -1;
        let intact = false;
        for (let i = 0; i < bytes.length; i++) {
          decoder.push(bytes.subarray(i, i + 1), (f) => {
            length = f.payload.length;
            intact = f.payload.every((b, k) => b === ((k + 5) & 0xff));
          });
        }
        parentPort.postMessage({ length, intact });
      });
    `;
    const budgetMs = 5_000;
    const worker = new Worker(source, {
      eval: true,
      workerData: { decoderUrl, size: MAX_FRAME_PAYLOAD },
    });
    let deadline: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        new Promise<{ length: number; intact: boolean }>((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
        new Promise<"timeout">((resolve) => {
          deadline = setTimeout(() => resolve("timeout"), budgetMs);
        }),
      ]);
      assert.notEqual(
        result,
        "timeout",
        `a ${MAX_FRAME_PAYLOAD}-byte frame fed one byte at a time took over ${budgetMs} ms`,
      );
      assert.deepEqual(result, { length: MAX_FRAME_PAYLOAD, intact: true });
    } finally {
      clearTimeout(deadline);
      await worker.terminate();
    }
  });
});
