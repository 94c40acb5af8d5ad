// Turns results into the report: ours-versus-ngIRCd ratios, the project's
// targets met or not, and tables for the terminal and for Markdown (the
// hardening section's come from hardening-report.ts, TLS's from tls-report.ts).

import { hardeningTables, hardeningTargets } from "./hardening-report.js";
import { serverLabel } from "./plan.js";
import { median, runsOf } from "./repeats.js";
import type {
  BenchReport,
  FanoutResult,
  FileRelayResult,
  IdleResult,
  IngestResult,
  PageLoadResult,
  PageLoadTiming,
  Ratio,
  ScenarioResult,
  StoreHistoryResult,
  TargetCheck,
} from "./results.js";
import { type Table, tableMarkdown, tableText } from "./table.js";
import { tlsTable } from "./tls-report.js";

const KIB = 1024;
const MIB = 1024 * 1024;

const fanouts = (results: ScenarioResult[]) =>
  results.filter((r): r is FanoutResult => r.kind === "fanout");
const idles = (results: ScenarioResult[]) =>
  results.filter((r): r is IdleResult => r.kind === "idle");
const fileRelays = (results: ScenarioResult[]) =>
  results.filter((r): r is FileRelayResult => r.kind === "file-relay");
const storeHistories = (results: ScenarioResult[]) =>
  results.filter((r): r is StoreHistoryResult => r.kind === "store-history");
const ingests = (results: ScenarioResult[]) =>
  results.filter((r): r is IngestResult => r.kind === "ingest");
const pageLoads = (results: ScenarioResult[]) =>
  results.filter((r): r is PageLoadResult => r.kind === "page-load");
/** sockchat as users run it: the SQLite store (the default). */
const durable = (r: FanoutResult) => r.server === "sockchat" && r.store !== "memory";

/** The bare pipe's run of the same file to as many receivers, if there was one. */
function pipeFor(
  results: ScenarioResult[],
  r: FileRelayResult,
  kind: "pipe" | "pipe-discard",
): FileRelayResult | undefined {
  return fileRelays(results).find((p) => p.server === kind && p.config.id === r.config.id);
}

const versus = (ours: FileRelayResult, pipe: FileRelayResult) =>
  `${(ours.mbPerSecond / pipe.mbPerSecond).toFixed(2)}× (${ours.mbPerSecond.toFixed(0)} vs ${pipe.mbPerSecond.toFixed(0)} MB/s)`;

/** Server memory the file runs must stay under, the slow-receiver run included. */
const FILE_RSS_LIMIT = 200e6;
/** A history read runs on the event loop: every client of the server waits while it does. */
const HISTORY_P99_LIMIT_MS = 5;
/** Lines acknowledged per second, each committed before its ack, on this machine's 2 cores. */
const INGEST_TARGET_PER_SECOND = 100_000;
/** Storing every line before its fan-out may cost a burst this much of the memory store's rate. */
const STORE_BURST_RATIO = 0.8;
/** sockchat over its WebSocket against Socket.IO over its own, in deliveries per second (issue 12). */
const SOCKETIO_BURST_RATIO = 3;

function ratio(ours: FanoutResult, ref: FanoutResult, versus: Ratio["versus"]): Ratio {
  return {
    configId: ref.config.id,
    label: ref.config.label,
    paced: ref.config.pacePerSecond > 0,
    protocol: ours.protocol,
    versus,
    throughputRatio: ours.deliveriesPerSecond / ref.deliveriesPerSecond,
    p99Ratio: ours.latencyMs.p99 / ref.latencyMs.p99,
    perSecond: { ours: ours.deliveriesPerSecond, reference: ref.deliveriesPerSecond },
  };
}

/** A ratio to two places, or three where two would round a miss up to its goal. */
function times(value: number, goal: number, atLeast = true): string {
  const two = value.toFixed(2);
  const misses = atLeast ? value < goal : value > goal;
  const looksMet = atLeast ? Number(two) >= goal : Number(two) <= goal;
  return `${misses && looksMet ? value.toFixed(3) : two}×`;
}

