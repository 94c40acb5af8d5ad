// What finished files go on costing the server (issue 9, defects 2 and 3).
// zero-byte-files: a flood of empty files, each verified and complete (the one
// other client declines them all), must leave no descriptor open per file.
// unconfirmed-receiver: files to a receiver that takes every byte but never
// confirms one must not keep their newest bytes in the server's memory.
// unconfirmed-crowd: empty files while a crowd of receivers that never confirm
// one are in the room (defect 10: 250 of them and 6,600 files took 408 s of CPU,
// and a new client 4.5 s to connect) must cost no more per file for the files
// already sent; a fresh client then connects at once. All read the server's
// descriptors and RSS before the first offer and as soon as the last file is
// verified.

import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChatClient } from "../src/client/chat-client.js";
import { tcpDial } from "../src/client/node/tcp-dial.js";
import { type Script, spawnScript, stopChild } from "./children.js";
import type { FileReceiveOutcome, FileSendOutcome } from "./load/messages.js";
import { monoUs } from "./load/payload.js";
import { waitQuiet } from "./proc-stats.js";
import { writeProfileWindow } from "./profile-window.js";
import type { HardeningConfig, HardeningResult } from "./results.js";
import { emptyHardeningResult, ServerSpan } from "./server-span.js";
import { startSockchat } from "./targets/sockchat.js";
import { failure, type Target } from "./targets/target.js";

export type FilesConfig = Extract<
  HardeningConfig,
  { scenario: "zero-byte-files" | "unconfirmed-receiver" | "unconfirmed-crowd" }
>;

const SENDER = fileURLToPath(new URL("./load/file-sender.js", import.meta.url));
const RECEIVER = fileURLToPath(new URL("./load/file-receiver.js", import.meta.url));
/** A backstop only: the sender stops by itself when a verdict is 30 s late. */
const RUN_TIMEOUT_MS = 600_000;
const MIB = 1024 ** 2;
/**
 * Longer than any run: no receiver of the crowd is given up as silent, so every
 * copy it holds stays on the server's books, as before there was a deadline.
 */
const CROWD_TRANSFER_TIMEOUT_S = 3600;

/** The JSON line a script prints at the end; rejects, with what it said on stderr, if it exits first. */
async function outcome<T>(script: Script, timeoutMs: number): Promise<T> {
  const exited = script.lines.ended().then(() => {
    throw new Error(`exited without a result: ${script.stderr.lines.slice(-5).join(" | ")}`);
  });
  return JSON.parse(await Promise.race([script.lines.waitFor(/^\{/, timeoutMs), exited]));
}

/** From a new native client's connect to its welcome, in ms. */
async function connectMs(port: number): Promise<number> {
  const client = new ChatClient({
    dial: tcpDial("127.0.0.1", port),
    nick: "latecomer",
    clientName: "sockchat-bench-latecomer",
  });
  const started = performance.now();
  try {
    await client.connect();
    return performance.now() - started;
  } finally {
    client.close();
  }
}

export async function runFileHardening(
  config: FilesConfig,
  cpuProfileDir?: string,
): Promise<HardeningResult> {
  const result = emptyHardeningResult(config);
  const crowd = config.scenario === "unconfirmed-crowd" ? config.receivers : 0;
  const unconfirmed = config.scenario !== "zero-byte-files";
  const work = await mkdtemp(join(tmpdir(), "sockchat-bench-hardening-"));
  const children: ChildProcess[] = [];
  let server: Target | undefined;
  let span: ServerSpan | undefined;
  try {
    // The descriptor limit is not raised: the server runs with the machine's, as users run it.
    server = await startSockchat({
      openFiles: 0,
      dataDir: work,
      cpuProfileDir: cpuProfileDir === undefined ? undefined : join(cpuProfileDir, "server"),
      extraArgs: crowd > 0 ? ["--transfer-timeout", String(CROWD_TRANSFER_TIMEOUT_S)] : [],
    });
    const port = String(server.port);
    const receiver = spawnScript(RECEIVER, [
      port,
      "receiver",
      unconfirmed ? "unconfirmed" : "decline",
      String(Math.max(1, crowd)),
    ]);
    children.push(receiver.child);
    await receiver.lines.waitFor(/^ready$/);
    const sender = spawnScript(SENDER, [
      port,
      String(config.files),
      String(config.fileBytes),
      String(config.atOnce),
      // A receiver that never confirms never lets a file complete: its verdict is the end.
      unconfirmed ? "verified" : "complete",
    ]);
    children.push(sender.child);
    await sender.lines.waitFor(/^ready$/);
    await waitQuiet([server.pid], 5000);
    span = new ServerSpan(server.pid, result, () => children.map((c) => c.pid as number));
    const goUs = monoUs();
    sender.child.stdin?.write("go\n");
    const sent = await outcome<FileSendOutcome>(sender, RUN_TIMEOUT_MS);
    span.end();
    writeProfileWindow(cpuProfileDir, goUs);
    // At once: a server still busy with the files keeps a newcomer waiting.
    if (crowd > 0) result.connectMs = await connectMs(server.port);
    receiver.child.stdin?.end();
    const received = await outcome<FileReceiveOutcome>(receiver, 10_000);
    result.completed = sent.verified;
    if (crowd > 0) {
      result.note = `${crowd} receivers that never confirm, ${config.atOnce} files under way at once; they took ${received.files} files whole (${(received.files / crowd).toFixed(0)} each) and confirmed none; then a fresh client connected in ${(result.connectMs ?? 0).toFixed(0)} ms`;
    } else {
      result.note = unconfirmed
        ? `${config.fileBytes / MIB} MiB each, ${config.atOnce} at a time; the receiver took ${(received.bytes / MIB).toFixed(0)} MiB, ${received.files} files whole, and confirmed none`
        : `${config.atOnce} under way at once; ${sent.completed} files complete, the other client declined each`;
    }
    const problems = [
      ...(sent.error === undefined ? [] : [sent.error]),
      ...(sent.failed === 0 ? [] : [`${sent.failed} files failed (first: ${sent.problem})`]),
    ];
    if (problems.length > 0) result.error = failure(problems.join("; "), server);
  } catch (error) {
    span?.end();
    result.error = failure(error, server);
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 2000)));
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  }
  return result;
}
