import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import { type Frame, FrameType, MAX_FRAME_PAYLOAD } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import {
  type ClientMessage,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type MessageKind,
  SERVER_HISTORY_DEFAULT,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import { Random, randomText } from "../helpers/random.js";

function randomTs(r: Random): number {
  return r.pick([0, -0, 1, 1_700_000_000_000 + r.int(1e9), r.next() * 1e15, -1.5, 2 ** 53, 1e-300]);
}

function randomSize(r: Random): number {
  return r.pick([0, 1, 65536, 4 * 1024 ** 3, r.int(2 ** 32) * 1024 + r.int(1024)]);
}

function randomData(r: Random): Uint8Array {
  return r.bytes(r.pick([0, 1, r.int(64), r.int(2048)]));
}

/** A room name, valid or not: the codec carries any text. Never "", which reads as the default. */
function randomRoom(r: Random): string {
  return r.pick(["#lobby", "#dev", "#Ünïcode", `#${randomText(r, 32)}`, `x${randomText(r)}`]);
}

/** A room, or "" for the room typed into (client frames) or for none (private lines, leaving). */
function randomRoomOrNone(r: Random): string {
  return r.int(3) === 0 ? "" : randomRoom(r);
}

/** Lines to replay, or none said: SERVER_HISTORY_DEFAULT reads as not said, so it is left out. */
function randomHistory(r: Random): { history?: number } {
  return r.pick([{}, { history: 0 }, { history: 1 }, { history: r.int(SERVER_HISTORY_DEFAULT) }]);
}

function randomClientMessage(r: Random): ClientMessage {
  const seq = r.u32();
  switch (r.int(23)) {
    case 0:
      return {
        type: "hello",
        nick: randomText(r, 24),
        client: randomText(r, 10),
        ...randomHistory(r),
      };
    case 1:
      return { type: "say", seq, text: randomText(r, 200), room: randomRoomOrNone(r) };
    case 2:
      return { type: "action", seq, text: randomText(r), room: randomRoomOrNone(r) };
    case 3:
      return { type: "private", seq, to: randomText(r, 24), text: randomText(r) };
    case 4:
      return { type: "nick", seq, nick: randomText(r, 24) };
    case 5:
      return { type: "who", seq, room: r.pick(["", "#dev"]) };
    case 6:
      return { type: "help", seq };
    case 7:
      return { type: "quit", seq, reason: randomText(r) };
    case 8:
      return { type: "ping", token: r.u32() };
    case 9:
      return { type: "pong", token: r.u32() };
    case 10:
      return {
        type: "file-offer",
        seq,
        name: randomText(r),
        size: randomSize(r),
        room: randomRoomOrNone(r),
      };
    case 11:
      return { type: "file-chunk", id: r.u32(), offset: randomSize(r), data: randomData(r) };
    case 12:
      return { type: "file-end", id: r.u32(), sha256: r.bytes(32) };
    case 13:
      return { type: "file-cancel", id: r.u32(), reason: randomText(r) };
    case 14:
      return { type: "file-window", id: r.u32(), bytes: r.u32() };
    case 15:
      return {
        type: "file-get",
        seq,
        id: r.u32(),
        offset: randomSize(r),
        name: randomText(r),
        room: randomRoomOrNone(r),
      };
    case 16:
      return { type: "file-received", id: r.u32(), ok: r.int(2) === 0, reason: randomText(r) };
    case 17:
      return { type: "join", seq, room: randomRoom(r) };
    case 18:
      return { type: "part", seq, room: randomRoomOrNone(r), reason: randomText(r) };
    case 19:
      return { type: "rooms", seq };
    case 20: {
      const set = r.int(2) === 0;
      return { type: "topic", seq, room: randomRoomOrNone(r), set, text: set ? randomText(r) : "" };
    }
    case 21:
      return {
        type: "history",
        seq,
        target: r.pick(["", randomRoom(r), randomText(r, 24)]),
        before: r.pick([0, 1, r.int(2 ** 32), 2 ** 53 - 1]),
        limit: r.u32(),
      };
    default:
      return { type: "files", seq, room: randomRoomOrNone(r) };
  }
}

function randomServerMessage(r: Random): ServerMessage {
  const seq = r.u32();
  switch (r.int(25)) {
    case 0:
      return {
        type: "welcome",
        nick: randomText(r, 24),
        server: randomText(r, 10),
        maxMessageBytes: r.u32(),
        room: randomRoom(r),
      };
    case 1: {
      const kind = r.pick<MessageKind>(["say", "action", "private"]);
      return {
        type: "message",
        kind,
        ts: randomTs(r),
        from: randomText(r, 24),
        to: kind === "private" ? randomText(r, 24) : "",
        text: randomText(r, 200),
        room: kind === "private" ? "" : randomRoom(r),
        id: r.pick([0, 1, r.int(2 ** 32), 2 ** 53 - 1]),
        replayed: r.int(2) === 0,
      };
    }
    case 2:
      return { type: "joined", nick: randomText(r, 24), room: randomRoom(r) };
    case 3:
      return {
        type: "left",
        nick: randomText(r, 24),
        reason: randomText(r),
        room: randomRoomOrNone(r),
      };
    case 4:
      return { type: "renamed", from: randomText(r, 24), to: randomText(r, 24) };
    case 5:
      return { type: "ack", seq };
    case 6:
      return {
        type: "error",
        seq,
        code: r.pick(Object.values(ErrorCode)),
        message: randomText(r),
      };
    case 7:
      return {
        type: "who-list",
        seq,
        users: Array.from({ length: r.pick([0, 1, r.int(6), r.int(30)]) }, () => ({
          nick: randomText(r, 24),
          address: `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}:${r.int(65536)}`,
          idleSeconds: r.u32(),
        })),
        room: r.pick(["", "#dev"]),
      };
    case 8:
      return { type: "notice", text: randomText(r) };
    case 9:
      return { type: "bye", code: r.pick(Object.values(ErrorCode)), reason: randomText(r) };
    case 10:
      return { type: "ping", token: r.u32() };
    case 11:
      return { type: "pong", token: r.u32() };
    case 12:
      return { type: "file-accepted", seq, id: r.u32() };
    case 13:
      return {
        type: "file-offered",
        id: r.u32(),
        from: randomText(r, 24),
        name: randomText(r),
        size: randomSize(r),
        offset: randomSize(r),
        requested: r.int(2) === 0,
        room: randomRoom(r),
      };
    case 14:
      return { type: "file-chunk", id: r.u32(), offset: randomSize(r), data: randomData(r) };
    case 15:
      return { type: "file-end", id: r.u32(), sha256: r.bytes(32) };
    case 16:
      return { type: "file-window", id: r.u32(), bytes: r.u32() };
    case 17:
      return { type: "file-cancelled", id: r.u32(), name: randomText(r), reason: randomText(r) };
    case 18:
      return {
        type: "file-verified",
        id: r.u32(),
        from: randomText(r, 24),
        name: randomText(r),
        size: randomSize(r),
        ok: r.int(2) === 0,
        reason: randomText(r),
        senderHash: r.int(2) === 0,
        room: randomRoom(r),
        ...(r.int(2) === 0 ? { sha256: r.bytes(32) } : {}),
      };
    case 19:
      return {
        type: "file-complete",
        id: r.u32(),
        name: randomText(r),
        delivered: r.u32(),
        failed: r.u32(),
        detail: randomText(r),
      };
    case 21:
      return {
        type: "room",
        seq,
        name: randomRoom(r),
        topic: randomText(r),
        members: r.u32(),
      };
    case 22:
      return { type: "topic-is", room: randomRoom(r), topic: randomText(r), by: randomText(r, 24) };
    case 23:
      return {
        type: "room-list",
        seq,
        rooms: Array.from({ length: r.pick([0, 1, r.int(6), r.int(30)]) }, () => ({
          name: randomRoom(r),
          members: r.u32(),
          topic: randomText(r),
        })),
      };
    case 24:
      return {
        type: "history-end",
        seq,
        target: r.pick([randomRoom(r), randomText(r, 24)]),
        count: r.u32(),
        more: r.int(2) === 0,
      };
    default:
      return {
        type: "file-list",
        seq,
        total: r.u32(),
        files: Array.from({ length: r.pick([0, 1, r.int(6)]) }, () => ({
          id: r.u32(),
          from: randomText(r, 24),
          name: randomText(r),
          size: randomSize(r),
          expiresAt: randomTs(r),
          afterLine: r.pick([0, 1, r.int(2 ** 32), 2 ** 53 - 1]),
          sharedAt: randomTs(r),
          sha256: r.bytes(r.pick([0, 32])),
        })),
      };
  }
}

// --- stream helpers ------------------------------------------------------------

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Cuts bytes into random chunks: many empty and 1-byte ones, some large. */
function randomChunks(r: Random, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = r.pick([0, 1, 1, 2, r.range(3, 8), r.range(9, 64), r.range(65, 4096)]);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (r.int(2) === 0) chunks.push(new Uint8Array(0));
  return chunks;
}

function decodeStream<T>(chunks: Uint8Array[], decodeMessage: (f: Frame) => T): T[] {
  const decoder = new FrameDecoder();
  const out: T[] = [];
  for (const chunk of chunks) decoder.push(chunk, (frame) => out.push(decodeMessage(frame)));
  assert.equal(decoder.bufferedBytes, 0, "bytes left over after the last frame");
  return out;
}

const MESSAGE_ERRORS = new Set<string>([
  ErrorCode.Malformed,
  ErrorCode.InvalidUtf8,
  ErrorCode.UnknownFrame,
]);

/** Runs `fn`; any throw must be a ProtocolError with one of `codes`. */
function onlyProtocolErrors(fn: () => void, codes: ReadonlySet<string>, context: string): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (!(error instanceof ProtocolError)) {
      assert.fail(`${context}: threw a non-ProtocolError: ${String(error)}`);
    }
    assert.ok(codes.has(error.code), `${context}: unexpected code ${error.code}`);
    return false;
  }
}

