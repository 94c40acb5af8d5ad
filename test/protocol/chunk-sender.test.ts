// The chunk sender over a recording link and files in memory: windows,
// connection room, block reads, turns, ends and failures.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as turn } from "node:timers/promises";
import {
  type ChunkFiles,
  ChunkSender,
  READ_BLOCK_BYTES,
  type SentFile,
} from "../../src/protocol/chunk-sender.js";
import { FILE_CHUNK_BYTES, FrameType } from "../../src/protocol/frame.js";

const CHUNK = FILE_CHUNK_BYTES;

interface TestFile extends SentFile {
  id: number;
  data: Uint8Array;
  /** Bytes there to send so far. */
  readable: number;
  /** Whether its end may go once every byte is out (a relayed upload's: once verified). */
  verified: boolean;
  ended: boolean;
  live: boolean;
}

interface Frame {
  direction: "up" | "down";
  id: number;
  offset: number;
  data: Uint8Array;
}

function file(id: number, size: number, credit = Number.POSITIVE_INFINITY): TestFile {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + id) & 0xff;
  return {
    id,
    data,
    readable: size,
    verified: true,
    ended: false,
    live: true,
    offset: 0,
    credit,
    queued: false,
  };
}

/** A sender whose link takes `room` chunks (all, unless limited) and records everything. */
function harness(
  options: {
    keepBlockWhilePaused?: boolean;
    /** Bytes of a file in memory anyway, from this offset on. */
    inMemoryFrom?: number;
    read?: (f: TestFile, offset: number, length: number) => Promise<Uint8Array>;
  } = {},
) {
  const frames: Frame[] = [];
  const reads: { id: number; offset: number; length: number }[] = [];
  const events: string[] = [];
  const link = { room: Number.POSITIVE_INFINITY };
  const files: ChunkFiles<TestFile> = {
    id: (f) => f.id,
    live: (f) => f.live,
    readable: (f) => f.readable,
    endable: (f) => !f.ended && f.verified,
    read: (f, offset, length) => {
      reads.push({ id: f.id, offset, length });
      return (
        options.read?.(f, offset, length) ?? Promise.resolve(f.data.slice(offset, offset + length))
      );
    },
    recent: (f, offset, length) =>
      options.inMemoryFrom !== undefined && offset >= options.inMemoryFrom
        ? f.data.subarray(offset, offset + length)
        : undefined,
    end: (f) => {
      f.ended = true;
      events.push(`end ${f.id}`);
    },
    paused: (f) => events.push(`paused ${f.id} at ${f.offset}`),
    unreadable: (f, error) => events.push(`unreadable ${f.id}: ${error.message}`),
  };
  const sender = new ChunkSender({
    direction: "up",
    link: {
      bulkReady: () => link.room > 0,
      writeBulk: (header, data) => {
        link.room -= 1;
        frames.push(parseChunk(header, data));
      },
    },
    files,
    keepBlockWhilePaused: options.keepBlockWhilePaused ?? false,
  });
  return { sender, frames, reads, events, link };
}

function parseChunk(header: Uint8Array, data: Uint8Array): Frame {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  assert.equal(
    view.getUint32(0),
    12 + data.length,
    "the frame length covers header fields and data",
  );
  return {
    direction: view.getUint8(4) === FrameType.FileChunk ? "up" : "down",
    id: view.getUint32(5),
    offset: view.getFloat64(9),
    data,
  };
}

/** Lets every read and send under way finish. */
async function settled(): Promise<void> {
  for (let i = 0; i < 3; i++) await turn();
}

function sizes(frames: Frame[]): number[] {
  return frames.map((f) => f.data.length);
}

