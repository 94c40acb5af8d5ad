#!/usr/bin/env node
// The `sockchat` command: `serve` runs a server, `connect` joins one.

import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { MAX_HISTORY_PAGE } from "../protocol/commands.js";
import { roomProblem } from "../protocol/rooms.js";
import { DEFAULTS } from "../server/config.js";
import { connect } from "./connect.js";
import { serve } from "./serve.js";
import { parsePort, parseTarget } from "./target.js";
import { VERSION } from "./version.js";

function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError("expected a whole number");
  return Number(text);
}

function positive(unit: string, most = Number.MAX_VALUE): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || value > most)
      throw new InvalidArgumentError(
        `expected a positive number of ${unit}${most < Number.MAX_VALUE ? `, at most ${most}` : ""}`,
      );
    return value;
  };
}

const seconds = positive("seconds");
/** A hundred years, as for files. */
const days = positive("days", 36_500);

function historyLines(text: string): number {
  const lines = wholeNumber(text);
  if (lines > MAX_HISTORY_PAGE)
    throw new InvalidArgumentError(`expected at most ${MAX_HISTORY_PAGE} lines`);
  return lines;
}

function roomName(text: string): string {
  const problem = roomProblem(text);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return text;
}
/** A hundred years: files may be kept as long as anyone could want, never forever. */
const MAX_RETENTION_HOURS = 876_000;
const hours = positive("hours", MAX_RETENTION_HOURS);

