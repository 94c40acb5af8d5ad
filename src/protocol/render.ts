// How events read as lines of text. The server's text transport sends these
// lines to netcat clients and the terminal client prints the same ones.

import type { Command } from "./commands.js";
import type { ServerMessage, WhoEntry } from "./messages.js";

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
    case "ack":
    case "ping":
    case "pong":
      return [];
  }
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
      (u) => `*   ${u.nick.padEnd(width)}  ${u.address}  idle ${formatIdle(u.idleSeconds)}`,
    ),
  ];
}

function formatIdle(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
