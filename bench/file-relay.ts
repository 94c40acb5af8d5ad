// File relay: one sender, N receivers (some of them slow), through `sockchat
// serve` end to end — the receivers are `sockchat connect` processes that
// verify and write every byte — over plain TCP or TLS, or, as the baseline,
// through a bare pipe.

import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomFile, sha256File } from "../test/helpers/files.js";
import { spawnScript, stopChild } from "./children.js";
import { cpuSeconds, memory, sampleEvery } from "./proc-stats.js";
import type { FileRelayConfig, FileRelayResult } from "./results.js";
import { startSockchat } from "./targets/sockchat.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const SLOW_RECEIVER = fileURLToPath(new URL("./load/slow-receiver.js", import.meta.url));
const PIPE_RELAY = fileURLToPath(new URL("./load/pipe-relay.js", import.meta.url));
const PIPE_PEER = fileURLToPath(new URL("./load/pipe-peer.js", import.meta.url));
const CHATTER = fileURLToPath(new URL("./load/chatter.js", import.meta.url));
const MB = 1e6;

/** A file of `bytes` random bytes, made once per size and kept in the temp directory. */
export async function sourceFile(bytes: number): Promise<{ path: string; sha256: string }> {
  const dir = join(tmpdir(), "sockchat-bench");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `source-${bytes}.bin`);
  if (existsSync(path)) return { path, sha256: await sha256File(path) };
  // Written aside and renamed, so an interrupted run leaves no short source behind.
  const sha256 = await randomFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
  return { path, sha256 };
}

/** The figures both relays report, from the run's size and duration. */
function rates(config: FileRelayConfig, seconds: number) {
  return {
    seconds,
    mbPerSecond: config.bytes / MB / seconds,
    totalMbPerSecond: (config.bytes * config.receivers) / MB / seconds,
  };
}

/** Samples the server's RSS every 250 ms until stopped. */
const sampleRss = (pid: number) => sampleEvery(250, () => memory(pid).rss);

/**
 * With `tls`, the server runs `--tls self-signed` and the sender and fast
 * receivers `connect --ca` its certificate (the slow receivers and chatters
 * speak plain TCP: TLS runs have none).
 */
