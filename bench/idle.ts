// Idle cost: N connected clients that say nothing. Server memory per
// connection, and the CPU the server burns over a quiet window.

import { join } from "node:path";
import { monoUs } from "./load/payload.js";
import { LoadProcess } from "./load-process.js";
import type { IdleConfig } from "./plan.js";
import { cpuSeconds, memory, sleep, syscalls, waitQuiet } from "./proc-stats.js";
import { writeProfileWindow } from "./profile-window.js";
import type { IdleResult } from "./results.js";
import { startTarget } from "./start-target.js";

const JOIN_TIMEOUT_MS = 300_000;
const SETTLE_MAX_MS = 120_000;

/** With `cpuProfileDir`, the server (sockchat) and load processes write CPU profiles there. */
export async function runIdle(config: IdleConfig, cpuProfileDir?: string): Promise<IdleResult> {
  const protocol = config.server === "ngircd" ? "irc" : "native";
  const result: IdleResult = {
    kind: "idle",
    server: config.server,
    protocol,
    note:
      config.server === "ngircd"
        ? "registered IRC clients, no channel (a shared channel would cost a JOIN storm)"
        : config.rooms > 0
          ? `native clients in the room everyone is in, each also in one of ${config.rooms} rooms`
          : "native clients joined to the one room",
    clients: config.clients,
    rooms: config.rooms,
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
    windowWrites: 0,
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
            // ngIRCd listens with a backlog of 10.
            concurrency: protocol === "irc" ? 4 : 64,
            senders: 0,
            messages: 0,
            firstSender: 0,
            pacePerSecond: 0,
            stallMs: 0,
            rooms: config.rooms,
          },
          profileDir("clients"),
        ),
      );
    }
    await Promise.all(loads.map((l) => l.next("ready", JOIN_TIMEOUT_MS)));
    result.joinSeconds = (Date.now() - started) / 1000;
    for (const load of loads) load.send({ type: "go" });
    result.settled = await waitQuiet([target.pid, ...loads.map((l) => l.pid)], SETTLE_MAX_MS);
    result.joinWrites = syscalls(target.pid).writes - writes0;
    result.rssSettledBytes = memory(target.pid).rss;
    if (config.restMs > 0) {
      await sleep(config.restMs);
      // The window should see the server at rest, not in the middle of a late collection.
      await waitQuiet([target.pid], 30_000, 100, 30);
    }
    const cpu0 = cpuSeconds(target.pid);
    const windowWrites0 = syscalls(target.pid).writes;
    const windowFromUs = monoUs();
    await sleep(config.windowMs);
    result.idleCpuSeconds = cpuSeconds(target.pid) - cpu0;
    result.windowWrites = syscalls(target.pid).writes - windowWrites0;
    // Lets profile-summary keep only the samples of the idle window.
    writeProfileWindow(cpuProfileDir, windowFromUs);
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