/** A burst's ratio with the two rates it is taken between. */
const burstRatio = (r: Ratio, goal: number) =>
  `${times(r.throughputRatio, goal)} (${rate(r.perSecond.ours)} vs ${rate(r.perSecond.reference)} deliveries/s)`;

/**
 * sockchat (SQLite) against ngIRCd on the same load, and against itself with
 * the store in memory; sockchat over WebSocket against Socket.IO, and against
 * sockchat's native TCP path.
 */
export function computeRatios(results: ScenarioResult[]): Ratio[] {
  const all = fanouts(results);
  const ratios: Ratio[] = [];
  const completed = (r: FanoutResult) => r.error === undefined;
  for (const ref of all.filter((r) => r.server === "ngircd" && completed(r))) {
    for (const ours of all.filter((r) => durable(r) && r.config.id === ref.config.id)) {
      ratios.push(ratio(ours, ref, "ngircd"));
    }
  }
  for (const ref of all.filter((r) => r.store === "memory" && completed(r))) {
    const ours = all.find(
      (r) => durable(r) && r.protocol === ref.protocol && r.config.id === ref.config.id,
    );
    if (ours !== undefined) ratios.push(ratio(ours, ref, "memory store"));
  }
  for (const ours of all.filter((r) => durable(r) && r.protocol === "websocket")) {
    const sameLoad = (r: FanoutResult) => r.config.id === ours.config.id && completed(r);
    const socketIo = all.find((r) => r.server === "socketio" && sameLoad(r));
    if (socketIo !== undefined) ratios.push(ratio(ours, socketIo, "socket.io"));
    const tcp = all.find((r) => durable(r) && r.protocol === "native" && sameLoad(r));
    if (tcp !== undefined) ratios.push(ratio(ours, tcp, "native over TCP"));
  }
  return ratios;
}

/** The target a ratio is held to, if it has one: WebSocket against TCP is only reported. */
function ratioCheck(ratio: Ratio): TargetCheck | undefined {
  switch (ratio.versus) {
    case "memory store":
      return {
        what: `${ratio.configId} ${ratio.protocol}: deliveries/s, SQLite store vs memory store`,
        value: burstRatio(ratio, STORE_BURST_RATIO),
        goal: `≥ ${STORE_BURST_RATIO.toFixed(1)}×`,
        met: ratio.throughputRatio >= STORE_BURST_RATIO,
      };
    case "socket.io":
      return {
        what: `${ratio.configId} ${ratio.protocol}: deliveries/s vs Socket.IO (SQLite store)`,
        value: burstRatio(ratio, SOCKETIO_BURST_RATIO),
        goal: `≥ ${SOCKETIO_BURST_RATIO.toFixed(1)}×`,
        met: ratio.throughputRatio >= SOCKETIO_BURST_RATIO,
      };
    case "native over TCP":
      return undefined;
    case "ngircd":
      return ratio.paced
        ? {
            what: `${ratio.configId} ${ratio.protocol}: p99 vs ngIRCd (SQLite store)`,
            value: times(ratio.p99Ratio, 2, false),
            goal: "≤ 2.0×",
            met: ratio.p99Ratio <= 2,
          }
        : {
            what: `${ratio.configId} ${ratio.protocol}: deliveries/s vs ngIRCd (SQLite store)`,
            value: burstRatio(ratio, 1),
            goal: "≥ 1.0×",
            met: ratio.throughputRatio >= 1,
          };
  }
}

/**
 * `results` holds the median run of each scenario, `runs` every run: loss,
 * verification and memory must hold in every run, not just the median one.
 */
