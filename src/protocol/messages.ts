// Typed messages and their frame encodings. Client messages flow to the
// server, server messages to clients; ping and pong flow both ways.

import { ErrorCode, ProtocolError } from "./errors.js";
import {
  FRAME_HEADER_BYTES,
  type Frame,
  FrameType,
  MAX_FRAME_PAYLOAD,
  SHA256_BYTES,
} from "./frame.js";
import { FrameWriter, PayloadReader } from "./payload.js";
import { DEFAULT_ROOM } from "./rooms.js";

/**
 * Silence after which either side pings; a ping unanswered for as long again ends the
 * connection. A minute keeps idle connections nearly free (each round wakes both ends)
 * while a dead peer still goes within two, as IRC servers' PING timeouts do.
 */
export const HEARTBEAT_MS = 60_000;

export type Ping = { type: "ping"; token: number };
export type Pong = { type: "pong"; token: number };

/** File data; the same shape flows up (sender to server) and down (server to receiver). */
export type FileChunk = { type: "file-chunk"; id: number; offset: number; data: Uint8Array };
export type FileEnd = { type: "file-end"; id: number; sha256: Uint8Array };
/** Permission to send `bytes` more of transfer `id`. */
export type FileWindow = { type: "file-window"; id: number; bytes: number };

/** `history` in a hello: the server's own default number of lines to replay. */
export const SERVER_HISTORY_DEFAULT = 0xffffffff;

export type ClientMessage =
  /** `history`: lines to replay on joining a room; absent, the server's default. */
  | { type: "hello"; nick: string; client: string; history?: number }
  /** `room`: where the line goes; "" or absent, the room the client types into (the last joined). */
  | { type: "say"; seq: number; text: string; room?: string }
  | { type: "action"; seq: number; text: string; room?: string }
  | { type: "private"; seq: number; to: string; text: string }
  | { type: "nick"; seq: number; nick: string }
  /** `room`: that room's members; "" or absent: everyone online. */
  | { type: "who"; seq: number; room?: string }
  | { type: "help"; seq: number }
  | { type: "quit"; seq: number; reason: string }
  | { type: "join"; seq: number; room: string }
  /** `room` "": the room the client types into. */
  | { type: "part"; seq: number; room: string; reason: string }
  | { type: "rooms"; seq: number }
  /** Sets the topic to `text` when `set`, else asks for it; `room` "": the room the client types into. */
  | { type: "topic"; seq: number; room: string; set: boolean; text: string }
  /**
   * A page of `limit` lines before line `before` of a room or of the private
   * conversation with a nickname (`target` "": the room typed into). `before`
   * 0: before the oldest line this connection was last shown of it, or the
   * newest lines when none was.
   */
  | { type: "history"; seq: number; target: string; before: number; limit: number }
  | { type: "file-offer"; seq: number; name: string; size: number; room?: string }
  | FileChunk
  | FileEnd
  | { type: "file-cancel"; id: number; reason: string }
  | FileWindow
  /** By id; or, with `id` 0, the newest file called `name` in `room` ("": the room typed into). */
  | { type: "file-get"; seq: number; id: number; offset: number; name?: string; room?: string }
  | { type: "file-received"; id: number; ok: boolean; reason: string }
  | { type: "files"; seq: number; room?: string }
  | Ping
  | Pong;

export const MessageKind = { say: 0, action: 1, private: 2 } as const;
export type MessageKind = keyof typeof MessageKind;
const messageKinds = Object.keys(MessageKind) as MessageKind[];

export interface WhoEntry {
  nick: string;
  address: string;
  idleSeconds: number;
}

export interface FileEntry {
  id: number;
  from: string;
  name: string;
  size: number;
  /** Server time in milliseconds since the epoch after which the file is gone. */
  expiresAt: number;
  /** Where it sits in its room's history: after stored line `afterLine` (0: before every line). */
  afterLine: number;
  /** Server time in milliseconds since the epoch when it was verified. */
  sharedAt: number;
  /** The verified SHA-256; empty (and `afterLine`, `sharedAt` 0) from a server that sends none. */
  sha256: Uint8Array;
}

