// Durable ingest: native senders, each in a room of its own so that no line
// fans out, each keeping a window of lines unacknowledged, against a fresh
// server with the SQLite store. The server acknowledges a line once its
// transaction is committed, so acknowledged lines per second is what it can
// keep. Once the senders are done, the server is stopped and the database
// read back (read-only): it must hold exactly the acknowledged lines, each
// sender's room as many as that sender had acknowledged.

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DATABASE_FILE } from "../src/store/sqlite-file.js";
import { Histogram } from "./histogram.js";
import type { IngestSendResult, LoadPlan } from "./load/messages.js";
import { monoUs } from "./load/payload.js";
import { LoadProcess, split } from "./load-process.js";
import { cpuSeconds, memory, sumCpu, syscalls, waitQuiet } from "./proc-stats.js";
import { writeProfileWindow } from "./profile-window.js";
import type { IngestConfig, IngestResult } from "./results.js";
import { startSockchat } from "./targets/sockchat.js";
import { failure, type Target } from "./targets/target.js";

const JOIN_TIMEOUT_MS = 60_000;
const SETTLE_MAX_MS = 10_000;
/** After its duration, how long the senders may take to see their last lines acknowledged. */
const DRAIN_TIMEOUT_MS = 60_000;

/** What the database holds: all its lines, and per room. */
function readBack(dataDir: string): { total: number; byRoom: Map<string, number> } {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const total = db.prepare<[], number>("SELECT count(*) FROM lines").pluck().get() ?? 0;
    const rows = db
      .prepare<[], { room: string; n: number }>(
        "SELECT room, count(*) AS n FROM lines GROUP BY room",
      )
      .all();
    return { total, byRoom: new Map(rows.map((r) => [r.room, r.n])) };
  } finally {
    db.close();
  }
}

function bytesOnDisk(dataDir: string): number {
  const path = join(dataDir, DATABASE_FILE);
  return [path, `${path}-wal`].reduce(
    (sum, file) => sum + (existsSync(file) ? statSync(file).size : 0),
    0,
  );
}

export async function runIngest(
  config: IngestConfig,
  cpuProfileDir?: string,
): Promise<IngestResult> {
  const result: IngestResult = {
    kind: "ingest",
    config,
    acked: 0,
    refused: 0,
    seconds: 0,
    linesPerSecond: 0,
    ackLatencyMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    storedLines: -1,
    roomsMismatched: 0,
    serverExit: "",
    bytesOnDisk: 0,
    serverCpuSeconds: 0,
    serverWrites: 0,
    serverPeakRssBytes: 0,
    loadCpuSeconds: 0,
  };
  const profileDir = (who: string) =>
    cpuProfileDir === undefined ? undefined : join(cpuProfileDir, who);
  const dataDir = mkdtempSync(join(tmpdir(), "sockchat-bench-ingest-"));
  const loads: LoadProcess[] = [];
  let target: Target | undefined;
  try {
    target = await startSockchat({
      openFiles: config.senders + 1024,
      dataDir,
      cpuProfileDir: profileDir("server"),
    });
    let firstSender = 0;
    for (const [i, clients] of split(config.senders, config.processes).entries()) {
      const plan: LoadPlan = {
        protocol: "native",
        port: target.port,
        role: "ingest",
        clients,
        nickPrefix: `g${i}x`,
        channel: "",
        concurrency: 64,
        senders: config.senders,
        messages: 0,
        firstSender,
        pacePerSecond: 0,
        stallMs: 0,
        window: config.window,
        durationMs: config.seconds * 1000,
      };
      loads.push(new LoadProcess(plan, profileDir("senders")));
      firstSender += clients;
    }
    await Promise.all(loads.map((l) => l.next("ready", JOIN_TIMEOUT_MS)));
    const pids = loads.map((l) => l.pid);
    await waitQuiet([target.pid, ...pids], SETTLE_MAX_MS);
    const serverCpu0 = cpuSeconds(target.pid);
    const serverWrites0 = syscalls(target.pid).writes;
    const loadCpu0 = sumCpu(pids);
    const goUs = monoUs();
    for (const load of loads) load.send({ type: "go" });
    const reports = await Promise.all(
      loads.map((l) => l.next("ingested", config.seconds * 1000 + DRAIN_TIMEOUT_MS)),
    );
    writeProfileWindow(cpuProfileDir, goUs);
    result.serverCpuSeconds = cpuSeconds(target.pid) - serverCpu0;
    result.serverWrites = syscalls(target.pid).writes - serverWrites0;
    result.loadCpuSeconds = sumCpu(pids) - loadCpu0;
    result.serverPeakRssBytes = memory(target.pid).peak;
    summarize(
      result,
      reports.map((r) => r.result),
    );

    // The senders go first, then the server, which commits what it holds and
    // checkpoints its WAL as it shuts down: only then is the file read.
    await Promise.all(loads.map((load) => load.stop(cpuProfileDir === undefined ? 3000 : 10_000)));
    await target.stop();
    result.serverExit = target.exited() ?? "still running";
    target = undefined;
    const stored = readBack(dataDir);
    result.storedLines = stored.total;
    let sender = 0;
    for (const report of reports) {
      for (const acked of report.result.ackedPerSender) {
        if (stored.byRoom.get(`#ingest-${sender}`) !== acked) result.roomsMismatched += 1;
        sender += 1;
      }
    }
    // Rooms with lines that no sender of this run had.
    result.roomsMismatched += [...stored.byRoom.keys()].filter(
      (room) => !/^#ingest-\d+$/.test(room) || Number(room.slice(8)) >= sender,
    ).length;
    result.bytesOnDisk = bytesOnDisk(dataDir);
    const problem = reports.find((r) => r.result.problem !== "")?.result.problem;
    if (problem !== undefined) result.error = `${result.refused} lines refused: ${problem}`;
  } catch (error) {
    result.error = failure(error, target);
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await target?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

function summarize(result: IngestResult, reports: IngestSendResult[]): void {
  const latency = new Histogram();
  let firstSendUs = Number.POSITIVE_INFINITY;
  let lastAckUs = 0;
  for (const r of reports) {
    result.acked += r.acked;
    result.refused += r.refused;
    latency.merge(r.latency);
    firstSendUs = Math.min(firstSendUs, r.firstSendUs);
    lastAckUs = Math.max(lastAckUs, r.lastAckUs);
  }
  result.seconds = Math.max(0, (lastAckUs - firstSendUs) / 1e6);
  result.linesPerSecond = result.seconds > 0 ? result.acked / result.seconds : 0;
  result.ackLatencyMs = {
    p50: latency.quantileUs(0.5) / 1000,
    p99: latency.quantileUs(0.99) / 1000,
    max: latency.maxUs / 1000,
  };
}