function port(text: string): number {
  try {
    return parsePort(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const program = new Command("sockchat")
  .description("Self-hosted chat: a server, and a terminal client; netcat works too.")
  .version(VERSION);

program
  .command("serve")
  .description("run a chat server")
  .option("--host <host>", "address to listen on", DEFAULTS.host)
  .option("--port <port>", "TCP port; 0 picks a free one", port, DEFAULTS.port)
  .option(
    "--rate-limit <msgs/s>",
    "messages per second per client, 0 for no limit",
    wholeNumber,
    DEFAULTS.rateLimit,
  )
  .option(
    "--rate-burst <msgs>",
    "messages a client may send at once before the rate applies",
    wholeNumber,
    DEFAULTS.rateBurst,
  )
  .option(
    "--max-message-bytes <bytes>",
    "largest message in UTF-8 bytes",
    wholeNumber,
    DEFAULTS.maxMessageBytes,
  )
  .option(
    "--send-queue-limit <bytes>",
    "unsent bytes a client may hold before it is disconnected",
    wholeNumber,
    DEFAULTS.sendQueueLimit,
  )
  .option(
    "--slow-timeout <seconds>",
    "how long a client may lag before it is disconnected",
    seconds,
    DEFAULTS.slowConsumerTimeoutMs / 1000,
  )
  .option(
    "--heartbeat <seconds>",
    "ping quiet clients after this long; drop them after twice",
    seconds,
    DEFAULTS.heartbeatMs / 1000,
  )
  .addOption(
    new Option(
      "--text-welcome-delay <seconds>",
      "silence before a new connection is taken for a text client",
    )
      .argParser(seconds)
      .default(DEFAULTS.textWelcomeDelayMs / 1000)
      .hideHelp(),
  )
  .addOption(
    new Option(
      "--browser-welcome-delay <seconds>",
      "the same, for a connection from an address a browser was at in the last minute",
    )
      .argParser(seconds)
      .default(DEFAULTS.browserWelcomeDelayMs / 1000)
      .hideHelp(),
  )
  .option(
    "--input-deadline <seconds>",
    "how long a line or frame may take to arrive whole, once begun",
    seconds,
    DEFAULTS.inputDeadlineMs / 1000,
  )
  .option(
    "--max-connections-per-ip <n>",
    "open connections one address may have (0: no cap)",
    wholeNumber,
    DEFAULTS.maxConnectionsPerIp,
  )
  .option(
    "--max-connections <n>",
    "open connections in all (0: no cap)",
    wholeNumber,
    DEFAULTS.maxConnections,
  )
  .option(
    "--presence-limit <n>",
    "announce joins and leaves only while at most n people are here",
    wholeNumber,
    DEFAULTS.presenceLimit,
  )
  .option(
    "--data-dir <dir>",
    "where the server keeps its database and spooled files",
    DEFAULTS.dataDir,
  )
  .addOption(
    new Option("--store <kind>", "where history and the file index are kept")
      .choices(["sqlite", "memory"])
      .default(DEFAULTS.store),
  )
  .option(
    "--default-room <#room>",
    "the room everyone is in on arrival",
    roomName,
    DEFAULTS.defaultRoom,
  )
  .option(
    "--history <lines>",
    `lines of a room replayed to whoever joins it (at most ${MAX_HISTORY_PAGE})`,
    historyLines,
    DEFAULTS.history,
  )
  .option(
    "--history-retention <days>",
    "delete lines older than this (default: keep everything)",
    days,
  )
  .option(
    "--max-file-size <bytes>",
    "largest file a client may send",
    wholeNumber,
    DEFAULTS.maxFileBytes,
  )
  .option(
    "--file-retention <hours>",
    `how long sent files stay available for /get (at most ${MAX_RETENTION_HOURS})`,
    hours,
    DEFAULTS.fileRetentionMs / 3_600_000,
  )
  .option(
    "--transfer-timeout <seconds>",
    "how long an upload may send nothing, or a receiver not answer, before it is given up",
    seconds,
    DEFAULTS.transferTimeoutMs / 1000,
  )
  .option(
    "--tls-cert <file>",
    "speak TLS with this certificate (PEM, any intermediates after it); reloaded on SIGHUP",
  )
  .option("--tls-key <file>", "the certificate's private key (PEM)")
  .addOption(
    new Option(
      "--tls <kind>",
      "speak TLS with a certificate made once and kept in the data directory",
    )
      .choices(["self-signed"])
      .conflicts(["tlsCert", "tlsKey"]),
  )
  .option("--allow-plaintext", "with TLS, serve clients without it too", false)
  .addOption(
    new Option("--tls-handshake-timeout <seconds>", "how long a TLS handshake may take")
      .argParser(seconds)
      .default(DEFAULTS.tlsHandshakeTimeoutMs / 1000)
      .hideHelp(),
  )
  .option("-q, --quiet", "do not log chat lines", false)
  .action(async (o, command: Command) => {
    if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
      command.error("sockchat: --tls-cert and --tls-key go together");
    const tls = o.tlsCert === undefined ? undefined : { certFile: o.tlsCert, keyFile: o.tlsKey };
    if (o.allowPlaintext && tls === undefined && o.tls === undefined)
      command.error("sockchat: --allow-plaintext is for a server with TLS (--tls or --tls-cert)");
    await serve(
      {
        ...DEFAULTS,
        host: o.host,
        port: o.port,
        rateLimit: o.rateLimit,
        rateBurst: o.rateBurst,
        maxMessageBytes: o.maxMessageBytes,
        sendQueueLimit: o.sendQueueLimit,
        slowConsumerTimeoutMs: o.slowTimeout * 1000,
        heartbeatMs: o.heartbeat * 1000,
        textWelcomeDelayMs: o.textWelcomeDelay * 1000,
        browserWelcomeDelayMs: o.browserWelcomeDelay * 1000,
        dataDir: o.dataDir,
        store: o.store,
        defaultRoom: o.defaultRoom,
        history: o.history,
        historyRetentionMs: o.historyRetention === undefined ? 0 : o.historyRetention * 86_400_000,
        presenceLimit: o.presenceLimit,
        maxConnectionsPerIp: o.maxConnectionsPerIp,
        inputDeadlineMs: o.inputDeadline * 1000,
        maxConnections: o.maxConnections,
        maxFileBytes: o.maxFileSize,
        fileRetentionMs: o.fileRetention * 3_600_000,
        transferTimeoutMs: o.transferTimeout * 1000,
        tls,
        allowPlaintext: o.allowPlaintext,
        tlsHandshakeTimeoutMs: o.tlsHandshakeTimeout * 1000,
      },
      { quiet: o.quiet, selfSigned: o.tls === "self-signed" },
    );
  });

program
  .command("connect")
  .description("join a chat server (default 127.0.0.1:8081)")
  .argument("[target]", "host, host:port or :port")
  .option("--nick <name>", "nickname (default: your user name)")
  .option("--json", "print one JSON object per event, for scripts", false)
  .option("--save-dir <dir>", "where received files are saved as terima_<name>", ".")
  .option(
    "--history <lines>",
    `lines of each room to replay on joining it (default: the server's; at most ${MAX_HISTORY_PAGE})`,
    historyLines,
  )
  .option(
    "--tls",
    "connect over TLS, trusting the system's CAs, or a self-signed server on first use",
    false,
  )
  .option("--ca <file>", "connect over TLS, trusting only this CA's certificate (PEM)")
  .action(async (target: string | undefined, o) => {
    const parsed = (() => {
      try {
        return parseTarget(target);
      } catch (error) {
        return program.error(`sockchat: ${(error as Error).message}`);
      }
    })();
    const ca = (() => {
      if (o.ca === undefined) return undefined;
      try {
        return { pem: readFileSync(o.ca), file: o.ca as string };
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        return program.error(`sockchat: cannot read --ca ${o.ca}: ${code ?? message}`);
      }
    })();
    await connect(parsed, {
      nick: o.nick,
      json: o.json,
      saveDir: o.saveDir,
      history: o.history,
      tls: o.tls || ca !== undefined ? { ca } : undefined,
    });
  });

await program.parseAsync();
