// How the terminal client shows events: as chat lines (plain, or coloured on a
// TTY), or as one JSON object per event for scripts.

import { styleText } from "node:util";
import type { Disconnect } from "../client/chat-client.js";
import type { Command } from "../protocol/commands.js";
import type { ServerMessage } from "../protocol/messages.js";
import { renderOwnCommand, renderServerMessage } from "../protocol/render.js";

export interface View {
  server(message: ServerMessage): void;
  sent(command: Command, ownNick: string): void;
  problem(code: string, message: string): void;
  disconnected(disconnect: Disconnect): void;
}

export class LineView implements View {
  readonly #print: (line: string) => void;
  readonly #colour: boolean;

  constructor(print: (line: string) => void, options: { colour: boolean }) {
    this.#print = print;
    this.#colour = options.colour;
  }

  server(message: ServerMessage): void {
    for (const line of renderServerMessage(message)) this.#print(this.#paint(line));
  }

  sent(command: Command, ownNick: string): void {
    for (const line of renderOwnCommand(command, ownNick)) this.#print(this.#paint(line));
  }

  problem(_code: string, message: string): void {
    this.#print(this.#paint(`* error: ${message}`));
  }

  disconnected({ reason, retryInMs }: Disconnect): void {
    const retry =
      retryInMs === undefined ? "" : `; reconnecting in ${(retryInMs / 1000).toFixed(1)} s`;
    this.#print(this.#paint(`* connection lost: ${reason}${retry}`));
  }

  #paint(line: string): string {
    if (!this.#colour) return line;
    const nick = /^<([^>]+)>/.exec(line)?.[1];
    if (nick !== undefined)
      return line.replace(`<${nick}>`, styleText(nickColour(nick), `<${nick}>`));
    return line.startsWith("* ") || line.startsWith("[") ? styleText("dim", line) : line;
  }
}

export class JsonView implements View {
  readonly #print: (line: string) => void;

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  server(message: ServerMessage): void {
    this.#print(JSON.stringify(message));
  }

  sent(command: Command, ownNick: string): void {
    this.#print(JSON.stringify({ type: "sent", from: ownNick, command }));
  }

  problem(code: string, message: string): void {
    this.#print(JSON.stringify({ type: "problem", code, message }));
  }

  disconnected(disconnect: Disconnect): void {
    this.#print(JSON.stringify({ type: "disconnected", ...disconnect }));
  }
}

const NICK_COLOURS = ["cyan", "green", "yellow", "magenta", "blue", "red"] as const;

function nickColour(nick: string): (typeof NICK_COLOURS)[number] {
  if (nick === "You") return "cyan";
  let hash = 0;
  for (const char of nick) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return NICK_COLOURS[hash % NICK_COLOURS.length] ?? "cyan";
}
