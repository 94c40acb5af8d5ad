// The user's input language, shared by the terminal client, the browser client
// and the server's text (netcat) transport so a line means the same everywhere.

/** Lines a /history page holds unless the user says; at most MAX_HISTORY_PAGE. */
export const HISTORY_PAGE = 50;
export const MAX_HISTORY_PAGE = 1000;

export type Command =
  | { type: "say"; text: string }
  | { type: "action"; text: string }
  | { type: "private"; to: string; text: string }
  | { type: "nick"; nick: string }
  /** `room` "": everyone online. */
  | { type: "who"; room: string }
  | { type: "help" }
  /** The files of `room`; without it, of the room typed into. */
  | { type: "files"; room?: string }
  | { type: "join"; room: string }
  | { type: "part"; room: string; reason: string }
  | { type: "rooms" }
  | { type: "topic"; room: string; set: boolean; text: string }
  | { type: "history"; target: string; before: number; limit: number }
  | { type: "quit"; reason: string };

/** File commands need a client that can read and write files; text clients cannot. */
export type FileCommand =
  | { type: "send"; path: string }
  /** By id, or with `id` 0 by name: the newest file of that name. */
  | { type: "get"; id: number; name: string }
  | { type: "cancel"; id: number | undefined };

export type ParsedInput =
  | Command
  | FileCommand
  | { type: "invalid"; message: string }
  | { type: "empty" };

/** Every command, what it does, and whether a text (netcat) connection can use it. */
const COMMANDS: readonly { syntax: string; does: string; onText: boolean }[] = [
  { syntax: "<text>", does: "say text in the room you are talking in", onText: true },
  { syntax: "/me <action>", does: "say an action: * you <action>", onText: true },
  { syntax: "/msg <nick> <text>", does: "private message to one user", onText: true },
  { syntax: "/nick <name>", does: "change your nickname", onText: true },
  {
    syntax: "/who [#room]",
    does: "list users (of a room) with their idle time",
    onText: true,
  },
  { syntax: "/join #room", does: "join a room (made if new) and talk in it", onText: true },
  { syntax: "/part [#room] [why]", does: "leave a room (the one you talk in)", onText: true },
  { syntax: "/rooms", does: "list rooms with their members and topics", onText: true },
  { syntax: "/topic [text]", does: "show or set the topic of the room", onText: true },
  {
    syntax: "/history [nick] [N]",
    does: "N earlier lines of the room, or of a private talk",
    onText: true,
  },
  {
    syntax: "SEND <path>",
    does: "send a file to the room (also /send; quote paths with spaces)",
    onText: false,
  },
  { syntax: "/files", does: "list the room's files that can still be downloaded", onText: true },
  {
    syntax: "/get <id|name>",
    does: "download a shared file (resumes an interrupted download)",
    onText: false,
  },
  { syntax: "/cancel [id]", does: "stop sending a file", onText: false },
  { syntax: "/help", does: "this help", onText: true },
  { syntax: "/quit [reason]", does: "leave", onText: true },
  { syntax: "//text", does: "say text that starts with /", onText: true },
];

function help(onText: boolean): string[] {
  const listed = onText ? COMMANDS.filter((c) => c.onText) : COMMANDS;
  return ["commands:", ...listed.map((c) => `  ${c.syntax.padEnd(20)} ${c.does}`)];
}

export const HELP_TEXT = help(false).join("\n");

/**
 * Help for text connections: only what works there, and how files go. Not a
 * word of it is SEND in capitals: the original client would take it for a file
 * coming and stop showing the chat.
 */
export const TEXT_HELP_TEXT = [
  ...help(true),
  "files: the sockchat client sends and saves them (npx sockchat connect);",
  "       the original chat client's own send command works here too",
].join("\n");