export interface RoomEntry {
  name: string;
  members: number;
  topic: string;
}

export type ChatMessage = {
  type: "message";
  kind: MessageKind;
  /** Server time in milliseconds since the epoch. */
  ts: number;
  from: string;
  /** The recipient of a private message; empty otherwise. */
  to: string;
  text: string;
  /** The room it was said in; "" for a private message. */
  room: string;
  /** The server's id for the line: increasing in the order lines were posted; 0 from servers without history. */
  id: number;
  /** Sent from the history (on joining a room, or asked for), not as it happened. */
  replayed: boolean;
};

export type ServerMessage =
  /** `room`: the room the client is in and types into. */
  | { type: "welcome"; nick: string; server: string; maxMessageBytes: number; room: string }
  | ChatMessage
  | { type: "joined"; nick: string; room: string }
  /** `room` "": left the server (told once to everyone who shared a room); else left that room. */
  | { type: "left"; nick: string; reason: string; room: string }
  | { type: "renamed"; from: string; to: string }
  | { type: "ack"; seq: number }
  | { type: "error"; seq: number; code: string; message: string }
  /** Everyone online, or (`room` not "") that room's members. */
  | { type: "who-list"; seq: number; users: WhoEntry[]; room: string }
  | { type: "notice"; text: string }
  | { type: "bye"; code: string; reason: string }
  | { type: "file-accepted"; seq: number; id: number }
  /**
   * A file is coming: live from its sender, or, `requested` by this client with
   * /get, from the spool from `offset` on.
   */
  | {
      type: "file-offered";
      id: number;
      from: string;
      name: string;
      size: number;
      offset: number;
      requested: boolean;
      /** The room it was shared in. */
      room: string;
    }
  | FileChunk
  | FileEnd
  | FileWindow
  | { type: "file-cancelled"; id: number; name: string; reason: string }
  /**
   * The server's verdict on an upload, told to everyone. `senderHash`: the
   * sender's SHA-256 was checked against what arrived; false when the sender
   * gave none (the original chat's upload) and the server's own stands.
   */
  | {
      type: "file-verified";
      id: number;
      from: string;
      name: string;
      size: number;
      ok: boolean;
      reason: string;
      senderHash: boolean;
      room: string;
      /** The file's SHA-256 once verified: what a link to it over HTTP can show. */
      sha256?: Uint8Array;
    }
  /** To the sender: every receiver has confirmed or failed. */
  | {
      type: "file-complete";
      id: number;
      name: string;
      delivered: number;
      failed: number;
      detail: string;
    }
  /** The newest shared files, and how many there are in all (`total` ≥ `files.length`). */
  | { type: "file-list"; seq: number; files: FileEntry[]; total: number }
  /** To a client that joined room `name` (answering `join` `seq`; 0 for the room joined at hello). */
  | { type: "room"; seq: number; name: string; topic: string; members: number }
  /** A room's topic: set by `by` ("" when it was never set or on asking). */
  | { type: "topic-is"; room: string; topic: string; by: string }
  | { type: "room-list"; seq: number; rooms: RoomEntry[] }
  /**
   * The end of a page of replayed lines of `target` (a room, or a nickname
   * for a private conversation): `count` lines came, and `more` says whether
   * older ones are kept.
   */
  | { type: "history-end"; seq: number; target: string; count: number; more: boolean }
  | Ping
  | Pong;

/**
 * The header of a file-chunk frame carrying `length` data bytes, so the data
 * can be written after it without being copied into one buffer.
 */
