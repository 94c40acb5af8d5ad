// How events read as lines of text. The server's text transport sends these
// lines to netcat clients and the terminal client prints the same ones.

import type { Command } from "./commands.js";
import type { FileEntry, ServerMessage, WhoEntry } from "./messages.js";

/** The lines one server message reads as; acks and pings read as nothing. */
export function renderServerMessage(m: ServerMessage): string[] {
  switch (m.type) {
    case "message":
      return m.text.split("\n").map((line) => {
        if (m.kind === "action") return `* ${m.from} ${line}`;
        if (m.kind === "private") return `[private] <${m.from}> ${line}`;
        return `<${m.from}> ${line}`;
      });
    case "welcome":
      return [`* welcome to ${m.server}, you are ${m.nick}; /help lists the commands`];
    case "joined":
      return [`* ${m.nick} joined`];
    case "left":
      return [`* ${m.nick} left${m.reason === "" ? "" : ` (${m.reason})`}`];
    case "renamed":
      return [`* ${m.from} is now known as ${m.to}`];
    case "error":
      return [`* error: ${m.message}`];
    case "who-list":
      return renderWho(m.users);
    case "notice":
      return m.text.split("\n").map((line) => `* ${line}`);
    case "bye":
      return [`* disconnected by server: ${m.reason}`];
    case "file-offered":
      return m.offset > 0
        ? [
            `* resuming ${m.name} from ${formatBytes(m.offset)} of ${formatBytes(m.size)} [file ${m.id}]`,
          ]
        : [`* ${m.from} is sending ${m.name} (${formatBytes(m.size)}) [file ${m.id}]`];
    case "file-verified":
      return m.ok
        ? [`* ${m.name} from ${m.from} arrived complete, SHA-256 verified [file ${m.id}]`]
        : [`* ${m.name} from ${m.from} failed: ${m.reason}`];
    case "file-cancelled":
      return [`* ${m.name} [file ${m.id}] was cancelled: ${m.reason}`];
    case "file-complete":
      return [
        `* ${m.name} delivered to ${m.delivered} of ${m.delivered + m.failed} receivers${m.detail === "" ? "" : ` (${m.detail})`}`,
      ];
    case "file-list":
      return renderFiles(m.files);
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

function renderFiles(files: readonly FileEntry[], now: number = Date.now()): string[] {
  if (files.length === 0) return ["* no shared files"];
  return [
    `* ${files.length} shared ${files.length === 1 ? "file" : "files"}:`,
    ...files.map(
      (f) =>
        `*   ${f.id}  ${f.name}  ${formatBytes(f.size)}  from ${f.from}  expires in ${formatDuration((f.expiresAt - now) / 1000)}`,
    ),
  ];
}

/** How the sender sees its own accepted command. */
export function renderOwnCommand(command: Command, ownNick: string): string[] {
  switch (command.type) {
    case "say":
      return command.text.split("\n").map((line) => `<You> ${line}`);
    case "action":
      return command.text.split("\n").map((line) => `* ${ownNick} ${line}`);
    case "private":
      return command.text.split("\n").map((line) => `[to ${command.to}] <You> ${line}`);
    default:
      return [];
  }
}

function renderWho(users: readonly WhoEntry[]): string[] {
  const width = Math.max(0, ...users.map((u) => u.nick.length));
  return [
    `* ${users.length} ${users.length === 1 ? "user" : "users"} online:`,
    ...users.map(
      (u) => `*   ${u.nick.padEnd(width)}  ${u.address}  idle ${formatDuration(u.idleSeconds)}`,
    ),
  ];
}

function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