describe("ChunkSender", () => {
  it("sends a file in chunks within its window, pauses when it is spent and goes on when granted", async () => {
    const { sender, frames, events } = harness();
    const f = file(1, 3 * CHUNK + 10, CHUNK + 100);
    sender.ready(f);
    await settled();
    assert.deepEqual(sizes(frames), [CHUNK, 100]);
    assert.deepEqual(events, [`paused 1 at ${CHUNK + 100}`]);
    f.credit += 4 * CHUNK;
    sender.ready(f);
    await settled();
    assert.deepEqual(sizes(frames), [CHUNK, 100, CHUNK, CHUNK - 90]);
    assert.deepEqual(events.slice(1), ["end 1", `paused 1 at ${f.data.length}`]);
    assert.deepEqual(
      frames.map((fr) => fr.offset),
      [0, CHUNK, CHUNK + 100, 2 * CHUNK + 100],
    );
    assert.deepEqual(Buffer.concat(frames.map((fr) => fr.data)), Buffer.from(f.data));
    assert.equal(f.credit, 4 * CHUNK + CHUNK + 100 - f.data.length);
  });

  it("writes only while the connection has room, and goes on when woken", async () => {
    const { sender, frames, link } = harness();
    const f = file(1, 6 * CHUNK);
    link.room = 0;
    sender.ready(f);
    await settled();
    assert.equal(frames.length, 0);
    link.room = 2;
    sender.wake();
    await settled();
    assert.equal(frames.length, 2);
    link.room = Number.POSITIVE_INFINITY;
    sender.wake();
    await settled();
    assert.equal(frames.length, 6);
    assert.equal(f.ended, true);
  });

  it("reads a block at a time, each serving several chunks, and none for bytes in memory", async () => {
    const { sender, frames, reads } = harness({ inMemoryFrom: 2 * READ_BLOCK_BYTES });
    const f = file(1, 2 * READ_BLOCK_BYTES + 3 * CHUNK);
    sender.ready(f);
    await settled();
    assert.deepEqual(reads, [
      { id: 1, offset: 0, length: READ_BLOCK_BYTES },
      { id: 1, offset: READ_BLOCK_BYTES, length: READ_BLOCK_BYTES },
    ]);
    assert.equal(frames.length, (2 * READ_BLOCK_BYTES) / CHUNK + 3);
    assert.equal(frames[0]?.data.buffer, frames[1]?.data.buffer, "chunks are views of their block");
  });

  it("takes the files that can go on in turn, each in line once however often it is made ready", async () => {
    const { sender, frames } = harness({ inMemoryFrom: 0 });
    const a = file(1, 3 * CHUNK);
    const b = file(2, 2 * CHUNK);
    sender.ready(a);
    sender.ready(a);
    sender.ready(b);
    sender.ready(a);
    await settled();
    assert.deepEqual(
      frames.map((fr) => fr.id),
      [1, 2, 1, 2, 1],
    );
    assert.equal(a.ended && b.ended, true);
  });

  it("lets go of a paused file's block, unless told to keep it", async () => {
    for (const keepBlockWhilePaused of [false, true]) {
      const { sender, reads } = harness({ keepBlockWhilePaused });
      const f = file(1, READ_BLOCK_BYTES, CHUNK);
      sender.ready(f);
      await settled();
      f.credit += CHUNK;
      sender.ready(f);
      await settled();
      assert.deepEqual(
        reads.map((r) => r.offset),
        keepBlockWhilePaused ? [0] : [0, CHUNK],
      );
    }
  });

  it("sends what has arrived of a file, and its end only once that may go", async () => {
    const { sender, frames, events } = harness();
    const f = file(1, 3 * CHUNK);
    f.readable = CHUNK;
    f.verified = false;
    sender.ready(f);
    await settled();
    assert.deepEqual(sizes(frames), [CHUNK]);
    f.readable = 3 * CHUNK;
    sender.ready(f);
    await settled();
    assert.equal(frames.length, 3);
    assert.deepEqual(events, [`paused 1 at ${CHUNK}`, `paused 1 at ${3 * CHUNK}`]);
    f.verified = true;
    sender.ready(f);
    sender.ready(f);
    await settled();
    assert.deepEqual(events.slice(2), ["end 1", `paused 1 at ${3 * CHUNK}`]);
  });

  it("ends an empty file at once", async () => {
    const { sender, frames, events } = harness();
    sender.ready(file(1, 0, 0));
    await settled();
    assert.equal(frames.length, 0);
    assert.deepEqual(events, ["end 1", "paused 1 at 0"]);
  });

  it("reports a file it cannot read, and takes it out of line", async () => {
    const { sender, frames, reads, events } = harness({
      read: () => Promise.reject(new Error("disk on fire")),
    });
    sender.ready(file(1, CHUNK));
    await settled();
    sender.wake();
    await settled();
    assert.equal(frames.length, 0);
    assert.equal(reads.length, 1, "not read again until its owner says it may go on");
    assert.deepEqual(events, ["unreadable 1: disk on fire", "paused 1 at 0"]);
  });

  it("sends nothing of a file settled while it was read, and reports no failure of it", async () => {
    const pending: (() => void)[] = [];
    const { sender, frames, events } = harness({
      read: (f, offset, length) =>
        new Promise((resolve, reject) =>
          pending.push(() =>
            f.id === 1
              ? reject(new Error("gone"))
              : resolve(f.data.subarray(offset, offset + length)),
          ),
        ),
    });
    const cancelled = file(1, CHUNK);
    const replaced = file(2, CHUNK);
    sender.ready(cancelled);
    await settled();
    cancelled.live = false;
    for (const settle of pending.splice(0)) settle();
    await settled();
    sender.ready(replaced);
    await settled();
    replaced.live = false;
    for (const settle of pending.splice(0)) settle();
    await settled();
    assert.equal(frames.length, 0);
    assert.deepEqual(events, []);
  });

  it("marks a download's chunks as the server's", async () => {
    const frames: Frame[] = [];
    const f = file(9, 10);
    const sender = new ChunkSender({
      direction: "down",
      link: { bulkReady: () => true, writeBulk: (h, d) => frames.push(parseChunk(h, d)) },
      files: {
        id: (x: TestFile) => x.id,
        live: () => true,
        readable: (x) => x.readable,
        endable: (x) => !x.ended,
        read: (x, offset, length) => Promise.resolve(x.data.subarray(offset, offset + length)),
        end: (x) => {
          x.ended = true;
        },
        unreadable: () => assert.fail("read fails"),
      },
    });
    sender.ready(f);
    await settled();
    assert.deepEqual(
      frames.map((fr) => [fr.direction, fr.id, fr.offset, fr.data.length]),
      [["down", 9, 0, 10]],
    );
  });
});