export function checkTargets(
  results: ScenarioResult[],
  ratios: Ratio[],
  runs: ScenarioResult[],
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const r of fanouts(results).filter((f) => f.server === "sockchat")) {
    const all = fanouts(runsOf(runs, r));
    const sum = (pick: (f: FanoutResult) => number) => all.reduce((n, f) => n + pick(f), 0);
    const failed = all.filter((f) => f.error !== undefined).length;
    const bad = sum((f) => f.lost + f.duplicates + f.outOfOrder);
    checks.push({
      what: `${r.config.id} ${r.protocol}${r.store === "memory" ? " (memory store)" : ""}: loss${all.length > 1 ? ` (${all.length} runs)` : ""}`,
      value: `${sum((f) => f.lost)} lost, ${sum((f) => f.duplicates)} dup, ${sum((f) => f.outOfOrder)} out of order${failed > 0 ? `; ${failed} runs failed` : ""}`,
      goal: "0",
      met: failed === 0 && bad === 0,
    });
  }
  for (const ratio of ratios) {
    const check = ratioCheck(ratio);
    if (check !== undefined) checks.push(check);
  }
  for (const r of fileRelays(results).filter((f) => f.server === "sockchat")) {
    const all = fileRelays(runsOf(runs, r));
    const pipe = pipeFor(results, r, "pipe");
    if (pipe !== undefined) {
      const ratio = r.mbPerSecond / pipe.mbPerSecond;
      const discard = pipeFor(results, r, "pipe-discard");
      checks.push({
        what: `${r.config.id}: MB/s vs bare pipe (receivers writing to disk)`,
        value:
          versus(r, pipe) +
          (discard === undefined ? "" : `; vs receivers dropping the bytes ${versus(r, discard)}`),
        goal: "≥ 0.6×",
        met: all.every((f) => f.error === undefined && f.verified) && ratio >= 0.6,
      });
    }
    const withoutSlow = fileRelays(results).find(
      (f) =>
        f.server === "sockchat" &&
        !f.tls &&
        f.config.slowReceivers === 0 &&
        f.config.chatDuring === 0 &&
        f.config.receivers === r.config.receivers &&
        f.config.bytes === r.config.bytes,
    );
    if (r.config.slowReceivers > 0 && withoutSlow !== undefined) {
      const ratio = r.mbPerSecond / withoutSlow.mbPerSecond;
      checks.push({
        what: `${r.config.id}: fast receivers' MB/s vs no slow receiver`,
        value: `${ratio.toFixed(2)}× (${r.mbPerSecond.toFixed(0)} vs ${withoutSlow.mbPerSecond.toFixed(0)} MB/s)`,
        goal: "≥ 0.8× (not held back)",
        met: r.error === undefined && r.verified && ratio >= 0.8,
      });
    }
    if (r.chatLatencyMs !== undefined) {
      checks.push({
        what: `${r.config.id}: chat p99 during the transfer`,
        value: `${r.chatLatencyMs.p99.toFixed(2)} ms (p50 ${r.chatLatencyMs.p50.toFixed(2)}, ${r.chatLatencyMs.count} lines)`,
        goal: "< 50 ms",
        met: r.error === undefined && r.chatLatencyMs.count > 0 && r.chatLatencyMs.p99 < 50,
      });
    }
    const peak = Math.max(...all.map((f) => f.serverPeakRssBytes));
    checks.push({
      what: `${r.config.id}${r.tls ? " over TLS" : ""}: server peak RSS${all.length > 1 ? ` (highest of ${all.length} runs)` : ""}`,
      value: `${(peak / MIB).toFixed(0)} MiB`,
      goal: "< 200 MB",
      met: all.every((f) => f.error === undefined) && peak < FILE_RSS_LIMIT,
    });
  }
  for (const r of idles(results).filter((i) => i.server === "sockchat")) {
    const name = `idle ${r.clients}${r.rooms > 0 ? ` in ${r.rooms} rooms` : ""}`;
    checks.push({
      what: `${name}: server RSS per connection`,
      value: `${(r.bytesPerConnection / KIB).toFixed(1)} KiB`,
      goal: "≤ 16 KiB",
      met: r.error === undefined && r.bytesPerConnection <= 16 * KIB,
    });
    checks.push({
      what: `${name}: server CPU over ${r.windowSeconds} s`,
      value: `${r.idleCpuSeconds.toFixed(2)} s (${((100 * r.idleCpuSeconds) / r.windowSeconds).toFixed(2)}% of a core)`,
      goal: "~0 (≤ 1% of a core)",
      met: r.idleCpuSeconds <= 0.01 * r.windowSeconds,
    });
  }
  for (const r of ingests(results)) {
    checks.push({
      what: `${r.config.id}: lines acknowledged per second (each stored first)`,
      value: `${rate(r.linesPerSecond)} (${times(r.linesPerSecond / INGEST_TARGET_PER_SECOND, 1)} the target)`,
      goal: `≥ ${rate(INGEST_TARGET_PER_SECOND)}`,
      met: r.error === undefined && r.linesPerSecond >= INGEST_TARGET_PER_SECOND,
    });
    checks.push({
      what: `${r.config.id}: database after the stop holds the acknowledged lines`,
      value: `${r.storedLines} stored, ${r.acked} acknowledged, ${r.roomsMismatched} rooms off (server: ${r.serverExit})`,
      goal: "equal, every room",
      met: r.error === undefined && r.storedLines === r.acked && r.roomsMismatched === 0,
    });
  }
  for (const r of storeHistories(results)) {
    for (const [read, latency] of [
      ["join replay (latest 50)", r.joinReplayMs],
      ["/history page (100 before an id)", r.historyPageMs],
    ] as const) {
      checks.push({
        what: `${r.config.id}: ${read} p99`,
        value: `${ms(latency.p99)} ms (p50 ${ms(latency.p50)})`,
        goal: `< ${HISTORY_P99_LIMIT_MS} ms`,
        met: r.error === undefined && latency.p99 < HISTORY_P99_LIMIT_MS,
      });
    }
  }
  // Hardening runs are not repeated: the median is the one run.
  checks.push(...hardeningTargets(results));
  return checks;
}

