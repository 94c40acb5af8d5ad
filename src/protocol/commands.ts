// The user's input language, shared by the terminal client, the browser client
// and the server's text (netcat) transport so a line means the same everywhere.

export type Command =
  | { type: "say"; text: string }
  | { type: "action"; text: string }
  | { type: "private"; to: string; text: string }
  | { type: "nick"; nick: string }
  | { type: "who" }
  | { type: "help" }
  | { type: "files" }
  | { type: "quit"; reason: string };

/** File commands need a client that can read and write files; text clients cannot. */
export type FileCommand =
  | { type: "send"; path: string }
  | { type: "get"; id: number }
  | { type: "cancel"; id: number | undefined };

export type ParsedInput =
  | Command
  | FileCommand
  | { type: "invalid"; message: string }
  | { type: "empty" };

export const HELP_TEXT = [
  "commands:",
  "  <text>               say text to everyone",
  "  /me <action>         say an action: * you <action>",
  "  /msg <nick> <text>   private message to one user",
  "  /nick <name>         change your nickname",
  "  /who                 list users with their address and idle time",
  "  SEND <path>          send a file to everyone (also /send; quote paths with spaces)",
  "  /files               list shared files that can still be downloaded",
  "  /get <id>            download a shared file (resumes an interrupted download)",
  "  /cancel [id]         stop sending a file",
  "  /help                this help",
  "  /quit [reason]       leave",
  "  //text               say text that starts with /",
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
    case "who":
      return { type: "who" };
    case "help":
      return { type: "help" };
    case "send":
      return parsePath(rest);
    case "files":
      return { type: "files" };
    case "get": {
      const id = parseId(rest);
      return id === undefined ? usage("/get <id>") : { type: "get", id };
    }
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

function parseId(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d{1,10}$/.test(trimmed) && Number(trimmed) <= 0xffffffff ? Number(trimmed) : undefined;
}

function usage(syntax: string): ParsedInput {
  return { type: "invalid", message: `usage: ${syntax}` };
}
