// `sockchat connect`: a thin shell over the client core. On a TTY it is an
// interactive prompt that reconnects by itself; otherwise it sends stdin line
// by line and exits once the server has confirmed every line.

import { userInfo } from "node:os";
import { clearScreenDown, createInterface, type Interface, moveCursor } from "node:readline";
import { ChatClient } from "../client/chat-client.js";
import { tcpDial } from "../client/tcp-dial.js";
import { type Command, parseInput } from "../protocol/commands.js";
import type { Target } from "./target.js";
import { VERSION } from "./version.js";
import { JsonView, LineView, type View } from "./views.js";

/** Unconfirmed requests allowed before stdin is paused, so a huge pipe cannot flood memory. */
const IN_FLIGHT_WINDOW = 256;
const RECONNECT = { initialDelayMs: 500, maxDelayMs: 10_000 };

export interface ConnectOptions {
  nick?: string;
  json: boolean;
}

export async function connect(target: Target, options: ConnectOptions): Promise<void> {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    historySize: 1000,
  });
  rl.pause();
  const print = interactive ? (line: string) => printAbovePrompt(rl, line) : printLine;
  const view: View = options.json
    ? new JsonView(print)
    : new LineView(print, { colour: interactive && process.env.NO_COLOR === undefined });
  const client = new ChatClient({
    dial: tcpDial(target.host, target.port),
    nick: options.nick ?? defaultNick(),
    clientName: `sockchat-cli/${VERSION}`,
    reconnect: interactive ? RECONNECT : undefined,
  });

  let quitting = false;
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const finish = async (code: number) => {
    await Promise.allSettled(inFlight);
    client.close();
    rl.close();
    process.exit(code);
  };

  client.on("server", (message) => {
    view.server(message);
    if (interactive && (message.type === "welcome" || message.type === "renamed")) {
      rl.setPrompt(`${client.nick}> `);
      rl.prompt(true);
    }
  });
  client.on("confirmed", (command) => view.sent(command, client.nick));
  client.on("disconnected", (disconnect) => {
    if (quitting) return void finish(0);
    view.disconnected(disconnect);
    if (disconnect.retryInMs === undefined) void finish(1);
  });

  try {
    await client.connect();
  } catch (error) {
    process.stderr.write(`sockchat: ${(error as Error).message}\n`);
    process.exit(1);
  }

  const submit = (command: Command) => {
    const request = client.send(command).catch((error: Error & { code?: string }) => {
      failures += 1;
      view.problem(error.code ?? "CHAT_ERR", error.message);
    });
    inFlight.add(request);
    if (inFlight.size >= IN_FLIGHT_WINDOW) rl.pause();
    request.finally(() => {
      inFlight.delete(request);
      if (inFlight.size < IN_FLIGHT_WINDOW / 2) rl.resume();
    });
  };

  rl.on("line", (line) => {
    if (interactive) eraseTypedLine(rl, line);
    const input = parseInput(line);
    if (input.type === "empty") return;
    if (input.type === "invalid") {
      failures += 1;
      view.problem("CHAT_ERR_UNKNOWN_COMMAND", input.message);
      return;
    }
    if (input.type === "quit") quitting = true;
    submit(input);
  });
  rl.on("SIGINT", () => rl.close());
  rl.on("close", () => {
    if (interactive) return void finish(0);
    void finish(failures > 0 ? 1 : 0);
  });
  rl.resume();
  if (interactive) rl.prompt();
}

function defaultNick(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "";
  }
}

function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints above the prompt and redraws it with whatever is being typed. */
function printAbovePrompt(rl: Interface, line: string): void {
  process.stdout.write(`\r\x1b[2K${line}\n`);
  rl.prompt(true);
}

/** Removes the line just entered; it is shown again as `<You> …` once the server confirms it. */
function eraseTypedLine(rl: Interface, line: string): void {
  const columns = process.stdout.columns || 80;
  const rows = Math.max(1, Math.ceil((rl.getPrompt().length + line.length) / columns));
  moveCursor(process.stdout, 0, -rows);
  clearScreenDown(process.stdout);
}