const rate = (perSecond: number) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : `${(perSecond / 1e3).toFixed(0)} k`;
const count = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)} k` : String(n);
const share = (seconds: number, window: number) =>
  `${window > 0 ? Math.round((100 * seconds) / window) : 0}%`;
/** A burst where the server idled while the load processes were saturated. */
const loadBound = (r: FanoutResult) =>
  r.config.pacePerSecond === 0 &&
  r.windowSeconds > 0 &&
  r.serverCpuSeconds / r.windowSeconds < 0.5 &&
  r.loadCpuSeconds / r.windowSeconds > 1.2;
/** The headline figure of each run of a repeated scenario; "–" for one run. */
const everyRun = (r: ScenarioResult, format: (value: number) => string) =>
  r.runs !== undefined && r.runs.length > 1 ? r.runs.map(format).join(" · ") : "–";
/** CPU seconds, and in parentheses the share of one core over the window. */
const cpu = (seconds: number, window: number) =>
  `${seconds.toFixed(2)} (${window > 0 ? Math.round((100 * seconds) / window) : 0}%)`;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "–");

function fanoutTable(results: FanoutResult[]): Table {
  return {
    title: "Fan-out: deliveries per second from first send to last delivery",
    headers: [
      "config",
      "server",
      "proto",
      "deliv/s",
      "deliveries",
      "lost",
      "dup",
      "order",
      "p50 ms",
      "p99 ms",
      "max ms",
      "srv CPU s",
      "srv writes",
      "srv peak MiB",
      "load CPU s",
      "secs",
      "every run",
    ],
    numeric: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    rows: results.map((r) => [
      r.config.id,
      serverLabel(r.server, r.store),
      r.protocol,
      r.error === undefined ? rate(r.deliveriesPerSecond) : "FAILED",
      String(r.delivered),
      String(r.lost),
      String(r.duplicates),
      String(r.outOfOrder),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p99),
      ms(r.latencyMs.max),
      cpu(r.serverCpuSeconds, r.windowSeconds),
      count(r.serverWrites),
      (r.serverPeakRssBytes / MIB).toFixed(0),
      cpu(r.loadCpuSeconds, r.windowSeconds),
      r.seconds.toFixed(2),
      everyRun(r, (v) => (r.config.pacePerSecond > 0 ? `${ms(v)} ms` : rate(v))),
    ]),
    notes: [
      "deliveries = messages × receivers that got them; senders' copies of each other's lines are not counted",
      "latency = receive time − send time carried in the message (machine-wide monotonic clock)",
      "order = deliveries that arrived after a later message from the same sender (plus malformed)",
      "every run = the figure each run gave (p99 when paced, deliv/s otherwise), in run order; the row shows the run with the median one",
      "CPU (%) = seconds used from go to the last report, and that as a share of one core; load = all load processes",
      "srv writes = write/writev system calls by the server during the run (from /proc/<pid>/io), the SQLite store's included",
      "sockchat runs with its default store, SQLite in a fresh data directory; sockchat (memory store) runs `serve --store memory`, the same load without the disk",
      "websocket = the native protocol over the chat port's WebSocket (ws://…/chat), by the same frame-level peers as native; socketio = a Socket.IO server written for the bench (one room, `socket.to(room).emit`, each line acknowledged) and socket.io-client, both WebSocket only",
      "tls = the native protocol over TLS (`serve --tls self-signed`), by the same frame-level peers as native, each trusting the server's certificate as its one CA",
      ...results
        .filter((r) => r.error !== undefined || r.disconnects > 0 || !r.settled)
        .map(
          (r) =>
            `${r.config.id} ${serverLabel(r.server, r.store)}/${r.protocol}: ${r.error?.split("\n")[0] ?? ""}${
              r.disconnects > 0 ? ` ${r.disconnects} disconnects (${r.lastDisconnect})` : ""
            }${r.settled ? "" : " (server had not gone quiet before the start)"}`,
        ),
      ...results
        .filter((r) => r.error === undefined && loadBound(r))
        .map(
          (r) =>
            `${r.config.id} ${serverLabel(r.server, r.store)}/${r.protocol}: the server used ${share(r.serverCpuSeconds, r.windowSeconds)} of a core and the load processes ${share(r.loadCpuSeconds, r.windowSeconds)} — the load generator, not the server, was most likely the limit`,
        ),
    ],
  };
}

const VERSUS: Record<Ratio["versus"], string> = {
  ngircd: "ngIRCd",
  "memory store": "sockchat (memory store)",
  "socket.io": "Socket.IO",
  "native over TCP": "sockchat native (TCP)",
};

function ratioTable(ratios: Ratio[]): Table {
  return {
    title: "sockchat (SQLite store) ÷ reference, same load",
    headers: ["config", "sockchat protocol", "versus", "throughput ratio", "p99 ratio"],
    numeric: [3, 4],
    rows: ratios.map((r) => [
      r.configId,
      r.protocol,
      VERSUS[r.versus],
      `${r.throughputRatio.toFixed(2)}×`,
      `${r.p99Ratio.toFixed(2)}×`,
    ]),
  };
}

function idleTable(results: IdleResult[]): Table {
  return {
    title: "Idle connections",
    headers: [
      "server",
      "clients",
      "rooms",
      "connected",
      "RSS before MiB",
      "settled MiB",
      "RSS with MiB",
      "per conn KiB",
      "CPU s / window",
      "peak MiB",
      "join s",
      "join writes",
      "window writes",
    ],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    rows: results.map((r) => [
      `${r.server}/${r.protocol}`,
      String(r.clients),
      r.rooms > 0 ? `1 + 1 of ${r.rooms}` : r.server === "ngircd" ? "0" : "1",
      String(r.connected),
      (r.rssBeforeBytes / MIB).toFixed(1),
      (r.rssSettledBytes / MIB).toFixed(1),
      (r.rssWithBytes / MIB).toFixed(1),
      (r.bytesPerConnection / KIB).toFixed(1),
      `${r.idleCpuSeconds.toFixed(2)} / ${r.windowSeconds} s`,
      (r.peakRssBytes / MIB).toFixed(0),
      r.joinSeconds.toFixed(1),
      count(r.joinWrites),
      count(r.windowWrites),
    ]),
    notes: [
      "settled = RSS once joining went quiet; with = RSS after a rest and the idle window (sockchat rests 20 s, for V8 to return the join garbage); per conn = (with − before) / clients; window writes = the server's writes in the window, about one per client per round of pings",
      "rooms = the rooms each client is in: the one everyone is in on arrival, and in the rooms variant one of N more",
      ...results.map(
        (r) => `${r.server}: ${r.note}${r.error ? ` — ${r.error.split("\n")[0]}` : ""}`,
      ),
    ],
  };
}

function fileTable(results: FileRelayResult[]): Table {
  return {
    title: "File relay: one sender, end to end (receivers verify SHA-256 and write to disk)",
    headers: [
      "run",
      "relay",
      "MB/s per fast receiver",
      "MB/s total",
      "secs",
      "verified",
      "slow receiver MB/s",
      "relay peak MiB",
      "relay RSS min–max MiB",
      "relay CPU s",
      "chat p50 / p99 ms",
      "every run MB/s",
    ],
    numeric: [2, 3, 4, 6, 7, 8, 9],
    rows: results.map((r) => {
      const samples = r.serverRssSamplesBytes.length > 0 ? r.serverRssSamplesBytes : [0];
      return [
        r.config.id,
        r.tls ? "sockchat (TLS)" : r.server,
        r.mbPerSecond.toFixed(0),
        r.totalMbPerSecond.toFixed(0),
        r.seconds.toFixed(2),
        r.error === undefined ? (r.verified ? "yes" : "NO") : "failed",
        r.config.slowReceivers > 0 ? (r.slowBytesPerSecond / 1e6).toFixed(2) : "–",
        (r.serverPeakRssBytes / MIB).toFixed(0),
        `${(Math.min(...samples) / MIB).toFixed(0)}–${(Math.max(...samples) / MIB).toFixed(0)}`,
        r.serverCpuSeconds.toFixed(2),
        r.chatLatencyMs === undefined
          ? "–"
          : `${r.chatLatencyMs.p50.toFixed(2)} / ${r.chatLatencyMs.p99.toFixed(2)}`,
        everyRun(r, (v) => v.toFixed(0)),
      ];
    }),
    notes: [
      "sockchat: the sender and fast receivers are `sockchat connect` processes (SEND, --save-dir); each receiver hashes and writes every byte, renaming only after the SHA-256 matches",
      "sockchat (TLS): the same over TLS, `serve --tls self-signed`, sender and receivers `connect --ca` the server's certificate",
      "pipe: a bare Node.js relay, no framing, no hashing, no spool; its receivers write the bytes to a file, as `nc host port > file` would",
      "pipe-discard: the same relay with receivers that count the bytes and drop them: only the sockets",
      "slow: receivers that write 1 MB/s; the run ends when the fast receivers are done, while the slow one is still receiving",
      "RSS min–max: the relay's resident memory sampled every 250 ms through the run",
      "chat: two other clients (who decline the file) chat 50 lines/s through the transfer; latency from send to arrival",
    ],
  };
}

function storeHistoryTable(results: StoreHistoryResult[]): Table {
  return {
    title: "Store: history reads from SQLite, timed in-process (the server's side only)",
    headers: [
      "run",
      "lines",
      "rooms",
      "fill s",
      "lines/s in",
      "replay p50 / p99 / max ms",
      "/history p50 / p99 / max ms",
      "on disk MiB",
      "bytes/line",
    ],
    numeric: [1, 2, 3, 4, 7, 8],
    rows: results.map((r) => [
      r.config.id,
      count(r.config.lines),
      String(r.config.rooms),
      r.fillSeconds.toFixed(1),
      rate(r.linesPerSecond),
      [r.joinReplayMs.p50, r.joinReplayMs.p99, r.joinReplayMs.max].map(ms).join(" / "),
      [r.historyPageMs.p50, r.historyPageMs.p99, r.historyPageMs.max].map(ms).join(" / "),
      (r.bytesOnDisk / MIB).toFixed(0),
      r.bytesPerLine.toFixed(0),
    ]),
    notes: [
      ...results.map(
        (r) =>
          `${r.config.id}: filled through the Store API, ${r.config.linesPerTurn} lines a turn, each turn one transaction (WAL, synchronous=NORMAL); then ${count(r.config.queries)} reads of each kind, one at a time, over random rooms${r.error ? ` — FAILED: ${r.error.split("\n")[0]}` : ""}`,
      ),
      "replay = latest(room, 50), what joining a room sends; /history = before(room, random id, 100), one page",
      "on disk = the database and its WAL after the closing checkpoint; bytes/line = that ÷ lines",
    ],
  };
}

function ingestTable(results: IngestResult[]): Table {
  return {
    title: "Durable ingest: lines acknowledged per second, each committed to SQLite before its ack",
    headers: [
      "run",
      "senders × window",
      "lines/s",
      "vs target",
      "acked",
      "refused",
      "stored",
      "ack p50 / p99 / max ms",
      "srv CPU s",
      "srv CPU µs/line",
      "srv writes",
      "srv peak MiB",
      "load CPU s",
      "on disk MiB",
      "secs",
    ],
    numeric: [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14],
    rows: results.map((r) => [
      r.config.id,
      `${r.config.senders} × ${r.config.window}`,
      r.error === undefined ? rate(r.linesPerSecond) : "FAILED",
      `${(r.linesPerSecond / INGEST_TARGET_PER_SECOND).toFixed(2)}×`,
      String(r.acked),
      String(r.refused),
      r.storedLines < 0 ? "unread" : String(r.storedLines),
      [r.ackLatencyMs.p50, r.ackLatencyMs.p99, r.ackLatencyMs.max].map(ms).join(" / "),
      cpu(r.serverCpuSeconds, r.seconds),
      r.acked > 0 ? ((1e6 * r.serverCpuSeconds) / r.acked).toFixed(1) : "–",
      count(r.serverWrites),
      (r.serverPeakRssBytes / MIB).toFixed(0),
      cpu(r.loadCpuSeconds, r.seconds),
      (r.bytesOnDisk / MIB).toFixed(0),
      r.seconds.toFixed(2),
    ]),
    notes: [
      "each native sender (ChatClient) is in a room of its own, so no line fans out; it keeps `window` lines sent and unacknowledged for the run's duration, then waits for the last acks",
      "lines/s = acknowledged lines ÷ first send to last ack; the server acks a line once the transaction of its turn is committed (WAL, synchronous=NORMAL)",
      "srv CPU µs/line = the server's CPU over the run ÷ lines acknowledged: 10 µs is 100 k lines/s for a core of its own; CPU (%) below 100% while the load was on means the server waited (for its share of the cores, or for the disk)",
      `vs target = lines/s ÷ ${rate(INGEST_TARGET_PER_SECOND)}; stored = SELECT count(*) FROM lines, read-only once the server had stopped, checked per room against each sender's acks`,
      ...results
        .filter((r) => r.error !== undefined)
        .map((r) => `${r.config.id}: FAILED: ${r.error?.split("\n")[0]}`),
    ],
  };
}

