// Idle cost: N connected clients that say nothing. Server memory per
// connection, and the CPU the server burns over a quiet window.

import { join } from "node:path";
import { LoadProcess } from "./load-process.js";
import type { IdleConfig } from "./plan.js";
import { cpuSeconds, memory, openFiles, sleep, syscalls, waitQuiet } from "./proc-stats.js";
import type { IdleResult } from "./results.js";
import { startTarget } from "./start-target.js";

const JOIN_TIMEOUT_MS = 300_000;
const SETTLE_MAX_MS = 120_000;
const BATCH_TIMEOUT_MS = 120_000;
/** Past this, hellos go anyway: the server welcomes a connection silent for 300 ms as text. */
const ACCEPT_WAIT_MS = 200;
/**
 * Native clients join in batches (see load/gate.ts) of this many across all load
 * processes, within the server's listen backlog of 511; IRC ones 4 at a time.
 */
const CONNECT_BATCH = 400;

/** With `cpuProfileDir`, the server (sockchat) and load processes write CPU profiles there. */
/**
 * Drives batched joining: every load process connects its next batch with the
 * hellos held; once the server has accepted them all (one per event-loop turn),
 * all hellos are released together.
 */
async function joinInBatches(serverPid: number, loads: LoadProcess[]): Promise<void> {
  const joined = new Map(loads.map((l) => [l, 0]));
  for (;;) {
    const active = loads.filter((l) => (joined.get(l) ?? 0) < l.plan.clients);
    if (active.length === 0) return;
    const before = openFiles(serverPid);
    for (const load of active) load.send({ type: "connect" });
    const connected = await Promise.all(active.map((l) => l.next("connected", BATCH_TIMEOUT_MS)));
    const expected = before + connected.reduce((sum, c) => sum + c.count, 0);
    const deadline = Date.now() + ACCEPT_WAIT_MS;
    while (openFiles(serverPid) < expected && Date.now() < deadline) await sleep(2);
    for (const load of active) load.send({ type: "release" });
    for (const load of active) {
      joined.set(load, (await load.next("joined", BATCH_TIMEOUT_MS)).total);
    }
  }
}

export async function runIdle(config: IdleConfig, cpuProfileDir?: string): Promise<IdleResult> {
  const protocol = config.server === "ngircd" ? "irc" : "native";
  const result: IdleResult = {
    kind: "idle",
    server: config.server,
    protocol,
    note:
      config.server === "ngircd"
        ? "registered IRC clients, no channel (a shared channel would cost a JOIN storm)"
        : `native clients joined to the one room, in batches of hellos (${CONNECT_BATCH} at most)`,
    clients: config.clients,
    connected: 0,
    rssBeforeBytes: 0,
    rssSettledBytes: 0,
    restSeconds: config.restMs / 1000,
    rssWithBytes: 0,
    bytesPerConnection: 0,
    peakRssBytes: 0,
    windowSeconds: config.windowMs / 1000,
    idleCpuSeconds: 0,
    joinSeconds: 0,
    joinWrites: 0,
    settled: false,
  };
  const profileDir = (who: string) =>
    cpuProfileDir === undefined ? undefined : join(cpuProfileDir, who);
  const target = await startTarget(config.server, {
    connections: config.clients,
    cpuProfileDir: profileDir("server"),
  });
  const loads: LoadProcess[] = [];
  try {
    await waitQuiet([target.pid], 5000);
    result.rssBeforeBytes = memory(target.pid).rss;
    const started = Date.now();
    const writes0 = syscalls(target.pid).writes;
    const perProcess = Math.ceil(config.clients / config.processes);
    for (let i = 0; i * perProcess < config.clients; i++) {
      loads.push(
        new LoadProcess(
          {
            protocol,
            port: target.port,
            role: "idle",
            clients: Math.min(perProcess, config.clients - i * perProcess),
            nickPrefix: `i${i}x`,
            channel: "",
            // Many joins per event-loop turn share one write per member; one at a time,
            // N joins cost N²/2 writes (see the report on join storms).
            concurrency: protocol === "irc" ? 4 : Math.floor(CONNECT_BATCH / config.processes),
            batched: protocol === "native",
            senders: 0,
            messages: 0,
            firstSender: 0,
            pacePerSecond: 0,
            stallMs: 0,
          },
          profileDir("clients"),
        ),
      );
    }
    if (protocol === "native") await joinInBatches(target.pid, loads);
    await Promise.all(loads.map((l) => l.next("ready", JOIN_TIMEOUT_MS)));
    result.joinSeconds = (Date.now() - started) / 1000;
    for (const load of loads) load.send({ type: "go" });
    result.settled = await waitQuiet([target.pid, ...loads.map((l) => l.pid)], SETTLE_MAX_MS);
    result.joinWrites = syscalls(target.pid).writes - writes0;
    result.rssSettledBytes = memory(target.pid).rss;
    if (config.restMs > 0) {
      await sleep(config.restMs);
      // The window should see the server at rest, not in the middle of a late collection.
      await waitQuiet([target.pid], config.restMs, 100, 20);
    }
    const cpu0 = cpuSeconds(target.pid);
    await sleep(config.windowMs);
    result.idleCpuSeconds = cpuSeconds(target.pid) - cpu0;
    const after = memory(target.pid);
    result.rssWithBytes = after.rss;
    result.peakRssBytes = after.peak;
    result.bytesPerConnection = (result.rssWithBytes - result.rssBeforeBytes) / config.clients;
    for (const load of loads) load.send({ type: "report" });
    const reports = await Promise.all(loads.map((l) => l.next("idle", 10_000)));
    const dropped = reports.reduce((sum, r) => sum + r.disconnects, 0);
    result.connected = config.clients - dropped;
    const reason = reports.find((r) => r.lastDisconnect !== "")?.lastDisconnect;
    if (dropped > 0) result.error = `${dropped} clients were disconnected (last: ${reason})`;
  } catch (error) {
    result.error = `${(error as Error).message}\n${target.tail()}`;
  } finally {
    await target.stop();
    await Promise.all(loads.map((load) => load.stop(cpuProfileDir === undefined ? 0 : 3000)));
  }
  return result;
}