/**
 * Feeds hostile bytes to a decoder the way a connection does: a thrown error
 * ends the stream. Every frame and every message decode is checked.
 */
function feedHostile(chunks: Uint8Array[], maxPayload: number, context: string): number {
  const decoder = new FrameDecoder({ maxPayload });
  let frames = 0;
  for (const chunk of chunks) {
    const ok = onlyProtocolErrors(
      () =>
        decoder.push(chunk, (frame) => {
          frames += 1;
          assert.ok(
            frame.payload.length <= maxPayload,
            `${context}: emitted a ${frame.payload.length}-byte frame over the ${maxPayload} limit`,
          );
          checkMessageDecoders(frame, context);
        }),
      new Set([ErrorCode.FrameTooLarge]),
      context,
    );
    if (!ok) break;
  }
  return frames;
}

function checkMessageDecoders(frame: Frame, context: string): void {
  const decoders = [
    [decodeClientMessage, encodeClientMessage],
    [decodeServerMessage, encodeServerMessage],
  ] as const;
  for (const [decode, encode] of decoders) {
    let message: ReturnType<typeof decode> | undefined;
    onlyProtocolErrors(
      () => {
        message = decode(frame);
      },
      MESSAGE_ERRORS,
      context,
    );
    if (message === undefined) continue;
    // Whatever decodes must re-encode to a frame that decodes to the same message.
    const again = encode(message as never);
    const reframed: Frame[] = [];
    new FrameDecoder().push(again, (f) => reframed.push(f));
    assert.equal(reframed.length, 1);
    assert.deepEqual(decode(reframed[0] as Frame), message, `${context}: re-encoding differs`);
  }
}