export function fileChunkHeader(
  direction: "up" | "down",
  id: number,
  offset: number,
  length: number,
): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES + 12);
  const view = new DataView(header.buffer);
  view.setUint32(0, 12 + length);
  view.setUint8(4, direction === "up" ? FrameType.FileChunk : FrameType.ServerFileChunk);
  view.setUint32(5, id);
  view.setFloat64(9, offset);
  return header;
}

function encodeFileChunk(direction: "up" | "down", m: FileChunk): Uint8Array {
  if (12 + m.data.length > MAX_FRAME_PAYLOAD) {
    throw new ProtocolError(
      ErrorCode.FrameTooLarge,
      `a chunk of ${m.data.length} bytes does not fit in a frame`,
    );
  }
  const header = fileChunkHeader(direction, m.id, m.offset, m.data.length);
  const frame = new Uint8Array(header.length + m.data.length);
  frame.set(header);
  frame.set(m.data, header.length);
  return frame;
}

function readFileChunk(r: PayloadReader): FileChunk {
  return { type: "file-chunk", id: r.u32(), offset: r.f64(), data: r.rest() };
}

function readSha256(r: PayloadReader): Uint8Array {
  return r.raw(SHA256_BYTES);
}

/** A SHA-256 that may be absent: its length (0 or 32), then its bytes. */
function optionalSha256(r: PayloadReader): Uint8Array | undefined {
  const length = r.u32();
  if (length === 0) return undefined;
  if (length !== SHA256_BYTES) {
    throw new ProtocolError(
      ErrorCode.Malformed,
      `a SHA-256 has ${SHA256_BYTES} bytes, not ${length}`,
    );
  }
  return r.raw(length).slice();
}

export function encodeClientMessage(m: ClientMessage): Uint8Array {
  switch (m.type) {
    case "hello":
      return new FrameWriter(FrameType.Hello)
        .str(m.nick)
        .str(m.client)
        .u32(m.history ?? SERVER_HISTORY_DEFAULT)
        .finish();
    case "say":
      return new FrameWriter(FrameType.Say, m.text.length + 48)
        .u32(m.seq)
        .str(m.text)
        .str(m.room ?? "")
        .finish();
    case "action":
      return new FrameWriter(FrameType.Action, m.text.length + 48)
        .u32(m.seq)
        .str(m.text)
        .str(m.room ?? "")
        .finish();
    case "private":
      return new FrameWriter(FrameType.Private, m.text.length + 32)
        .u32(m.seq)
        .str(m.to)
        .str(m.text)
        .finish();
    case "nick":
      return new FrameWriter(FrameType.Nick).u32(m.seq).str(m.nick).finish();
    case "who":
      return new FrameWriter(FrameType.Who)
        .u32(m.seq)
        .str(m.room ?? "")
        .finish();
    case "help":
      return new FrameWriter(FrameType.Help).u32(m.seq).finish();
    case "quit":
      return new FrameWriter(FrameType.Quit).u32(m.seq).str(m.reason).finish();
    case "join":
      return new FrameWriter(FrameType.Join).u32(m.seq).str(m.room).finish();
    case "part":
      return new FrameWriter(FrameType.Part).u32(m.seq).str(m.room).str(m.reason).finish();
    case "rooms":
      return new FrameWriter(FrameType.Rooms).u32(m.seq).finish();
    case "topic":
      return new FrameWriter(FrameType.Topic)
        .u32(m.seq)
        .str(m.room)
        .u8(m.set ? 1 : 0)
        .str(m.text)
        .finish();
    case "history":
      return new FrameWriter(FrameType.History)
        .u32(m.seq)
        .str(m.target)
        .f64(m.before)
        .u32(m.limit)
        .finish();
    case "file-offer":
      return new FrameWriter(FrameType.FileOffer)
        .u32(m.seq)
        .str(m.name)
        .f64(m.size)
        .str(m.room ?? "")
        .finish();
    case "file-chunk":
      return encodeFileChunk("up", m);
    case "file-end":
      return new FrameWriter(FrameType.FileEnd).u32(m.id).raw(m.sha256).finish();
    case "file-cancel":
      return new FrameWriter(FrameType.FileCancel).u32(m.id).str(m.reason).finish();
    case "file-window":
      return new FrameWriter(FrameType.FileWindow, 8).u32(m.id).u32(m.bytes).finish();
    case "file-get":
      return new FrameWriter(FrameType.FileGet)
        .u32(m.seq)
        .u32(m.id)
        .f64(m.offset)
        .str(m.name ?? "")
        .str(m.room ?? "")
        .finish();
    case "file-received":
      return new FrameWriter(FrameType.FileReceived)
        .u32(m.id)
        .u8(m.ok ? 1 : 0)
        .str(m.reason)
        .finish();
    case "files":
      return new FrameWriter(FrameType.Files)
        .u32(m.seq)
        .str(m.room ?? "")
        .finish();
    case "ping":
    case "pong":
      return encodePingPong(m);
  }
}

