// The user's input language, shared by the terminal client, the browser client
// and the server's text (netcat) transport so a line means the same everywhere.

export type Command =
  | { type: "say"; text: string }
  | { type: "action"; text: string }
  | { type: "private"; to: string; text: string }
  | { type: "nick"; nick: string }
  | { type: "who" }
  | { type: "help" }
  | { type: "quit"; reason: string };

export type ParsedInput = Command | { type: "invalid"; message: string } | { type: "empty" };

export const HELP_TEXT = [
  "commands:",
  "  <text>               say text to everyone",
  "  /me <action>         say an action: * you <action>",
  "  /msg <nick> <text>   private message to one user",
  "  /nick <name>         change your nickname",
  "  /who                 list users with their address and idle time",
  "  /help                this help",
  "  /quit [reason]       leave",
  "  //text               say text that starts with /",
].join("\n");

export function parseInput(line: string): ParsedInput {
  if (line.trim() === "") return { type: "empty" };
  if (!line.startsWith("/")) return { type: "say", text: line };
  if (line.startsWith("//")) return { type: "say", text: line.slice(1) };

  const [, name = "", rest = ""] = /^\/(\S*)\s*(.*)$/su.exec(line) ?? [];
  switch (name.toLowerCase()) {
    case "me":
      return rest === "" ? usage("/me <action>") : { type: "action", text: rest };
    case "msg": {
      const [, to = "", text = ""] = /^(\S+)\s+(.+)$/su.exec(rest) ?? [];
      return to === "" ? usage("/msg <nick> <text>") : { type: "private", to, text };
    }
    case "nick":
      return rest === "" ? usage("/nick <name>") : { type: "nick", nick: rest.trim() };
    case "who":
      return { type: "who" };
    case "help":
      return { type: "help" };
    case "quit":
      return { type: "quit", reason: rest.trim() };
    default:
      return { type: "invalid", message: `unknown command /${name}; /help lists the commands` };
  }
}

function usage(syntax: string): ParsedInput {
  return { type: "invalid", message: `usage: ${syntax}` };
}
