// `sockchat connect`: a thin shell over the client core. On a TTY it is an
// interactive prompt that reconnects by itself; otherwise it sends stdin line
// by line and exits once the server has confirmed every line, every file sent
// has been delivered and every file asked for with /get is saved or failed.
// Ctrl-C on a TTY stops the files in flight, saying so, and exits once the
// server has been told; a second Ctrl-C exits at once.

import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import type { Dial } from "../client/byte-stream.js";
import { ChatClient } from "../client/chat-client.js";
import type { TransferEvent } from "../client/files.js";
import { KnownHosts, knownHostsFile } from "../client/node/known-hosts.js";
import { nodeFileSupport, openFileSource } from "../client/node/node-files.js";
import { tcpDial } from "../client/node/tcp-dial.js";
import {
  type TlsDialOptions,
  tlsDial,
  UntrustedCertificateError,
} from "../client/node/tls-dial.js";
import { type Command, parseInput } from "../protocol/commands.js";
import { ErrorCode } from "../protocol/errors.js";
import { inert } from "../protocol/render.js";
import { ProgressBoard } from "./progress.js";
import type { Target } from "./target.js";
import {
  erasePrompt,
  eraseTypedLine,
  insertAtCursor,
  printAbovePrompt,
  setPrompt,
} from "./terminal.js";
import { VERSION } from "./version.js";
import { JsonView, LineView, type View } from "./views.js";