export function decodeClientMessage(frame: Frame): ClientMessage {
  const r = new PayloadReader(frame.payload);
  switch (frame.type) {
    case FrameType.Hello: {
      const hello = { type: "hello", nick: r.str(), client: r.str() } as const;
      if (r.remaining < 4) return hello;
      const history = r.u32();
      return history === SERVER_HISTORY_DEFAULT ? hello : { ...hello, history };
    }
    case FrameType.Say:
      return { type: "say", seq: r.u32(), text: r.str(), room: optionalStr(r) };
    case FrameType.Action:
      return { type: "action", seq: r.u32(), text: r.str(), room: optionalStr(r) };
    case FrameType.Private:
      return { type: "private", seq: r.u32(), to: r.str(), text: r.str() };
    case FrameType.Nick:
      return { type: "nick", seq: r.u32(), nick: r.str() };
    case FrameType.Who:
      return { type: "who", seq: r.u32(), room: optionalStr(r) };
    case FrameType.Help:
      return { type: "help", seq: r.u32() };
    case FrameType.Quit:
      return { type: "quit", seq: r.u32(), reason: r.str() };
    case FrameType.Join:
      return { type: "join", seq: r.u32(), room: r.str() };
    case FrameType.Part:
      return { type: "part", seq: r.u32(), room: r.str(), reason: r.str() };
    case FrameType.Rooms:
      return { type: "rooms", seq: r.u32() };
    case FrameType.Topic:
      return { type: "topic", seq: r.u32(), room: r.str(), set: r.u8() === 1, text: r.str() };
    case FrameType.History:
      return { type: "history", seq: r.u32(), target: r.str(), before: r.f64(), limit: r.u32() };
    case FrameType.FileOffer:
      return {
        type: "file-offer",
        seq: r.u32(),
        name: r.str(),
        size: r.f64(),
        room: optionalStr(r),
      };
    case FrameType.FileChunk:
      return readFileChunk(r);
    case FrameType.FileEnd:
      return { type: "file-end", id: r.u32(), sha256: readSha256(r) };
    case FrameType.FileCancel:
      return { type: "file-cancel", id: r.u32(), reason: r.str() };
    case FrameType.FileWindow:
      return { type: "file-window", id: r.u32(), bytes: r.u32() };
    case FrameType.FileGet:
      return {
        type: "file-get",
        seq: r.u32(),
        id: r.u32(),
        offset: r.f64(),
        name: optionalStr(r),
        room: optionalStr(r),
      };
    case FrameType.FileReceived:
      return { type: "file-received", id: r.u32(), ok: r.u8() === 1, reason: r.str() };
    case FrameType.Files:
      return { type: "files", seq: r.u32(), room: optionalStr(r) };
    case FrameType.Ping:
      return { type: "ping", token: r.u32() };
    case FrameType.Pong:
      return { type: "pong", token: r.u32() };
    default:
      throw unknownFrame(frame.type);
  }
}

