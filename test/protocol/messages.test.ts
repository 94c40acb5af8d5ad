import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import { type Frame, FrameType, MAX_FRAME_PAYLOAD } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import {
  type ChatMessage,
  type ClientMessage,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type FileEntry,
  SERVER_HISTORY_DEFAULT,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import { encodeUtf8 } from "../../src/protocol/payload.js";

/** The single frame in `bytes`; fails if there is not exactly one. */
function onlyFrame(bytes: Uint8Array): Frame {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder();
  decoder.push(bytes, (f) => frames.push(f));
  assert.equal(frames.length, 1, "expected exactly one frame");
  assert.equal(decoder.bufferedBytes, 0, "expected no bytes after the frame");
  return frames[0] as Frame;
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.replace(/\s+/g, "").match(/../g) ?? [], (b) =>
    Number.parseInt(b, 16),
  );
}

function assertProtocolError(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const SHA = Uint8Array.from({ length: 32 }, (_, i) => i * 8);

const CLIENT_MESSAGES: ClientMessage[] = [
  { type: "hello", nick: "ana", client: "sockchat/0.1.0" },
  { type: "hello", nick: "", client: "" },
  { type: "hello", nick: "ana", client: "sockchat/0.2.0", history: 0 },
  { type: "hello", nick: "ana", client: "sockchat/0.2.0", history: 200 },
  { type: "say", seq: 1, text: "hello, world", room: "" },
  { type: "say", seq: 0xffffffff, text: "multi\nline\ttext", room: "#dev" },
  { type: "action", seq: 2, text: "waves 👋", room: "" },
  { type: "action", seq: 2, text: "waves", room: "#Ünïcode" },
  { type: "private", seq: 3, to: "bob", text: "psst, ça va?" },
  { type: "nick", seq: 4, nick: "Zoë" },
  { type: "who", seq: 5, room: "" },
  { type: "who", seq: 5, room: "#dev" },
  { type: "help", seq: 6 },
  { type: "quit", seq: 7, reason: "" },
  { type: "quit", seq: 8, reason: "gone fishing 🎣" },
  { type: "join", seq: 20, room: "#dev" },
  { type: "part", seq: 21, room: "", reason: "" },
  { type: "part", seq: 22, room: "#dev", reason: "off to lunch" },
  { type: "rooms", seq: 23 },
  { type: "topic", seq: 24, room: "", set: false, text: "" },
  { type: "topic", seq: 25, room: "#dev", set: true, text: "release on Friday 🚀" },
  { type: "topic", seq: 26, room: "#dev", set: true, text: "" },
  { type: "history", seq: 27, target: "", before: 0, limit: 50 },
  { type: "history", seq: 28, target: "ben", before: 2 ** 40 + 1, limit: 1000 },
  { type: "ping", token: 0 },
  { type: "pong", token: 0xdeadbeef },
  { type: "file-offer", seq: 9, name: "holiday photos 🏖.zip", size: 4 * 1024 ** 3, room: "" },
  { type: "file-offer", seq: 9, name: "notes.txt", size: 12, room: "#dev" },
  { type: "file-chunk", id: 1, offset: 0, data: Uint8Array.of(0, 1, 2, 0xff) },
  { type: "file-chunk", id: 2, offset: 2 ** 40, data: new Uint8Array(0) },
  { type: "file-end", id: 1, sha256: SHA },
  { type: "file-cancel", id: 1, reason: "changed my mind" },
  { type: "file-window", id: 1, bytes: 1024 * 1024 },
  { type: "file-get", seq: 10, id: 3, offset: 65536, name: "", room: "" },
  { type: "file-get", seq: 10, id: 0, offset: 0, name: "my notes.txt", room: "#dev" },
  { type: "file-received", id: 3, ok: true, reason: "" },
  { type: "file-received", id: 4, ok: false, reason: "disk full" },
  { type: "files", seq: 11, room: "" },
  { type: "files", seq: 12, room: "#dev" },
];

const SERVER_MESSAGES: ServerMessage[] = [
  { type: "welcome", nick: "ana", server: "sockchat", maxMessageBytes: 4096, room: "#lobby" },
  { type: "welcome", nick: "ana", server: "sockchat", maxMessageBytes: 4096, room: "#dev" },
  {
    type: "message",
    kind: "say",
    ts: 1_700_000_000_123,
    from: "ana",
    to: "",
    text: "hi",
    room: "#lobby",
    id: 1,
    replayed: false,
  },
  {
    type: "message",
    kind: "action",
    ts: 0,
    from: "ben",
    to: "",
    text: "dances",
    room: "#dev",
    id: 2 ** 40,
    replayed: true,
  },
  {
    type: "message",
    kind: "private",
    ts: 1_700_000_000_000.5,
    from: "ana",
    to: "ben",
    text: "just for you\n— ana",
    room: "",
    id: 7,
    replayed: false,
  },
  { type: "joined", nick: "cy", room: "#lobby" },
  { type: "joined", nick: "cy", room: "#dev" },
  { type: "left", nick: "cy", reason: "", room: "" },
  { type: "left", nick: "cy", reason: "ping timeout", room: "" },
  { type: "left", nick: "cy", reason: "off to lunch", room: "#dev" },
  { type: "renamed", from: "cy", to: "cyrus" },
  { type: "ack", seq: 42 },
  { type: "error", seq: 9, code: ErrorCode.NickTaken, message: "the nickname ana is taken" },
  { type: "who-list", seq: 10, users: [], room: "" },
  {
    type: "who-list",
    seq: 11,
    room: "#dev",
    users: [
      { nick: "ana", address: "127.0.0.1:50000", idleSeconds: 0 },
      { nick: "ben", address: "[::1]:50001", idleSeconds: 3600 },
      { nick: "Зоя", address: "10.0.0.7:1", idleSeconds: 0xffffffff },
    ],
  },
  { type: "notice", text: "server restarting\nback soon" },
  { type: "bye", code: ErrorCode.Shutdown, reason: "server shutting down" },
  { type: "ping", token: 1 },
  { type: "pong", token: 2 },
  { type: "file-accepted", seq: 9, id: 1 },
  {
    type: "file-offered",
    id: 1,
    from: "ana",
    name: "notes.txt",
    size: 1234,
    offset: 0,
    requested: false,
    room: "#lobby",
  },
  {
    type: "file-offered",
    id: 1,
    from: "ana",
    name: "big.iso",
    size: 2 ** 33,
    offset: 2 ** 32,
    requested: true,
    room: "#dev",
  },
  { type: "file-chunk", id: 1, offset: 65536, data: Uint8Array.of(9, 8, 7) },
  { type: "file-end", id: 1, sha256: SHA },
  { type: "file-window", id: 1, bytes: 65536 },
  { type: "file-cancelled", id: 1, name: "notes.txt", reason: "sender left" },
  {
    type: "file-verified",
    id: 1,
    from: "ana",
    name: "notes.txt",
    size: 1234,
    ok: true,
    reason: "",
    senderHash: true,
    room: "#lobby",
    sha256: SHA,
  },
  {
    type: "file-verified",
    id: 2,
    from: "ana",
    name: "x.bin",
    size: 1,
    ok: false,
    reason: "checksum mismatch",
    senderHash: true,
    room: "#dev",
  },
  { type: "file-complete", id: 1, name: "notes.txt", delivered: 2, failed: 1, detail: "cy: gone" },
  { type: "file-list", seq: 12, files: [], total: 0 },
  {
    type: "file-list",
    seq: 13,
    total: 250,
    files: [
      {
        id: 1,
        from: "ana",
        name: "a.txt",
        size: 0,
        expiresAt: 1_700_086_400_000,
        afterLine: 0,
        sharedAt: 1_700_000_000_000,
        sha256: SHA,
      },
      {
        id: 7,
        from: "Зоя",
        name: "фото.jpg",
        size: 5_000_000,
        expiresAt: 1_700_000_000_001,
        afterLine: 2 ** 40,
        sharedAt: 1_699_913_600_001,
        sha256: new Uint8Array(0),
      },
    ],
  },
  { type: "room", seq: 0, name: "#lobby", topic: "", members: 1 },
  { type: "room", seq: 20, name: "#dev", topic: "release on Friday", members: 0xffffffff },
  { type: "topic-is", room: "#dev", topic: "", by: "" },
  { type: "topic-is", room: "#dev", topic: "release on Friday 🚀", by: "ana" },
  { type: "room-list", seq: 23, rooms: [] },
  {
    type: "room-list",
    seq: 23,
    rooms: [
      { name: "#lobby", members: 12, topic: "" },
      { name: "#Ünïcode", members: 1, topic: "ça va" },
    ],
  },
  { type: "history-end", seq: 0, target: "#lobby", count: 0, more: false },
  { type: "history-end", seq: 28, target: "ben", count: 1000, more: true },
];

/** The wire size of a str field. */
function strBytes(text = ""): number {
  return 4 + encodeUtf8(text).length;
}

/**
 * Bytes of the fields appended to `m`'s frame since version 1 first shipped
 * (§12): without them a frame is one from an older peer.
 */
function appendedBytes(m: ClientMessage | ServerMessage): number {
  switch (m.type) {
    case "hello":
      return 4;
    case "say":
    case "action":
    case "files":
    case "file-offer":
      return strBytes(m.room);
    case "file-get":
      return strBytes(m.name) + strBytes(m.room);
    case "welcome":
    case "joined":
    case "left":
      return strBytes(m.room);
    case "message":
      return strBytes(m.room) + 8 + 1;
    case "file-offered":
      return 1 + strBytes(m.room);
    case "file-verified":
      return 1 + strBytes(m.room) + 4 + (m.sha256?.length ?? 0);
    case "file-list":
      return 4 + m.files.reduce((sum, f) => sum + placementBytes(f), 0);
    case "who":
      return strBytes(m.room ?? "");
    case "who-list":
      return strBytes(m.room);
    default:
      return 0;
  }
}

/** The bytes of a file-list entry's place, time and hash, appended after `total`. */
function placementBytes(f: FileEntry): number {
  return 8 + 8 + 4 + f.sha256.length;
}

/** A line "hi" from ana (to ben when private) said in `room`, replayed from the history. */
function chatLine(kind: ChatMessage["kind"], room: string): ChatMessage {
  const to = kind === "private" ? "ben" : "";
  return { type: "message", kind, ts: 1, from: "ana", to, text: "hi", room, id: 9, replayed: true };
}

/** `frame` as a peer sends it that predates its last `bytes` bytes of fields. */
function withoutLast(frame: Frame, bytes: number): Frame {
  return { type: frame.type, payload: frame.payload.slice(0, frame.payload.length - bytes) };
}

/** What `m` decodes to from an older server: one that does not send its last `bytes` bytes. */
function fromOlderServer(m: ServerMessage, bytes: number): ServerMessage {
  return decodeServerMessage(withoutLast(onlyFrame(encodeServerMessage(m)), bytes));
}

/** What `m` decodes to from an older client: one that does not send its last `bytes` bytes. */
function fromOlderClient(m: ClientMessage, bytes: number): ClientMessage {
  return decodeClientMessage(withoutLast(onlyFrame(encodeClientMessage(m)), bytes));
}

describe("message encoding", () => {
  describe("round trip", () => {
    for (const m of CLIENT_MESSAGES) {
      it(`client → server: ${JSON.stringify(m)}`, () => {
        assert.deepEqual(decodeClientMessage(onlyFrame(encodeClientMessage(m))), m);
      });
    }
    for (const m of SERVER_MESSAGES) {
      it(`server → client: ${JSON.stringify(m)}`, () => {
        assert.deepEqual(decodeServerMessage(onlyFrame(encodeServerMessage(m))), m);
      });
    }

    it("covers every client and server frame type", () => {
      const types = new Set([
        ...CLIENT_MESSAGES.map((m) => onlyFrame(encodeClientMessage(m)).type),
        ...SERVER_MESSAGES.map((m) => onlyFrame(encodeServerMessage(m)).type),
      ]);
      assert.deepEqual([...types].sort(), Object.values(FrameType).sort());
    });

    it("keeps a message that needs more room than the size hint", () => {
      const text = "€".repeat(10_000); // 3 UTF-8 bytes per UTF-16 unit: 30 000 bytes
      const m: ClientMessage = { type: "private", seq: 1, to: "𝒜".repeat(24), text };
      assert.deepEqual(decodeClientMessage(onlyFrame(encodeClientMessage(m))), m);
      const many: ServerMessage = {
        type: "who-list",
        seq: 1,
        room: "",
        users: Array.from({ length: 500 }, (_, i) => ({
          nick: `user-${i}-${"ñ".repeat(i % 20)}`,
          address: `192.168.${i >> 8}.${i & 0xff}:${40000 + i}`,
          idleSeconds: i * 61,
        })),
      };
      assert.deepEqual(decodeServerMessage(onlyFrame(encodeServerMessage(many))), many);
    });

    it("rejects encoding a message larger than the frame limit", () => {
      assertProtocolError(
        () => encodeClientMessage({ type: "say", seq: 1, text: "x".repeat(1024 * 1024) }),
        ErrorCode.FrameTooLarge,
      );
    });
    it("gives a file chunk's data as the rest of the payload", () => {
      // The frame length delimits the data, so a shorter payload is shorter data.
      const frame = onlyFrame(
        encodeClientMessage({
          type: "file-chunk",
          id: 5,
          offset: 10,
          data: Uint8Array.of(1, 2, 3),
        }),
      );
      const shorter = { type: frame.type, payload: frame.payload.subarray(0, 13) };
      assert.deepEqual(decodeClientMessage(shorter), {
        type: "file-chunk",
        id: 5,
        offset: 10,
        data: Uint8Array.of(1),
      });
    });

    it("refuses to encode a file chunk larger than the frame limit, like any other message", () => {
      // Otherwise the peer's decoder rejects the frame as fatal and drops the connection.
      const data = new Uint8Array(MAX_FRAME_PAYLOAD);
      assertProtocolError(
        () => encodeClientMessage({ type: "file-chunk", id: 1, offset: 0, data }),
        ErrorCode.FrameTooLarge,
      );
      assertProtocolError(
        () => encodeServerMessage({ type: "file-chunk", id: 1, offset: 0, data }),
        ErrorCode.FrameTooLarge,
      );
    });
  });

  describe("wire format", () => {
    it("writes a say as seq, then text and room as length-prefixed UTF-8 strings", () => {
      const bytes = encodeClientMessage({ type: "say", seq: 0x0102, text: "é", room: "#a" });
      assert.deepEqual([...bytes], [...hex("00000010 02  00000102  00000002 c3a9  00000002 2361")]);
    });

    it("writes a say without a room with an empty room", () => {
      const bytes = encodeClientMessage({ type: "say", seq: 0x0102, text: "é" });
      assert.deepEqual([...bytes], [...hex("0000000e 02  00000102  00000002 c3a9  00000000")]);
    });

    it("writes a chat message as kind, f64 ts, from, to, text, room, f64 id, replayed byte", () => {
      const bytes = encodeServerMessage({
        type: "message",
        kind: "private",
        ts: 1,
        from: "a",
        to: "b",
        text: "",
        room: "",
        id: 2,
        replayed: true,
      });
      assert.deepEqual(
        [...bytes],
        [
          ...hex(
            "00000024 42  02  3ff0000000000000  00000001 61  00000001 62  00000000" +
              "  00000000  4000000000000000  01",
          ),
        ],
      );
    });

    it("writes a history request as seq, target, f64 before, u32 limit", () => {
      const bytes = encodeClientMessage({
        type: "history",
        seq: 1,
        target: "b",
        before: 2,
        limit: 50,
      });
      assert.deepEqual(
        [...bytes],
        [...hex("00000015 0d  00000001  00000001 62  4000000000000000  00000032")],
      );
    });

    it("writes a room list as seq, count, then name, members, topic per room", () => {
      const bytes = encodeServerMessage({
        type: "room-list",
        seq: 1,
        rooms: [{ name: "#a", members: 3, topic: "t" }],
      });
      assert.deepEqual(
        [...bytes],
        [...hex("00000017 5b  00000001 00000001  00000002 2361  00000003  00000001 74")],
      );
    });

    it("writes a file list as seq, count, the files, total, then each file's place, time and hash", () => {
      const bytes = encodeServerMessage({
        type: "file-list",
        seq: 1,
        files: [
          {
            id: 2,
            from: "a",
            name: "b",
            size: 3,
            expiresAt: 4,
            afterLine: 5,
            sharedAt: 6,
            sha256: new Uint8Array(32).fill(0xab),
          },
        ],
        total: 7,
      });
      assert.deepEqual(
        [...bytes],
        [
          ...hex(
            "0000005e 58  00000001 00000001" +
              "  00000002  00000001 61  00000001 62  4008000000000000  4010000000000000" +
              "  00000007" +
              `  4014000000000000  4018000000000000  00000020 ${"ab".repeat(32)}`,
          ),
        ],
      );
    });

    it("writes a who-list as seq, count, then nick, address, idle per user, then the room", () => {
      const bytes = encodeServerMessage({
        type: "who-list",
        seq: 1,
        room: "",
        users: [{ nick: "a", address: "b", idleSeconds: 2 }],
      });
      assert.deepEqual(
        [...bytes],
        [...hex("0000001a 48  00000001 00000001  00000001 61  00000001 62  00000002  00000000")],
      );
    });
  });

  describe("frames from peers older than their appended fields (§12)", () => {
    it("reads a message without room, id and replayed as a live line of #lobby", () => {
      for (const kind of ["say", "action"] as const) {
        const m = chatLine(kind, "#dev");
        assert.deepEqual(fromOlderServer(m, appendedBytes(m)), {
          ...m,
          room: "#lobby",
          id: 0,
          replayed: false,
        });
      }
    });

    it("reads a private message without room, id and replayed as a live one of no room", () => {
      const m = chatLine("private", "");
      assert.deepEqual(fromOlderServer(m, appendedBytes(m)), { ...m, id: 0, replayed: false });
    });

    it("reads a message cut anywhere inside room, id and replayed as malformed", () => {
      // The three came together: a frame with some of them is no older server's.
      const m = chatLine("say", "#dev");
      const frame = onlyFrame(encodeServerMessage(m));
      for (let bytes = 1; bytes < appendedBytes(m); bytes++) {
        assertProtocolError(
          () => decodeServerMessage(withoutLast(frame, bytes)),
          ErrorCode.Malformed,
        );
      }
    });

    it("reads a welcome or joined without a room as #lobby, the one room there was", () => {
      const welcome: ServerMessage = {
        type: "welcome",
        nick: "ana",
        server: "s",
        maxMessageBytes: 4096,
        room: "#dev",
      };
      assert.deepEqual(fromOlderServer(welcome, strBytes("#dev")), { ...welcome, room: "#lobby" });
      const joined: ServerMessage = { type: "joined", nick: "cy", room: "#dev" };
      assert.deepEqual(fromOlderServer(joined, strBytes("#dev")), { ...joined, room: "#lobby" });
    });

    it("reads a left without a room as leaving the server", () => {
      const left: ServerMessage = { type: "left", nick: "cy", reason: "bye", room: "#dev" };
      assert.deepEqual(fromOlderServer(left, strBytes("#dev")), { ...left, room: "" });
    });

    it("reads a room cut inside its bytes as malformed, not as a missing room", () => {
      const joined = onlyFrame(encodeServerMessage({ type: "joined", nick: "cy", room: "#dev" }));
      for (let bytes = 1; bytes <= encodeUtf8("#dev").length; bytes++) {
        assertProtocolError(
          () => decodeServerMessage(withoutLast(joined, bytes)),
          ErrorCode.Malformed,
        );
      }
    });

    it("reads a file offer or verdict without a room as #lobby's, keeping their flags", () => {
      const offer: ServerMessage = {
        type: "file-offered",
        id: 1,
        from: "a",
        name: "n",
        size: 9,
        offset: 0,
        requested: true,
        room: "#dev",
      };
      assert.deepEqual(fromOlderServer(offer, strBytes("#dev")), { ...offer, room: "#lobby" });
      const verdict: ServerMessage = {
        type: "file-verified",
        id: 1,
        from: "a",
        name: "n",
        size: 9,
        ok: true,
        reason: "",
        senderHash: false,
        room: "#dev",
      };
      // The room, and the hash's length after it.
      assert.deepEqual(fromOlderServer(verdict, strBytes("#dev") + 4), {
        ...verdict,
        room: "#lobby",
      });
    });

    it("reads a file offer or verdict from a server before their flags as it meant them", () => {
      const offer = {
        type: "file-offered",
        id: 1,
        from: "a",
        name: "n",
        size: 9,
        requested: true,
        room: "#dev",
      } as const;
      const flagAndRoom = 1 + strBytes("#dev");
      assert.deepEqual(fromOlderServer({ ...offer, offset: 0 }, flagAndRoom), {
        ...offer,
        offset: 0,
        requested: false,
        room: "#lobby",
      });
      assert.deepEqual(fromOlderServer({ ...offer, offset: 5 }, flagAndRoom), {
        ...offer,
        offset: 5,
        requested: true,
        room: "#lobby",
      });
      const verdict: ServerMessage = {
        type: "file-verified",
        id: 1,
        from: "a",
        name: "n",
        size: 9,
        ok: true,
        reason: "",
        senderHash: false,
        room: "#dev",
      };
      assert.deepEqual(fromOlderServer(verdict, flagAndRoom + 4), {
        ...verdict,
        senderHash: true,
        room: "#lobby",
      });
    });

    it("reads a file list from a server before `total` as complete, its files unplaced", () => {
      const list = SERVER_MESSAGES.find((m) => m.type === "file-list" && m.files.length > 0);
      assert.ok(list?.type === "file-list");
      const unplaced = list.files.map((f) => ({
        ...f,
        afterLine: 0,
        sharedAt: 0,
        sha256: new Uint8Array(0),
      }));
      assert.deepEqual(fromOlderServer(list, appendedBytes(list)), {
        ...list,
        files: unplaced,
        total: 2,
      });
    });

    it("reads a file list from a server before places, times and hashes as before every line", () => {
      const list = SERVER_MESSAGES.find((m) => m.type === "file-list" && m.files.length > 0);
      assert.ok(list?.type === "file-list");
      const placements = appendedBytes(list) - 4;
      assert.deepEqual(fromOlderServer(list, placements), {
        ...list,
        files: list.files.map((f) => ({
          ...f,
          afterLine: 0,
          sharedAt: 0,
          sha256: new Uint8Array(0),
        })),
      });
    });

    it("reads a file list cut anywhere inside its places, times and hashes as malformed", () => {
      // They come for every file or for none: a frame with some of them is no older server's.
      const list = SERVER_MESSAGES.find((m) => m.type === "file-list" && m.files.length > 0);
      assert.ok(list?.type === "file-list");
      const frame = onlyFrame(encodeServerMessage(list));
      for (let bytes = 1; bytes < appendedBytes(list) - 4; bytes++) {
        assertProtocolError(
          () => decodeServerMessage(withoutLast(frame, bytes)),
          ErrorCode.Malformed,
        );
      }
    });

    it("reads a hello without history as asking for the server's default: no history field", () => {
      const hello: ClientMessage = { type: "hello", nick: "ana", client: "c", history: 10 };
      assert.deepEqual(fromOlderClient(hello, 4), { type: "hello", nick: "ana", client: "c" });
    });

    it("reads a say, action, file offer or files without a room as for the room typed into", () => {
      const sent: ClientMessage[] = [
        { type: "say", seq: 1, text: "hi", room: "#dev" },
        { type: "action", seq: 1, text: "waves", room: "#dev" },
        { type: "file-offer", seq: 1, name: "n", size: 9, room: "#dev" },
        { type: "files", seq: 1, room: "#dev" },
      ];
      for (const m of sent) {
        assert.deepEqual(fromOlderClient(m, strBytes("#dev")), { ...m, room: "" }, m.type);
      }
    });

    it("reads a file-get without name and room as one by id, in the room typed into", () => {
      const get: ClientMessage = {
        type: "file-get",
        seq: 1,
        id: 3,
        offset: 0,
        name: "n.txt",
        room: "#dev",
      };
      assert.deepEqual(fromOlderClient(get, strBytes("#dev")), { ...get, room: "" });
      assert.deepEqual(fromOlderClient(get, strBytes("n.txt") + strBytes("#dev")), {
        ...get,
        name: "",
        room: "",
      });
    });
  });

  describe("optional client fields", () => {
    it("sends a say, action, file offer, files or file-get without them as empty strings", () => {
      const cases: [ClientMessage, ClientMessage][] = [
        [
          { type: "say", seq: 1, text: "hi" },
          { type: "say", seq: 1, text: "hi", room: "" },
        ],
        [
          { type: "action", seq: 1, text: "waves" },
          { type: "action", seq: 1, text: "waves", room: "" },
        ],
        [
          { type: "file-offer", seq: 1, name: "n", size: 9 },
          { type: "file-offer", seq: 1, name: "n", size: 9, room: "" },
        ],
        [
          { type: "files", seq: 1 },
          { type: "files", seq: 1, room: "" },
        ],
        [
          { type: "file-get", seq: 1, id: 3, offset: 0 },
          { type: "file-get", seq: 1, id: 3, offset: 0, name: "", room: "" },
        ],
      ];
      for (const [sent, read] of cases) {
        assert.deepEqual(decodeClientMessage(onlyFrame(encodeClientMessage(sent))), read);
      }
    });

    it("reads a hello asking for SERVER_HISTORY_DEFAULT lines as one that did not say", () => {
      const hello: ClientMessage = {
        type: "hello",
        nick: "ana",
        client: "c",
        history: SERVER_HISTORY_DEFAULT,
      };
      assert.deepEqual(decodeClientMessage(onlyFrame(encodeClientMessage(hello))), {
        type: "hello",
        nick: "ana",
        client: "c",
      });
    });
  });

  describe("decoding errors", () => {
    it("throws CHAT_ERR_MALFORMED for every truncation of every message's payload", () => {
      const cases: (readonly [ClientMessage | ServerMessage, Frame, (f: Frame) => unknown])[] = [
        ...CLIENT_MESSAGES.map(
          (m) => [m, onlyFrame(encodeClientMessage(m)), decodeClientMessage] as const,
        ),
        ...SERVER_MESSAGES.map(
          (m) => [m, onlyFrame(encodeServerMessage(m)), decodeServerMessage] as const,
        ),
      ];
      for (const [m, frame, decode] of cases) {
        const name = m.type;
        // A file chunk's data is the rest of the payload: only its 12-byte head can be cut short.
        // Without the fields appended since, a frame is one from an older peer (tested below).
        const end = name === "file-chunk" ? 12 : frame.payload.length - appendedBytes(m);
        for (let length = 0; length < end; length++) {
          const truncated = { type: frame.type, payload: frame.payload.slice(0, length) };
          assert.throws(
            () => decode(truncated),
            (error: unknown) =>
              error instanceof ProtocolError && error.code === ErrorCode.Malformed,
            `${name} truncated to ${length} of ${frame.payload.length} bytes`,
          );
        }
      }
    });

    it("throws CHAT_ERR_MALFORMED when a string length runs past the payload", () => {
      // say: seq 1, then a string claiming 100 bytes with only 2 present.
      const payload = hex("00000001 00000064 6869");
      assertProtocolError(
        () => decodeClientMessage({ type: FrameType.Say, payload }),
        ErrorCode.Malformed,
      );
    });

    it("throws CHAT_ERR_MALFORMED when a string length is 4 GiB", () => {
      const payload = hex("ffffffff");
      assertProtocolError(
        () => decodeServerMessage({ type: FrameType.Joined, payload }),
        ErrorCode.Malformed,
      );
    });

    it("throws CHAT_ERR_INVALID_UTF8 for invalid UTF-8 in a string field", () => {
      const invalid = [
        "ff", // never valid
        "c3", // truncated two-byte sequence
        "80", // lone continuation byte
        "c0af", // overlong "/"
        "eda080", // UTF-8-encoded surrogate U+D800
        "f4908080", // above U+10FFFF
      ];
      for (const bytes of invalid) {
        const length = (bytes.length / 2).toString(16).padStart(8, "0");
        const say = hex(`00000001 ${length} ${bytes}`);
        assertProtocolError(
          () => decodeClientMessage({ type: FrameType.Say, payload: say }),
          ErrorCode.InvalidUtf8,
        );
        const joined = hex(`${length} ${bytes}`);
        assertProtocolError(
          () => decodeServerMessage({ type: FrameType.Joined, payload: joined }),
          ErrorCode.InvalidUtf8,
        );
      }
    });

    it("decodes every sender's nick right when thousands of nicks share the name cache", () => {
      // 256 cache slots, 5000 nicks: slots collide and entries are replaced over and over.
      const nicks = Array.from({ length: 5000 }, (_, i) => `n${i}${"é".repeat(i % 7)}`);
      for (let round = 0; round < 3; round++) {
        for (const from of nicks) {
          const m: ServerMessage = { ...chatLine("say", "#lobby"), from };
          const frame = onlyFrame(encodeServerMessage(m));
          assert.equal((decodeServerMessage(frame) as { from: string }).from, from);
        }
      }
    });

    it("does not hand out a cached nick for bytes that changed in the same buffer", () => {
      const m: ServerMessage = { ...chatLine("say", "#lobby"), from: "anna" };
      const bytes = encodeServerMessage(m);
      assert.equal((decodeServerMessage(onlyFrame(bytes)) as { from: string }).from, "anna");
      const at = bytes.indexOf("a".charCodeAt(0), 5 + 1 + 8 + 4);
      bytes[at] = "e".charCodeAt(0);
      assert.equal((decodeServerMessage(onlyFrame(bytes)) as { from: string }).from, "enna");
    });

    it("throws CHAT_ERR_INVALID_UTF8 for a nick, whose decoding goes through the cache", () => {
      const payload = hex("00 3ff0000000000000 00000002 c328 00000000 00000001 74");
      for (let i = 0; i < 2; i++) {
        assertProtocolError(
          () => decodeServerMessage({ type: FrameType.Message, payload }),
          ErrorCode.InvalidUtf8,
        );
      }
    });

    it("throws CHAT_ERR_INVALID_UTF8 in a later field too (private text, who-list address)", () => {
      const privateMessage = hex("00000001 00000001 62 00000001 ff");
      assertProtocolError(
        () => decodeClientMessage({ type: FrameType.Private, payload: privateMessage }),
        ErrorCode.InvalidUtf8,
      );
      const whoList = hex("00000001 00000001 00000001 61 00000002 c328 00000000");
      assertProtocolError(
        () => decodeServerMessage({ type: FrameType.WhoList, payload: whoList }),
        ErrorCode.InvalidUtf8,
      );
    });

    it("throws CHAT_ERR_UNKNOWN_FRAME for a frame type the side does not know", () => {
      const unknown = [0x00, 0x0e, 0x0f, 0x12, 0x40, 0x4b, 0x5d, 0x7f, 0xff];
      for (const type of unknown) {
        const payload = new Uint8Array(16);
        assertProtocolError(() => decodeClientMessage({ type, payload }), ErrorCode.UnknownFrame);
        assertProtocolError(() => decodeServerMessage({ type, payload }), ErrorCode.UnknownFrame);
      }
    });

    it("throws CHAT_ERR_UNKNOWN_FRAME for server frames sent to the server and vice versa", () => {
      const welcome = onlyFrame(encodeServerMessage(SERVER_MESSAGES[0] as ServerMessage));
      assertProtocolError(() => decodeClientMessage(welcome), ErrorCode.UnknownFrame);
      const hello = onlyFrame(encodeClientMessage(CLIENT_MESSAGES[0] as ClientMessage));
      assertProtocolError(() => decodeServerMessage(hello), ErrorCode.UnknownFrame);
    });

    it("names the unknown type in hex in the error message", () => {
      assert.throws(() => decodeClientMessage({ type: 0x0e, payload: new Uint8Array(0) }), /0x0e/);
    });

    it("throws CHAT_ERR_MALFORMED for an unknown message kind byte", () => {
      for (const kind of [3, 4, 0x7f, 0xff]) {
        const payload = hex(
          `${kind.toString(16).padStart(2, "0")} 0000000000000000 00000000 00000000 00000000`,
        );
        assertProtocolError(
          () => decodeServerMessage({ type: FrameType.Message, payload }),
          ErrorCode.Malformed,
        );
      }
    });

    it("decodes a payload that is a view into a larger buffer at an offset", () => {
      const bytes = encodeServerMessage({ type: "renamed", from: "a", to: "b" });
      const backing = new Uint8Array(bytes.length + 13).fill(0xff);
      backing.set(bytes.subarray(5), 7);
      const payload = backing.subarray(7, 7 + bytes.length - 5);
      assert.deepEqual(decodeServerMessage({ type: FrameType.Renamed, payload }), {
        type: "renamed",
        from: "a",
        to: "b",
      });
    });

    it("decode errors are not fatal: the stream itself is still in sync", () => {
      const error = (() => {
        try {
          decodeClientMessage({ type: 0x7f, payload: new Uint8Array(0) });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.fatal, false);
    });
  });
});