/** Unconfirmed requests allowed before stdin is paused, so a huge pipe cannot flood memory. */
const IN_FLIGHT_WINDOW = 256;
const RECONNECT = { initialDelayMs: 500, maxDelayMs: 10_000 };
/** Progress is shown (on the prompt, or as JSON) at most this often per transfer. */
const PROGRESS_INTERVAL_MS = 250;
/** What the receivers of a file hear when Ctrl-C stops its sender. */
const CANCELLED_BY_SENDER = "cancelled by the sender";
/** What the sender of a file hears when Ctrl-C stops a receiver. */
const STOPPED_BY_RECEIVER = "stopped receiving";
/** A second Ctrl-C: out now, as an interrupted program does (128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

export interface ConnectOptions {
  nick?: string;
  json: boolean;
  saveDir: string;
  /** Lines of each room to replay on joining it; absent, the server's default. */
  history?: number;
  /** Over TLS, trusting `ca` if given, else the system's CAs or a pinned certificate. */
  tls?: Pick<TlsDialOptions, "ca">;
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
  if (interactive) insertAtCursor(rl);
  const print = interactive ? (line: string) => printAbovePrompt(rl, line) : printLine;
  const view: View = options.json
    ? new JsonView(print)
    : new LineView(print, { colour: interactive && (process.env.NO_COLOR ?? "") === "" });
  const client = new ChatClient({
    dial:
      options.tls === undefined
        ? tcpDial(target.host, target.port)
        : secureDial(target, options.tls, (reason) => {
            if (interactive) erasePrompt(rl);
            process.stderr.write(`sockchat: ${reason}\n`);
            return exit(1);
          }),
    nick: options.nick ?? defaultNick(),
    clientName: `sockchat-cli/${VERSION}`,
    history: options.history,
    reconnect: interactive ? RECONNECT : undefined,
    files: nodeFileSupport(options.saveDir),
  });

  let quitting = false;
  /** Set by Ctrl-C: what was in flight is being stopped, and the client is leaving. */
  let stopping = false;
  let failures = 0;
  /** Joined; false from a lost connection until the server welcomes us again. */
  let joined = false;
  let lostOnce = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    if (inFlight.size >= IN_FLIGHT_WINDOW) rl.pause();
    work.finally(() => {
      inFlight.delete(work);
      if (inFlight.size < IN_FLIGHT_WINDOW / 2) rl.resume();
    });
  };
  const fail = (code: string, message: string) => {
    // After Ctrl-C, what fails is what is being stopped, and that has been said.
    if (stopping) return;
    failures += 1;
    view.problem(code, message);
  };
  /** Leaves the shell a clean line rather than a dead prompt, and exits. */
  const exit = (code: number): never => {
    if (interactive) erasePrompt(rl);
    rl.close();
    return process.exit(code);
  };
  /** Exits once everything under way has settled; `code` is read only then. */
  const finish = async (code: () => number) => {
    await Promise.allSettled(inFlight);
    void client.close();
    exit(code());
  };

  const progress = new ProgressBoard();
  const lastShown = new Map<string, number>();
  const showProgress = (key: string, event: TransferEvent, now = Date.now()) => {
    if (now - (lastShown.get(key) ?? 0) < PROGRESS_INTERVAL_MS) return;
    lastShown.set(key, now);
    if (options.json) view.transfer(event);
    if (interactive) setPrompt(rl, `${progress.status(now)}${client.nick}> `);
  };
  const refreshPrompt = () => {
    if (interactive) setPrompt(rl, `${progress.status()}${client.nick}> `);
  };
  /** Downloads under way: `done` settles once one is saved, failed, interrupted or cancelled. */
  const downloads = new Map<number, { done: Promise<void>; settle: () => void }>();
  const interrupted = new Set<number>();
  /** Downloads file `id` (or the newest called `name`); settles once it is saved, failed or interrupted, or the /get refused. */
  const fetchFile = async (id: number, name = "") => {
    try {
      if (id === 0) id = await client.getFileNamed(name);
      else await client.getFile(id);
    } catch (error) {
      const { code, message } = error as Error & { code?: string };
      return fail(code ?? ErrorCode.NoSuchFile, message);
    }
    // The server offers the file before it confirms the /get: its download is under way.
    await downloads.get(id)?.done;
  };

  /** The nickname the next hello asks for: the one the server last confirmed, once it has. */
  let asking = client.nick;
  client.on("server", (message) => {
    // After Ctrl-C the session is over: what was stopped has been said, and needs no echo.
    if (stopping) return;
    // Refused before the first welcome: the failed connect says why, as one line on stderr.
    if (message.type === "bye" && !joined && !lostOnce) return;
    if (message.type === "welcome") {
      if (lostOnce) view.reconnected(message);
      else view.server(message);
      view.nickGiven(asking, message);
      joined = true;
      // Downloads cut off by the lost connection resume where they stopped.
      for (const id of interrupted) track(fetchFile(id));
      interrupted.clear();
    } else view.server(message);
    if (message.type === "welcome" || message.type === "renamed") refreshPrompt();
    asking = client.nick;
  });
  client.on("confirmed", (command) => view.sent(command, client.nick));
  client.on("transfer", (event) => {
    if (event.type === "upload-queued") return view.transfer(event);
    const key = `${event.type.startsWith("upload") ? "up" : "down"}${event.id}`;
    switch (event.type) {
      case "upload-progress":
        progress.update(key, `↑ ${inert(event.name)}`, event.sent, event.size);
        showProgress(key, event);
        return;
      case "download-started":
        if (!downloads.has(event.id)) {
          let settle = () => {};
          const done = new Promise<void>((resolve) => {
            settle = resolve;
          });
          downloads.set(event.id, { done, settle });
          track(done);
        }
        // Started over when resumed, or asked for again: what it had is not progress.
        progress.start(key, `↓ ${inert(event.name)}`, event.offset, event.size);
        view.transfer(event);
        return;
      case "download-progress":
        progress.update(key, `↓ ${inert(event.name)}`, event.received, event.size);
        showProgress(key, event);
        return;
      case "download-interrupted":
        interrupted.add(event.id);
        break;
      case "download-failed":
        // Ended by its sender or the server, it is reported; unsaved here, it is a failure here.
        if (!event.remote) failures += 1;
        break;
    }
    progress.remove(key);
    view.transfer(event);
    downloads.get(event.id)?.settle();
    downloads.delete(event.id);
    refreshPrompt();
  });
  client.on("disconnected", (disconnect) => {
    if (stopping) return; // Ctrl-C closed it, and exits once it has
    if (quitting) return void finish(() => 0);
    if (!joined && !lostOnce) return; // the first connect failed, and says so itself
    view.disconnected(disconnect, joined);
    joined = false;
    lostOnce = true;
    if (disconnect.retryInMs === undefined) void finish(() => 1);
  });

  try {
    await client.connect();
  } catch (error) {
    process.stderr.write(`sockchat: ${(error as Error).message}\n`);
    process.exit(1);
  }

  const submit = (command: Command) => {
    track(
      client
        .send(command)
        .catch((error: Error & { code?: string }) => fail(error.code ?? "CHAT_ERR", error.message)),
    );
  };
  const sendFile = async (path: string) => {
    try {
      const source = await openFileSource(path);
      const outgoing = await client.sendFile(source);
      view.sending(outgoing.id, source.name, source.size);
      try {
        await outgoing.delivered; // the server's file-complete line says how it went
      } finally {
        progress.remove(`up${outgoing.id}`);
        refreshPrompt();
      }
    } catch (error) {
      const { code, message } = error as Error & { code?: string };
      fail(code ?? ErrorCode.FileUnreadable, message);
    }
  };

  /** Ctrl-C: stops the files in flight, and exits once the server has been told. */
  const interrupt = async () => {
    if (stopping) exit(INTERRUPTED_EXIT_CODE);
    stopping = true;
    for (const name of client.cancelUploads(CANCELLED_BY_SENDER)) view.uploadCancelled(name);
    // Each ends in a download-cancelled event, once its partial file is gone.
    client.cancelDownloads(STOPPED_BY_RECEIVER);
    await Promise.allSettled([...downloads.values()].map((download) => download.done));
    await client.close();
    exit(0);
  };

  rl.on("line", (line) => {
    if (stopping) return;
    if (interactive) {
      eraseTypedLine(rl, line);
      rl.prompt();
    }
    const input = parseInput(line);
    if (input.type === "empty") return;
    if (input.type === "invalid") return fail(ErrorCode.UnknownCommand, input.message);
    if (input.type === "quit") quitting = true;
    if (interactive && !joined) {
      // Between a lost connection and the next welcome: nothing can be sent,
      // and a goodbye need not wait for the server to come back.
      if (quitting) return void finish(() => 0);
      view.problem(ErrorCode.ConnectionLost, "not connected, nothing sent (Up recalls the line)");
      return;
    }
    switch (input.type) {
      case "send":
        return track(sendFile(input.path));
      case "get":
        return track(fetchFile(input.id, input.name));
      case "cancel":
        if (!client.cancelFile(input.id, CANCELLED_BY_SENDER)) {
          const ids = client.uploadIds;
          fail(
            ErrorCode.NoSuchFile,
            ids.length === 0
              ? "no file is being sent"
              : `say which: /cancel ${ids.join(" or /cancel ")}`,
          );
        }
        return;
      default:
        submit(input);
    }
  });
  rl.on("SIGINT", () => void interrupt());
  rl.on("close", () => {
    if (stopping) return;
    if (interactive) return void finish(() => 0);
    void finish(() => (failures > 0 ? 1 : 0));
  });
  rl.resume();
  if (interactive) rl.prompt();
}

/**
 * A certificate pinned on first use is announced, for the person to compare
 * with the server's; one that is not trusted ends the client (`refused`), as
 * in ssh: reconnecting would only meet it again.
 */
function secureDial(
  target: Target,
  tls: Pick<TlsDialOptions, "ca">,
  refused: (reason: string) => never,
): Dial {
  const dial = tlsDial(target.host, target.port, {
    ...tls,
    knownHosts: new KnownHosts(knownHostsFile()),
    pinned: (server, fingerprint, file) =>
      process.stderr.write(
        `sockchat: trusting ${server} on first use: its certificate's SHA-256 fingerprint is ${fingerprint}\n` +
          `sockchat: (compare it with the one the server printed); pinned in ${file}\n`,
      ),
  });
  return () =>
    dial().catch((error: Error) =>
      error.cause instanceof UntrustedCertificateError
        ? refused(error.message)
        : Promise.reject(error),
    );
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