export function encodeServerMessage(m: ServerMessage): Uint8Array {
  switch (m.type) {
    case "welcome":
      return new FrameWriter(FrameType.Welcome)
        .str(m.nick)
        .str(m.server)
        .u32(m.maxMessageBytes)
        .str(m.room)
        .finish();
    case "message":
      return new FrameWriter(FrameType.Message, m.text.length + 96)
        .u8(MessageKind[m.kind])
        .f64(m.ts)
        .str(m.from)
        .str(m.to)
        .str(m.text)
        .str(m.room)
        .f64(m.id)
        .u8(m.replayed ? 1 : 0)
        .finish();
    case "joined":
      return new FrameWriter(FrameType.Joined).str(m.nick).str(m.room).finish();
    case "left":
      return new FrameWriter(FrameType.Left).str(m.nick).str(m.reason).str(m.room).finish();
    case "renamed":
      return new FrameWriter(FrameType.Renamed).str(m.from).str(m.to).finish();
    case "ack":
      return new FrameWriter(FrameType.Ack, 4).u32(m.seq).finish();
    case "error":
      return new FrameWriter(FrameType.Error).u32(m.seq).str(m.code).str(m.message).finish();
    case "who-list": {
      const w = new FrameWriter(FrameType.WhoList, 8 + m.users.length * 48)
        .u32(m.seq)
        .u32(m.users.length);
      for (const u of m.users) w.str(u.nick).str(u.address).u32(u.idleSeconds);
      return w.str(m.room).finish();
    }
    case "notice":
      return new FrameWriter(FrameType.Notice, m.text.length + 8).str(m.text).finish();
    case "bye":
      return new FrameWriter(FrameType.Bye).str(m.code).str(m.reason).finish();
    case "file-accepted":
      return new FrameWriter(FrameType.FileAccepted, 8).u32(m.seq).u32(m.id).finish();
    case "file-offered":
      return new FrameWriter(FrameType.FileOffered)
        .u32(m.id)
        .str(m.from)
        .str(m.name)
        .f64(m.size)
        .f64(m.offset)
        .u8(m.requested ? 1 : 0)
        .str(m.room)
        .finish();
    case "file-chunk":
      return encodeFileChunk("down", m);
    case "file-end":
      return new FrameWriter(FrameType.ServerFileEnd).u32(m.id).raw(m.sha256).finish();
    case "file-window":
      return new FrameWriter(FrameType.ServerFileWindow, 8).u32(m.id).u32(m.bytes).finish();
    case "file-cancelled":
      return new FrameWriter(FrameType.FileCancelled).u32(m.id).str(m.name).str(m.reason).finish();
    case "file-verified":
      return new FrameWriter(FrameType.FileVerified)
        .u32(m.id)
        .str(m.from)
        .str(m.name)
        .f64(m.size)
        .u8(m.ok ? 1 : 0)
        .str(m.reason)
        .u8(m.senderHash ? 1 : 0)
        .str(m.room)
        .u32(m.sha256?.length ?? 0)
        .raw(m.sha256 ?? new Uint8Array(0))
        .finish();
    case "file-complete":
      return new FrameWriter(FrameType.FileComplete)
        .u32(m.id)
        .str(m.name)
        .u32(m.delivered)
        .u32(m.failed)
        .str(m.detail)
        .finish();
    case "file-list": {
      const w = new FrameWriter(FrameType.FileList, 12 + m.files.length * 128)
        .u32(m.seq)
        .u32(m.files.length);
      for (const f of m.files) w.u32(f.id).str(f.from).str(f.name).f64(f.size).f64(f.expiresAt);
      w.u32(m.total);
      // Appended after `total`, so an older client reads the list it knows and stops.
      for (const f of m.files)
        w.f64(f.afterLine).f64(f.sharedAt).u32(f.sha256.length).raw(f.sha256);
      return w.finish();
    }
    case "room":
      return new FrameWriter(FrameType.Room)
        .u32(m.seq)
        .str(m.name)
        .str(m.topic)
        .u32(m.members)
        .finish();
    case "topic-is":
      return new FrameWriter(FrameType.TopicIs).str(m.room).str(m.topic).str(m.by).finish();
    case "room-list": {
      const w = new FrameWriter(FrameType.RoomList, 8 + m.rooms.length * 64)
        .u32(m.seq)
        .u32(m.rooms.length);
      for (const room of m.rooms) w.str(room.name).u32(room.members).str(room.topic);
      return w.finish();
    }
    case "history-end":
      return new FrameWriter(FrameType.HistoryEnd)
        .u32(m.seq)
        .str(m.target)
        .u32(m.count)
        .u8(m.more ? 1 : 0)
        .finish();
    case "ping":
    case "pong":
      return encodePingPong(m);
  }
}