// --- tests ------------------------------------------------------------------------

describe("protocol fuzz (seeded, deterministic)", () => {
  it("round-trips thousands of random client messages through random chunking", () => {
    for (const seed of [1, 2, 3, 0xc0ffee]) {
      const r = new Random(seed);
      const messages = Array.from({ length: 1500 }, () => randomClientMessage(r));
      const stream = concat(messages.map(encodeClientMessage));
      const decoded = decodeStream(randomChunks(r, stream), decodeClientMessage);
      assert.equal(decoded.length, messages.length, `seed ${seed}`);
      for (const [i, m] of messages.entries()) {
        assert.deepEqual(decoded[i], m, `seed ${seed}, message ${i}`);
      }
    }
  });

  it("round-trips thousands of random server messages through random chunking", () => {
    for (const seed of [4, 5, 6, 0xbeef]) {
      const r = new Random(seed);
      const messages = Array.from({ length: 1500 }, () => randomServerMessage(r));
      const stream = concat(messages.map(encodeServerMessage));
      const decoded = decodeStream(randomChunks(r, stream), decodeServerMessage);
      assert.equal(decoded.length, messages.length, `seed ${seed}`);
      for (const [i, m] of messages.entries()) {
        assert.deepEqual(decoded[i], m, `seed ${seed}, message ${i}`);
      }
    }
  });

  it("round-trips a stream fed one byte at a time", () => {
    const r = new Random(7);
    const messages = Array.from({ length: 300 }, () => randomServerMessage(r));
    const stream = concat(messages.map(encodeServerMessage));
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    assert.deepEqual(decodeStream(chunks, decodeServerMessage), messages);
  });

  it("round-trips text of every UTF-8 sequence length and the extremes of Unicode", () => {
    const texts = [
      "",
      "a",
      "\u0000",
      "\u007f\u0080",
      "\u07ff\u0800",
      "\uffff",
      "\u{10000}",
      "\u{10ffff}",
      "e\u0301",
      "Z̴̡̛͈͉a̵l̷g̸o̶",
      "👩🏽‍💻🏳️‍🌈",
      "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
      "שלום עולם",
      "x".repeat(70_000),
    ];
    for (const text of texts) {
      const m: ServerMessage = {
        type: "message",
        kind: "say",
        ts: 1,
        from: text,
        to: "",
        text,
        room: `#${text}`,
        id: 1,
        replayed: false,
      };
      assert.deepEqual(decodeStream([encodeServerMessage(m)], decodeServerMessage), [m]);
    }
  });

  it("only ever throws ProtocolError for random garbage bytes", () => {
    const r = new Random(0xdead);
    for (let run = 0; run < 300; run++) {
      const bytes = r.bytes(r.range(0, 2000));
      // A small first byte makes the announced length plausible more often.
      if (bytes.length > 0 && r.int(2) === 0) bytes[0] = 0;
      if (bytes.length > 1 && r.int(2) === 0) bytes[1] = 0;
      const maxPayload = r.pick([0, 16, 4096, MAX_FRAME_PAYLOAD]);
      feedHostile(randomChunks(r, bytes), maxPayload, `garbage run ${run}`);
    }
  });

  it("only ever throws ProtocolError for garbage frames with plausible headers", () => {
    // Valid headers with random types and payloads reach the message decoders.
    const r = new Random(0xfeed);
    const types = [...Object.values(FrameType), 0x00, 0x0e, 0x40, 0x4b, 0x5d, 0xff];
    let frames = 0;
    for (let run = 0; run < 200; run++) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 20; i++) {
        const payload = r.pick([
          r.bytes(r.int(12)),
          r.bytes(r.int(100)),
          // Plausible field prefixes: small lengths and counts followed by junk.
          Uint8Array.from([0, 0, 0, r.int(8), ...r.bytes(r.int(40))]),
          Uint8Array.from([r.int(4), 0, 0, 0, 0, 0, 0, 0, r.int(5), ...r.bytes(r.int(60))]),
        ]);
        const header = new Uint8Array(5);
        new DataView(header.buffer).setUint32(0, payload.length);
        header[4] = r.pick(types);
        parts.push(header, payload);
      }
      frames += feedHostile(randomChunks(r, concat(parts)), 4096, `plausible run ${run}`);
    }
    assert.equal(frames, 200 * 20, "every plausible frame reaches the message decoders");
  });

  it("only ever throws ProtocolError for mutated valid streams", () => {
    const r = new Random(0x5eed);
    for (let run = 0; run < 300; run++) {
      const server = r.int(2) === 0;
      const messages = Array.from({ length: r.range(1, 20) }, () =>
        server
          ? encodeServerMessage(randomServerMessage(r))
          : encodeClientMessage(randomClientMessage(r)),
      );
      const bytes = Array.from(concat(messages));
      for (let m = r.range(1, 5); m > 0 && bytes.length > 0; m--) {
        const at = r.int(bytes.length);
        switch (r.int(6)) {
          case 0: // flip one bit
            bytes[at] = (bytes[at] as number) ^ (1 << r.int(8));
            break;
          case 1: // overwrite with a random byte
            bytes[at] = r.int(256);
            break;
          case 2: // insert bytes
            bytes.splice(at, 0, ...r.bytes(r.range(1, 6)));
            break;
          case 3: // delete bytes
            bytes.splice(at, r.range(1, 6));
            break;
          case 4: // break UTF-8 with a lone continuation or a truncated lead byte
            bytes[at] = r.pick([0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xf0, 0xf5, 0xff]);
            break;
          default: // truncate the stream
            bytes.length = at;
        }
      }
      const maxPayload = r.pick([64, 4096, MAX_FRAME_PAYLOAD]);
      feedHostile(randomChunks(r, Uint8Array.from(bytes)), maxPayload, `mutation run ${run}`);
    }
  });

  it("rejects a who-list whose count lies instead of looping or allocating", () => {
    const payload = Uint8Array.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    assert.throws(
      () => decodeServerMessage({ type: FrameType.WhoList, payload }),
      (error: unknown) => error instanceof ProtocolError && error.code === ErrorCode.Malformed,
    );
  });
});
