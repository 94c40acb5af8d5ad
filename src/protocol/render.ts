// How events read as lines of text. The server's text transport sends these
// lines to netcat clients and the terminal client prints the same ones.

import type { Command } from "./commands.js";
import type { FileEntry, RoomEntry, ServerMessage, WhoEntry } from "./messages.js";
import { DEFAULT_ROOM, roomKey } from "./rooms.js";

// Whatever a peer could put in a message reaches these lines, so every field is
// made inert here: a terminal shows it and never acts on it, whatever the
// server let through (the server refuses control characters too; each holds alone).
const UNSAFE = /[^\P{Cc}\t]|[\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` with every character that could drive a terminal or reorder what it
 * shows spelled out instead: controls (line feed included) as `\x1b`, bidi
 * embeddings, overrides and isolates as `\u202e`. Tab stays.
 */
export function inert(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0) as number;
    return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

/** Each line of multi-line `text`, made inert, behind `prefix`. */
function eachLine(text: string, prefix: string): string[] {
  return text.split("\n").map((line) => `${prefix}${inert(line)}`);
}

/**
 * An action (`/me waves`) as what its sender says, `<ana> *waves*`: a line
 * that starts with `* ` is the server's, and an action must not pass for one
 * (`/me is now known as bob` would read as a rename).
 */
function eachAction(text: string, speaker: string): string[] {
  return text.split("\n").map((line) => `${speaker}*${inert(line)}*`);
}

/**
 * The lines one server message reads as to someone typing into room
 * `typingInto`: what happens in another room names it (`#dev <ana> hi`), and a
 * line from the history starts with its time (`[14:03] <ana> hi`). Acks and
 * pings read as nothing.
 */
export function renderServerMessage(m: ServerMessage, typingInto = DEFAULT_ROOM): string[] {
  const where = elsewhere(m, typingInto);
  switch (m.type) {
    case "message": {
      const from = inert(m.from);
      const prefix = `${m.replayed ? `[${clockTime(m.ts)}] ` : ""}${where}`;
      if (m.kind === "action") return eachAction(m.text, `${prefix}<${from}> `);
      if (m.kind === "private") return eachLine(m.text, `${prefix}[private] <${from}> `);
      return eachLine(m.text, `${prefix}<${from}> `);
    }
    case "welcome":
      return [
        `* welcome to ${inert(m.server)}, you are ${inert(m.nick)}; /help lists the commands`,
      ];
    case "joined":
      return [`* ${inert(m.nick)} joined${where === "" ? "" : ` ${where.trimEnd()}`}`];
    case "left": {
      const room = m.room === "" ? "" : ` ${inert(m.room)}`;
      return [`* ${inert(m.nick)} left${room}${m.reason === "" ? "" : ` (${inert(m.reason)})`}`];
    }
    case "room": {
      const people = `${m.members} ${m.members === 1 ? "member" : "members"}`;
      const topic = m.topic === "" ? "" : `; topic: ${inert(m.topic)}`;
      return [`* now talking in ${inert(m.name)} (${people})${topic}`];
    }
    case "topic-is":
      if (m.topic === "") return [`* ${inert(m.room)} has no topic`];
      return [
        `* topic of ${inert(m.room)}${m.by === "" ? "" : ` set by ${inert(m.by)}`}: ${inert(m.topic)}`,
      ];
    case "room-list":
      return renderRooms(m.rooms);
    case "history-end": {
      const of = m.target === "" ? "" : ` of ${inert(m.target)}`;
      if (m.count === 0) return [`* no earlier lines${of}`];
      return [
        `* ${m.count} earlier ${m.count === 1 ? "line" : "lines"}${of} above${m.more ? "; /history shows more" : ""}`,
      ];
    }
    case "renamed":
      return [`* ${inert(m.from)} is now known as ${inert(m.to)}`];
    case "error":
      return [`* error: ${inert(m.message)}`];
    case "who-list":
      return renderWho(m.users, m.room);
    case "notice":
      return eachLine(m.text, "* ");
    case "bye":
      return [`* disconnected by server: ${inert(m.reason)}`];
    case "file-offered": {
      const name = inert(m.name);
      const size = formatBytes(m.size);
      if (m.offset > 0)
        return [`* resuming ${name} from ${formatBytes(m.offset)} of ${size} [file ${m.id}]`];
      if (m.requested)
        return [`* fetching ${name} (${size}), sent by ${inert(m.from)} [file ${m.id}]`];
      return [`* ${where}${inert(m.from)} is sending ${name} (${size}) [file ${m.id}]`];
    }
    case "file-verified": {
      const about = `${inert(m.name)} from ${inert(m.from)}`;
      const hash = m.senderHash ? "SHA-256 verified" : "SHA-256 computed by the server";
      return m.ok
        ? [`* ${about} arrived complete, ${hash} [file ${m.id}]`]
        : [`* ${about} failed: ${inert(m.reason)}`];
    }
    case "file-cancelled":
      return [`* ${inert(m.name)} [file ${m.id}] was cancelled: ${inert(m.reason)}`];
    case "file-complete":
      return [
        `* ${inert(m.name)} delivered to ${m.delivered} of ${m.delivered + m.failed} receivers${m.detail === "" ? "" : ` (${inert(m.detail)})`}`,
      ];
    case "file-list":
      return renderFiles(m.files, m.total);
    case "ack":
    case "ping":
    case "pong":
    case "file-accepted":
    case "file-chunk":
    case "file-end":
    case "file-window":
      return [];
  }
}

/** The room `m` happened in, for events that are shown with it; undefined for others. */
export function roomShown(m: ServerMessage): string | undefined {
  if (m.type !== "message" && m.type !== "joined" && m.type !== "file-offered") return undefined;
  return m.type === "message" && m.kind === "private" ? undefined : m.room;
}

/** "#dev " when `m` happened in a room other than `typingInto`, else "". */
function elsewhere(m: ServerMessage, typingInto: string): string {
  const room = roomShown(m);
  return room === undefined || roomKey(room) === roomKey(typingInto) ? "" : `${inert(room)} `;
}

/** Local time of day, hours and minutes: `14:03`. */
function clockTime(ts: number): string {
  const at = new Date(ts);
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

function renderRooms(rooms: readonly RoomEntry[]): string[] {
  const names = rooms.map((r) => inert(r.name));
  const width = Math.max(0, ...names.map((name) => name.length));
  return [
    `* ${rooms.length} ${rooms.length === 1 ? "room" : "rooms"}:`,
    ...rooms.map(
      (r, i) =>
        `*   ${(names[i] as string).padEnd(width)}  ${r.members} ${r.members === 1 ? "member" : "members"}${r.topic === "" ? "" : `  ${inert(r.topic)}`}`,
    ),
  ];
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A span of milliseconds as seconds, to a tenth: `30 s`, `0.5 s`. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function renderFiles(files: readonly FileEntry[], total: number, now = Date.now()): string[] {
  if (files.length === 0) return ["* no shared files"];
  const newest = total > files.length ? `, the newest ${files.length}` : "";
  return [
    `* ${total} shared ${total === 1 ? "file" : "files"}${newest}:`,
    ...files.map(
      (f) =>
        `*   ${f.id}  ${inert(f.name)}  ${formatBytes(f.size)}  from ${inert(f.from)}  expires in ${formatDuration((f.expiresAt - now) / 1000)}`,
    ),
  ];
}

/** How the sender sees its own accepted command. */
export function renderOwnCommand(command: Command): string[] {
  switch (command.type) {
    case "say":
      return eachLine(command.text, "<You> ");
    case "action":
      return eachAction(command.text, "<You> ");
    case "private":
      return eachLine(command.text, `[to ${inert(command.to)}] <You> `);
    default:
      return [];
  }
}

function renderWho(users: readonly WhoEntry[], room: string): string[] {
  const nicks = users.map((u) => inert(u.nick));
  const width = Math.max(0, ...nicks.map((nick) => nick.length));
  const count = `${users.length} ${users.length === 1 ? "user" : "users"}`;
  return [
    room === "" ? `* ${count} online:` : `* ${count} in ${inert(room)}:`,
    ...users.map(
      (u, i) =>
        `*   ${(nicks[i] as string).padEnd(width)}  ${u.address === "" ? "" : `${inert(u.address)}  `}idle ${formatDuration(u.idleSeconds)}`,
    ),
  ];
}

function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