export function decodeServerMessage(frame: Frame): ServerMessage {
  const r = new PayloadReader(frame.payload);
  switch (frame.type) {
    case FrameType.Welcome:
      return {
        type: "welcome",
        nick: r.str(),
        server: r.str(),
        maxMessageBytes: r.u32(),
        // Servers before rooms had one, everyone's.
        room: optionalStr(r) || DEFAULT_ROOM,
      };
    case FrameType.Message: {
      const kind = messageKinds[r.u8()];
      if (kind === undefined) {
        throw new ProtocolError(ErrorCode.Malformed, "message frame has an unknown kind");
      }
      const ts = r.f64();
      const from = r.name();
      const to = r.name();
      const text = r.str();
      if (r.remaining === 0) {
        const room = kind === "private" ? "" : DEFAULT_ROOM;
        return { type: "message", kind, ts, from, to, text, room, id: 0, replayed: false };
      }
      // A room recurs as a nickname does: read through the same small cache.
      const room = r.name();
      return {
        type: "message",
        kind,
        ts,
        from,
        to,
        text,
        room,
        id: r.f64(),
        replayed: r.u8() === 1,
      };
    }
    case FrameType.Joined:
      return { type: "joined", nick: r.str(), room: optionalStr(r) || DEFAULT_ROOM };
    case FrameType.Left:
      return { type: "left", nick: r.str(), reason: r.str(), room: optionalStr(r) };
    case FrameType.Renamed:
      return { type: "renamed", from: r.str(), to: r.str() };
    case FrameType.Ack:
      return { type: "ack", seq: r.u32() };
    case FrameType.Error:
      return { type: "error", seq: r.u32(), code: r.str(), message: r.str() };
    case FrameType.WhoList: {
      const seq = r.u32();
      const count = r.u32();
      const users: WhoEntry[] = [];
      // Each entry takes at least 12 bytes, so a lying count fails on the first overrun.
      for (let i = 0; i < count; i++) {
        users.push({ nick: r.str(), address: r.str(), idleSeconds: r.u32() });
      }
      return { type: "who-list", seq, users, room: optionalStr(r) };
    }
    case FrameType.Notice:
      return { type: "notice", text: r.str() };
    case FrameType.Bye:
      return { type: "bye", code: r.str(), reason: r.str() };
    case FrameType.FileAccepted:
      return { type: "file-accepted", seq: r.u32(), id: r.u32() };
    case FrameType.FileOffered: {
      const id = r.u32();
      const from = r.str();
      const name = r.str();
      const size = r.f64();
      const offset = r.f64();
      // Before the flag, what a client asked for again was told apart only when resumed.
      const requested = r.remaining >= 1 ? r.u8() === 1 : offset > 0;
      const room = optionalStr(r) || DEFAULT_ROOM;
      return { type: "file-offered", id, from, name, size, offset, requested, room };
    }
    case FrameType.ServerFileChunk:
      return readFileChunk(r);
    case FrameType.ServerFileEnd:
      return { type: "file-end", id: r.u32(), sha256: readSha256(r) };
    case FrameType.ServerFileWindow:
      return { type: "file-window", id: r.u32(), bytes: r.u32() };
    case FrameType.FileCancelled:
      return { type: "file-cancelled", id: r.u32(), name: r.str(), reason: r.str() };
    case FrameType.FileVerified: {
      const verdict: ServerMessage = {
        type: "file-verified",
        id: r.u32(),
        from: r.str(),
        name: r.str(),
        size: r.f64(),
        ok: r.u8() === 1,
        reason: r.str(),
        // Before the flag, every upload came with the sender's hash.
        senderHash: r.remaining >= 1 ? r.u8() === 1 : true,
        room: optionalStr(r) || DEFAULT_ROOM,
      };
      // Servers before it sent no hash; a failed upload has none.
      const sha256 = r.remaining >= 4 ? optionalSha256(r) : undefined;
      return sha256 === undefined ? verdict : { ...verdict, sha256 };
    }
    case FrameType.FileComplete:
      return {
        type: "file-complete",
        id: r.u32(),
        name: r.str(),
        delivered: r.u32(),
        failed: r.u32(),
        detail: r.str(),
      };
    case FrameType.FileList: {
      const seq = r.u32();
      const count = r.u32();
      const listed: Omit<FileEntry, "afterLine" | "sharedAt" | "sha256">[] = [];
      for (let i = 0; i < count; i++) {
        listed.push({
          id: r.u32(),
          from: r.str(),
          name: r.str(),
          size: r.f64(),
          expiresAt: r.f64(),
        });
      }
      // Servers before `total` sent every file.
      const total = r.remaining >= 4 ? r.u32() : listed.length;
      // Servers before them sent no place, time or hash: each file reads as before every line.
      const placed = r.remaining > 0;
      const files = listed.map(
        (entry): FileEntry =>
          placed
            ? {
                ...entry,
                afterLine: r.f64(),
                sharedAt: r.f64(),
                sha256: optionalSha256(r) ?? new Uint8Array(0),
              }
            : { ...entry, afterLine: 0, sharedAt: 0, sha256: new Uint8Array(0) },
      );
      return { type: "file-list", seq, files, total };
    }
    case FrameType.Room:
      return { type: "room", seq: r.u32(), name: r.str(), topic: r.str(), members: r.u32() };
    case FrameType.TopicIs:
      return { type: "topic-is", room: r.str(), topic: r.str(), by: r.str() };
    case FrameType.RoomList: {
      const seq = r.u32();
      const count = r.u32();
      const rooms: RoomEntry[] = [];
      for (let i = 0; i < count; i++) {
        rooms.push({ name: r.str(), members: r.u32(), topic: r.str() });
      }
      return { type: "room-list", seq, rooms };
    }
    case FrameType.HistoryEnd:
      return {
        type: "history-end",
        seq: r.u32(),
        target: r.str(),
        count: r.u32(),
        more: r.u8() === 1,
      };
    case FrameType.Ping:
      return { type: "ping", token: r.u32() };
    case FrameType.Pong:
      return { type: "pong", token: r.u32() };
    default:
      throw unknownFrame(frame.type);
  }
}

/** A string appended after a frame's first fields: "" from a peer that predates it. */
function optionalStr(r: PayloadReader): string {
  return r.remaining >= 4 ? r.str() : "";
}

function encodePingPong(m: Ping | Pong): Uint8Array {
  const type = m.type === "ping" ? FrameType.Ping : FrameType.Pong;
  return new FrameWriter(type, 4).u32(m.token).finish();
}

function unknownFrame(type: number): ProtocolError {
  return new ProtocolError(
    ErrorCode.UnknownFrame,
    `unknown frame type 0x${type.toString(16).padStart(2, "0")}`,
  );
}