export async function runFileRelaySockchat(
  config: FileRelayConfig,
  { tls }: { tls: boolean },
): Promise<FileRelayResult> {
  const source = await sourceFile(config.bytes);
  const work = await mkdtemp(join(tmpdir(), "sockchat-bench-files-"));
  const server = await startSockchat({
    openFiles: 1024,
    dataDir: join(work, "server"),
    tls,
  });
  const started: ChildProcess[] = [];
  try {
    const target = `127.0.0.1:${server.port}`;
    const trust = server.ca === undefined ? [] : ["--ca", server.ca.file];
    const fast = await Promise.all(
      Array.from({ length: config.receivers }, async (_, i) => {
        const dir = join(work, `fast${i}`);
        const peer = spawnScript(CLI, [
          "connect",
          target,
          ...trust,
          "--nick",
          `fast${i}`,
          "--save-dir",
          dir,
        ]);
        started.push(peer.child);
        await peer.lines.waitFor(/^\* welcome/);
        return { ...peer, dir };
      }),
    );
    const slow = await Promise.all(
      Array.from({ length: config.slowReceivers }, async (_, i) => {
        const dir = join(work, `slow${i}`);
        const peer = spawnScript(SLOW_RECEIVER, [
          String(server.port),
          `slow${i}`,
          dir,
          String(config.slowBytesPerSecond),
        ]);
        started.push(peer.child);
        await peer.lines.waitFor(/^ready$/);
        return peer;
      }),
    );
    // Chatters have no file store: they decline the file, which goes to the others.
    const chatter =
      config.chatDuring > 0
        ? spawnScript(CHATTER, [String(server.port), String(config.chatDuring)])
        : undefined;
    if (chatter !== undefined) {
      started.push(chatter.child);
      await chatter.lines.waitFor(/^ready$/);
    }
    const cpuBefore = cpuSeconds(server.pid);
    const stopSampling = sampleRss(server.pid);
    const sender = spawnScript(CLI, ["connect", target, ...trust, "--nick", "sender"]);
    started.push(sender.child);
    sender.child.stdin?.write(`SEND ${source.path}\n`);
    await sender.lines.waitFor(/^\* sending /);
    const t0 = performance.now();
    await Promise.all(fast.map((r) => r.lines.waitFor(/^\* saved terima_/, 600_000)));
    const seconds = (performance.now() - t0) / 1000;
    chatter?.child.stdin?.end();
    const chatLatency = chatter === undefined ? undefined : await chatter.lines.waitFor(/^\{/);
    const samples = stopSampling();
    const serverCpuSeconds = cpuSeconds(server.pid) - cpuBefore;
    const serverPeakRssBytes = memory(server.pid).peak;
    const slowReceived = slow.map((r) => {
      const last = r.lines.lines.filter((l) => l.startsWith("received ")).pop() ?? "received 0";
      return Number(last.slice("received ".length));
    });
    const name = source.path.split("/").pop() as string;
    const digests = await Promise.all(fast.map((r) => sha256File(join(r.dir, `terima_${name}`))));
    return {
      kind: "file-relay",
      config,
      server: "sockchat",
      tls,
      ...rates(config, seconds),
      verified: digests.every((d) => d === source.sha256),
      serverPeakRssBytes,
      serverRssSamplesBytes: samples,
      serverCpuSeconds,
      slowBytesPerSecond:
        slowReceived.length === 0
          ? 0
          : slowReceived.reduce((a, b) => a + b, 0) / slowReceived.length / seconds,
      ...(chatLatency === undefined ? {} : { chatLatencyMs: JSON.parse(chatLatency) }),
    };
  } finally {
    await Promise.all(started.map((child) => stopChild(child, 2000)));
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The baseline: the same bytes through a bare relay. Its receivers write them to
 * disk as sockchat's do ("pipe"), or drop them ("pipe-discard"), which leaves
 * only the sockets.
 */
export async function runFileRelayPipe(
  config: FileRelayConfig,
  receivers: "disk" | "discard",
): Promise<FileRelayResult> {
  const source = await sourceFile(config.bytes);
  const work = await mkdtemp(join(tmpdir(), "sockchat-bench-pipe-"));
  const relay = spawnScript(PIPE_RELAY, [String(config.receivers)]);
  const started: ChildProcess[] = [relay.child];
  try {
    const port = /^listening (\d+)$/.exec(await relay.lines.waitFor(/^listening /))?.[1] as string;
    const peers = await Promise.all(
      Array.from({ length: config.receivers }, async (_, i) => {
        const save = receivers === "disk" ? [join(work, `received${i}`)] : [];
        const peer = spawnScript(PIPE_PEER, [port, "receive", ...save]);
        started.push(peer.child);
        await peer.lines.waitFor(/^ready$/);
        return peer;
      }),
    );
    const cpuBefore = cpuSeconds(relay.child.pid as number);
    const stopSampling = sampleRss(relay.child.pid as number);
    const sender = spawnScript(PIPE_PEER, [port, "send", source.path]);
    started.push(sender.child);
    await sender.lines.waitFor(/^ready$/);
    const t0 = performance.now();
    const done = await Promise.all(peers.map((r) => r.lines.waitFor(/^done \d+$/, 600_000)));
    const seconds = (performance.now() - t0) / 1000;
    return {
      kind: "file-relay",
      config,
      server: receivers === "disk" ? "pipe" : "pipe-discard",
      tls: false,
      ...rates(config, seconds),
      verified: done.every((line) => line === `done ${config.bytes}`),
      serverPeakRssBytes: memory(relay.child.pid as number).peak,
      serverRssSamplesBytes: stopSampling(),
      serverCpuSeconds: cpuSeconds(relay.child.pid as number) - cpuBefore,
      slowBytesPerSecond: 0,
    };
  } finally {
    await Promise.all(started.map((child) => stopChild(child, 2000)));
    await rm(work, { recursive: true, force: true });
  }
}
