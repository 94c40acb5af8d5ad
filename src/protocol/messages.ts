// Typed messages and their frame encodings. Client messages flow to the
// server, server messages to clients; ping and pong flow both ways.

import { ErrorCode, ProtocolError } from "./errors.js";
import { type Frame, FrameType } from "./frame.js";
import { FrameWriter, PayloadReader } from "./payload.js";

export type Ping = { type: "ping"; token: number };
export type Pong = { type: "pong"; token: number };

export type ClientMessage =
  | { type: "hello"; nick: string; client: string }
  | { type: "say"; seq: number; text: string }
  | { type: "action"; seq: number; text: string }
  | { type: "private"; seq: number; to: string; text: string }
  | { type: "nick"; seq: number; nick: string }
  | { type: "who"; seq: number }
  | { type: "help"; seq: number }
  | { type: "quit"; seq: number; reason: string }
  | Ping
  | Pong;

/** The requests a client waits an `ack` (or an `error`) for. */
export type ClientRequest = Extract<ClientMessage, { seq: number }>;

export const MessageKind = { say: 0, action: 1, private: 2 } as const;
export type MessageKind = keyof typeof MessageKind;
const messageKinds = Object.keys(MessageKind) as MessageKind[];

export interface WhoEntry {
  nick: string;
  address: string;
  idleSeconds: number;
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
};

export type ServerMessage =
  | { type: "welcome"; nick: string; server: string; maxMessageBytes: number }
  | ChatMessage
  | { type: "joined"; nick: string }
  | { type: "left"; nick: string; reason: string }
  | { type: "renamed"; from: string; to: string }
  | { type: "ack"; seq: number }
  | { type: "error"; seq: number; code: string; message: string }
  | { type: "who-list"; seq: number; users: WhoEntry[] }
  | { type: "notice"; text: string }
  | { type: "bye"; code: string; reason: string }
  | Ping
  | Pong;

export function encodeClientMessage(m: ClientMessage): Uint8Array {
  switch (m.type) {
    case "hello":
      return new FrameWriter(FrameType.Hello).str(m.nick).str(m.client).finish();
    case "say":
      return new FrameWriter(FrameType.Say, m.text.length + 8).u32(m.seq).str(m.text).finish();
    case "action":
      return new FrameWriter(FrameType.Action, m.text.length + 8).u32(m.seq).str(m.text).finish();
    case "private":
      return new FrameWriter(FrameType.Private, m.text.length + 32)
        .u32(m.seq)
        .str(m.to)
        .str(m.text)
        .finish();
    case "nick":
      return new FrameWriter(FrameType.Nick).u32(m.seq).str(m.nick).finish();
    case "who":
      return new FrameWriter(FrameType.Who).u32(m.seq).finish();
    case "help":
      return new FrameWriter(FrameType.Help).u32(m.seq).finish();
    case "quit":
      return new FrameWriter(FrameType.Quit).u32(m.seq).str(m.reason).finish();
    case "ping":
    case "pong":
      return encodePingPong(m);
  }
}

export function decodeClientMessage(frame: Frame): ClientMessage {
  const r = new PayloadReader(frame.payload);
  switch (frame.type) {
    case FrameType.Hello:
      return { type: "hello", nick: r.str(), client: r.str() };
    case FrameType.Say:
      return { type: "say", seq: r.u32(), text: r.str() };
    case FrameType.Action:
      return { type: "action", seq: r.u32(), text: r.str() };
    case FrameType.Private:
      return { type: "private", seq: r.u32(), to: r.str(), text: r.str() };
    case FrameType.Nick:
      return { type: "nick", seq: r.u32(), nick: r.str() };
    case FrameType.Who:
      return { type: "who", seq: r.u32() };
    case FrameType.Help:
      return { type: "help", seq: r.u32() };
    case FrameType.Quit:
      return { type: "quit", seq: r.u32(), reason: r.str() };
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
        .finish();
    case "message":
      return new FrameWriter(FrameType.Message, m.text.length + 48)
        .u8(MessageKind[m.kind])
        .f64(m.ts)
        .str(m.from)
        .str(m.to)
        .str(m.text)
        .finish();
    case "joined":
      return new FrameWriter(FrameType.Joined).str(m.nick).finish();
    case "left":
      return new FrameWriter(FrameType.Left).str(m.nick).str(m.reason).finish();
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
      return w.finish();
    }
    case "notice":
      return new FrameWriter(FrameType.Notice, m.text.length + 8).str(m.text).finish();
    case "bye":
      return new FrameWriter(FrameType.Bye).str(m.code).str(m.reason).finish();
    case "ping":
    case "pong":
      return encodePingPong(m);
  }
}

export function decodeServerMessage(frame: Frame): ServerMessage {
  const r = new PayloadReader(frame.payload);
  switch (frame.type) {
    case FrameType.Welcome:
      return { type: "welcome", nick: r.str(), server: r.str(), maxMessageBytes: r.u32() };
    case FrameType.Message: {
      const kind = messageKinds[r.u8()];
      if (kind === undefined) {
        throw new ProtocolError(ErrorCode.Malformed, "message frame has an unknown kind");
      }
      return { type: "message", kind, ts: r.f64(), from: r.str(), to: r.str(), text: r.str() };
    }
    case FrameType.Joined:
      return { type: "joined", nick: r.str() };
    case FrameType.Left:
      return { type: "left", nick: r.str(), reason: r.str() };
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
      return { type: "who-list", seq, users };
    }
    case FrameType.Notice:
      return { type: "notice", text: r.str() };
    case FrameType.Bye:
      return { type: "bye", code: r.str(), reason: r.str() };
    case FrameType.Ping:
      return { type: "ping", token: r.u32() };
    case FrameType.Pong:
      return { type: "pong", token: r.u32() };
    default:
      throw unknownFrame(frame.type);
  }
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