export function parseInput(line: string): ParsedInput {
  if (line.trim() === "") return { type: "empty" };
  // The original chat's syntax: the word SEND opening a line; alone, it lacks its path.
  const send = /^SEND(?:\s+(.*))?$/su.exec(line);
  if (send) return parsePath(send[1] ?? "");
  if (!line.startsWith("/")) return { type: "say", text: line };
  if (line.startsWith("//")) return { type: "say", text: line.slice(1) };

  const [, name = "", rest = ""] = /^\/(\S*)\s*(.*)$/su.exec(line) ?? [];
  switch (name.toLowerCase()) {
    case "me":
      return rest === "" ? usage("/me <action>") : { type: "action", text: rest };
    case "msg": {
      const [, to = "", text = ""] = /^(\S+)\s+(\S.*)$/su.exec(rest) ?? [];
      return to === "" ? usage("/msg <nick> <text>") : { type: "private", to, text };
    }
    case "nick":
      return rest === "" ? usage("/nick <name>") : { type: "nick", nick: rest.trim() };
    case "who": {
      const room = rest.trim();
      if (/\s/u.test(room)) return usage("/who [#room]");
      return { type: "who", room: room === "" || room.startsWith("#") ? room : `#${room}` };
    }
    case "help":
      return { type: "help" };
    case "send":
      return parsePath(rest);
    case "files":
      return { type: "files" };
    case "get": {
      const name = parsePath(rest);
      if (name.type !== "send") return usage("/get <id|name>");
      const id = parseId(name.path);
      // Ids start at 1 and id 0 means "by name": "/get 0" asks for a file called 0.
      return id === undefined || id === 0
        ? { type: "get", id: 0, name: name.path }
        : { type: "get", id, name: "" };
    }
    case "join": {
      const room = rest.trim();
      if (room === "" || /\s/u.test(room)) return usage("/join #room");
      return { type: "join", room: room.startsWith("#") ? room : `#${room}` };
    }
    case "part": {
      const [, room = "", reason = ""] = /^(#\S*)?\s*(.*)$/su.exec(rest) ?? [];
      return { type: "part", room, reason: reason.trim() };
    }
    case "rooms":
      return { type: "rooms" };
    case "topic": {
      const text = rest.trim();
      return { type: "topic", room: "", set: text !== "", text };
    }
    case "history":
      return parseHistory(rest);
    case "cancel": {
      const id = parseId(rest);
      return rest.trim() !== "" && id === undefined
        ? usage("/cancel [id]")
        : { type: "cancel", id };
    }
    case "quit":
      return { type: "quit", reason: rest.trim() };
    default:
      return { type: "invalid", message: `unknown command /${name}; /help lists the commands` };
  }
}

/** A path, quoted ("…" or '…') when it has spaces, or else the rest of the line. */
function parsePath(text: string): ParsedInput {
  const trimmed = text.trim();
  const quoted = /^(["'])(.*)\1$/su.exec(trimmed);
  const path = quoted ? (quoted[2] as string) : trimmed;
  return path === "" ? usage("SEND <path>") : { type: "send", path };
}

/** `/history [nick] [N]`: a page of the room typed into, or of a private conversation. */
function parseHistory(text: string): ParsedInput {
  const [, target = "", count = ""] = /^([^\s\d]\S*)?\s*(\d*)\s*$/su.exec(text.trim()) ?? [
    "",
    "",
    "x",
  ];
  if (count === "x") return usage("/history [nick] [N]");
  const limit = count === "" ? HISTORY_PAGE : Number(count);
  if (limit < 1 || limit > MAX_HISTORY_PAGE) {
    return { type: "invalid", message: `a history page holds 1 to ${MAX_HISTORY_PAGE} lines` };
  }
  return { type: "history", target, before: 0, limit };
}

function parseId(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d{1,10}$/.test(trimmed) && Number(trimmed) <= 0xffffffff ? Number(trimmed) : undefined;
}

function usage(syntax: string): ParsedInput {
  return { type: "invalid", message: `usage: ${syntax}` };
}
