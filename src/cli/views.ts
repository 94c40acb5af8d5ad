// How the terminal client shows events: as chat lines (plain, or coloured on a
// TTY), or as one JSON object per event for scripts.

import { basename } from "node:path";
import { styleText } from "node:util";
import type { Disconnect, Welcome } from "../client/chat-client.js";
import type { TransferEvent } from "../client/files.js";
import type { Command } from "../protocol/commands.js";
import { MAX_UPLOADS_PER_CLIENT } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import { formatBytes, inert, renderOwnCommand, renderServerMessage } from "../protocol/render.js";
import { DEFAULT_ROOM } from "../protocol/rooms.js";
import { nickNotice } from "./nick-notice.js";

export interface View {
  server(message: ServerMessage): void;
  sent(command: Command, ownNick: string): void;
  problem(code: string, message: string): void;
  /** `wasJoined` is false when an attempt to reconnect failed. */
  disconnected(disconnect: Disconnect, wasJoined: boolean): void;
  /** The server welcomed us back after a lost connection. */
  reconnected(welcome: Welcome): void;
  /** The server welcomed us as `welcome.nick`, having been asked for `asked`. */
  nickGiven(asked: string, welcome: Welcome): void;
  /** The server accepted a file of ours and gave it `id`. */
  sending(id: number, name: string, size: number): void;
  /** Ctrl-C cancelled sending file `name`. */
  uploadCancelled(name: string): void;
  transfer(event: TransferEvent): void;
}

export class LineView implements View {
  readonly #print: (line: string) => void;
  readonly #colour: boolean;
  /** The room typed lines go to, as the server last said: what happens elsewhere names its room. */
  #typingInto = DEFAULT_ROOM;

  constructor(print: (line: string) => void, options: { colour: boolean }) {
    this.#print = print;
    this.#colour = options.colour;
  }

  server(message: ServerMessage): void {
    if (message.type === "welcome") this.#typingInto = message.room;
    if (message.type === "room") this.#typingInto = message.name;
    const replayed = message.type === "message" && message.replayed;
    for (const line of renderServerMessage(message, this.#typingInto)) {
      this.#print(replayed ? this.#dim(line) : this.#paint(line));
    }
  }

  sent(command: Command): void {
    for (const line of renderOwnCommand(command)) this.#print(this.#paint(line));
  }

  problem(_code: string, message: string): void {
    this.#print(this.#paint(`* error: ${inert(message)}`));
  }

  disconnected({ reason, retryInMs }: Disconnect, wasJoined: boolean): void {
    const retry = retryInMs === undefined ? "" : ` in ${(retryInMs / 1000).toFixed(1)} s`;
    const line = wasJoined
      ? `* connection lost: ${inert(reason)}${retry && `; reconnecting${retry}`}`
      : `* still not connected: ${inert(reason)}${retry && `; retrying${retry}`}`;
    this.#print(this.#paint(line));
  }

  reconnected(welcome: Welcome): void {
    this.#print(this.#paint(`* reconnected as ${inert(welcome.nick)}`));
  }

  nickGiven(asked: string, welcome: Welcome): void {
    const line = nickNotice(asked, welcome.nick);
    if (line !== undefined) this.#print(this.#paint(line));
  }

  sending(id: number, name: string, size: number): void {
    this.#print(this.#paint(`* sending ${inert(name)} (${formatBytes(size)}) [file ${id}]`));
  }

  uploadCancelled(name: string): void {
    this.#print(this.#paint(`* cancelled sending ${inert(name)}`));
  }

  transfer(event: TransferEvent): void {
    const line = transferLine(event);
    if (line !== undefined) this.#print(this.#paint(line));
  }

  /** Lines from the history are shown dimmed, as the past. */
  #dim(line: string): string {
    return this.#colour ? styleText("dim", line) : line;
  }

  #paint(line: string): string {
    if (!this.#colour) return line;
    // `<nick> …`, `[private] <nick> …`, `[to nick] <You> …`: the nick is coloured.
    const chat = /^(\[[^\]]*\] )?<([^>]+)>/.exec(line);
    if (chat !== null) {
      const [whole, prefix = "", nick = ""] = chat;
      return `${prefix}${styleText(nickColour(nick), `<${nick}>`)}${line.slice(whole.length)}`;
    }
    return line.startsWith("* ") ? styleText("dim", line) : line;
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

  reconnected(welcome: Welcome): void {
    this.server(welcome);
  }

  nickGiven(): void {
    // The welcome already carries the nickname given.
  }

  sending(id: number, name: string, size: number): void {
    this.#print(JSON.stringify({ type: "sending", id, name, size }));
  }

  uploadCancelled(name: string): void {
    this.#print(JSON.stringify({ type: "upload-cancelled", name }));
  }

  transfer(event: TransferEvent): void {
    this.#print(JSON.stringify(event));
  }
}

/** The line a queued upload, or a finished, failed, interrupted or cancelled download reads as; progress has none. */
function transferLine(event: TransferEvent): string | undefined {
  switch (event.type) {
    case "upload-queued":
      return `* queued ${inert(event.name)} (${formatBytes(event.size)}) until one of the ${MAX_UPLOADS_PER_CLIENT} files being sent is through`;
    case "download-saved":
      return `* saved ${inert(basename(event.path))} (${formatBytes(event.size)}, SHA-256 verified)`;
    case "download-failed":
      return event.remote
        ? `* ${inert(event.name)} [file ${event.id}] was not saved: ${inert(event.reason)}`
        : `* could not save ${inert(event.name)}: ${inert(event.reason)}`;
    case "download-interrupted":
      return `* ${inert(event.name)} interrupted at ${formatBytes(event.received)} of ${formatBytes(event.size)}; /get ${event.id} resumes it`;
    case "download-cancelled":
      return `* stopped receiving ${inert(event.name)}`;
    default:
      return undefined;
  }
}

const NICK_COLOURS = ["cyan", "green", "yellow", "magenta", "blue", "red"] as const;

function nickColour(nick: string): (typeof NICK_COLOURS)[number] {
  if (nick === "You") return "cyan";
  let hash = 0;
  for (const char of nick) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return NICK_COLOURS[hash % NICK_COLOURS.length] ?? "cyan";
}