function pageLoadTable(results: PageLoadResult[]): Table {
  const figure = (loads: PageLoadTiming[], pick: (t: PageLoadTiming) => number) =>
    ms(median(loads.map(pick)));
  const rows = results.flatMap((r) =>
    (
      [
        ["cold", r.cold],
        ["warm", r.warm],
      ] as const
    ).map(([kind, loads]) => [
      r.config.id,
      r.error === undefined ? kind : `${kind} (FAILED)`,
      String(loads.length),
      figure(loads, (t) => t.interactiveMs),
      figure(loads, (t) => t.joinToLineMs),
      figure(loads, (t) => t.totalMs),
      loads.map((t) => ms(t.totalMs)).join(" · ") || "–",
    ]),
  );
  return {
    title: "Page load in Chromium: navigation to the first history line shown (medians, ms)",
    headers: [
      "run",
      "kind",
      "loads",
      "form shown",
      "join → first line",
      "navigation → first line",
      "every load, navigation → first line",
    ],
    numeric: [2, 3, 4, 5],
    rows,
    notes: [
      "times are the page's own (performance.now(), 0 = navigation start), taken by an init script: form shown = the nickname form is on the page (the page's script has run); join = the form's submit; first line = the frame that paints the first replayed history line in the log of #lobby",
      "the init script fills in the nickname and clicks Join the moment the form is there (one timer tick apart, for the page to render the name): navigation → first line is the page's own time, with no one typing",
      "cold = a fresh browser context per load (empty HTTP cache, nothing stored); warm = one context that has loaded the page once already (assets cached, the page revalidated)",
      ...results.map(
        (r) =>
          `${r.config.id}: ${r.config.historyLines} lines said in #lobby before the loads, by a native client that then left; ${r.browser === "" ? "Chromium" : `Chromium ${r.browser}`}, headless; first line shown: "${r.firstLine}"${r.error ? ` — FAILED: ${r.error.split("\n")[0]}` : ""}`,
      ),
    ],
  };
}

