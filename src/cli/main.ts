#!/usr/bin/env node
// The `sockchat` command: `serve` runs a server, `connect` joins one.

import { Command, InvalidArgumentError, Option } from "commander";
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
  .option(
    "--presence-limit <n>",
    "announce joins and leaves only while at most n people are here",
    wholeNumber,
    DEFAULTS.presenceLimit,
  )
  .option("--data-dir <dir>", "where the server keeps spooled files", DEFAULTS.dataDir)
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
  .option("-q, --quiet", "do not log chat lines", false)
  .action(async (o) => {
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
        dataDir: o.dataDir,
        presenceLimit: o.presenceLimit,
        maxFileBytes: o.maxFileSize,
        fileRetentionMs: o.fileRetention * 3_600_000,
        transferTimeoutMs: o.transferTimeout * 1000,
      },
      { quiet: o.quiet },
    );
  });

program
  .command("connect")
  .description("join a chat server (default 127.0.0.1:8081)")
  .argument("[target]", "host, host:port or :port")
  .option("--nick <name>", "nickname (default: your user name)")
  .option("--json", "print one JSON object per event, for scripts", false)
  .option("--save-dir <dir>", "where received files are saved as terima_<name>", ".")
  .action(async (target: string | undefined, o) => {
    const parsed = (() => {
      try {
        return parseTarget(target);
      } catch (error) {
        return program.error(`sockchat: ${(error as Error).message}`);
      }
    })();
    await connect(parsed, { nick: o.nick, json: o.json, saveDir: o.saveDir });
  });

await program.parseAsync();