function targetTable(checks: TargetCheck[]): Table {
  return {
    title: "Targets",
    headers: ["", "what", "measured", "goal"],
    numeric: [],
    rows: checks.map((c) => [c.met ? "ok" : "MISS", c.what, c.value, c.goal]),
  };
}

function tables(report: BenchReport): Table[] {
  const out: Table[] = [];
  const fanout = fanouts(report.results);
  if (fanout.length > 0) out.push(fanoutTable(fanout));
  if (report.ratios.length > 0) out.push(ratioTable(report.ratios));
  const idle = idles(report.results);
  if (idle.length > 0) out.push(idleTable(idle));
  const files = fileRelays(report.results);
  if (files.length > 0) out.push(fileTable(files));
  if (report.tlsCosts.length > 0) out.push(tlsTable(report.tlsCosts));
  out.push(...hardeningTables(report.results));
  const ingest = ingests(report.results);
  if (ingest.length > 0) out.push(ingestTable(ingest));
  const store = storeHistories(report.results);
  if (store.length > 0) out.push(storeHistoryTable(store));
  const page = pageLoads(report.results);
  if (page.length > 0) out.push(pageLoadTable(page));
  out.push(targetTable(report.targets));
  return out;
}

export function reportText(report: BenchReport): string {
  return tables(report).map(tableText).join("\n\n");
}

export function reportMarkdown(report: BenchReport, chartFile: string): string {
  const meta = Object.entries(report.meta).map(([k, v]) => `- ${k}: ${v}`);
  return [
    "# sockchat benchmark results",
    "",
    ...meta,
    "",
    `![throughput and latency](${chartFile})`,
    "",
    tables(report).map(tableMarkdown).join("\n\n"),
    "",
  ].join("\n");
}
