// The hardening section of the report (issue 9): the join cost at N and 2N,
// what finished files leave open and resident on the server, and what files
// cost with a crowd that never confirms them; its tables and its targets.

import type { HardeningConfig, HardeningResult, ScenarioResult, TargetCheck } from "./results.js";
import type { Table } from "./table.js";

const MIB = 1024 * 1024;
/** "≈ 2, not 4": twice the clients cost twice the CPU, unless each join costs more in a crowd. */
const JOIN_RATIO_LIMIT = 2.5;
/** Per-file work, as per-join work, must not grow with the files already kept. */
const FILES_RATIO_LIMIT = 2.5;
const DESCRIPTOR_GROWTH_LIMIT = 16;
const RSS_GROWTH_LIMIT = 64 * MIB;
/**
 * What one more kept empty file may cost: its entry in the in-memory file index
 * (about 1 KiB of heap, and the heap V8 keeps around it), for as long as it is
 * kept. Measured from N files to 2N, so the server's one-time growth is not
 * counted per file.
 */
const RSS_PER_KEPT_FILE_LIMIT = 4 * 1024;
/** A newcomer, once the files are in, is welcomed as on an idle server: the issue saw 4.5 s. */
const CONNECT_LIMIT_MS = 1000;

type JoinsRun = HardeningResult & { config: Extract<HardeningConfig, { scenario: "joins" }> };
type FilesRun = HardeningResult & {
  config: Exclude<HardeningConfig, { scenario: "joins" }>;
};

const joinRuns = (results: ScenarioResult[]) =>
  results.filter((r): r is JoinsRun => r.kind === "hardening" && r.config.scenario === "joins");
const fileRuns = (results: ScenarioResult[]) =>
  results.filter((r): r is FilesRun => r.kind === "hardening" && r.config.scenario !== "joins");

interface JoinRatio {
  /** The run at N, and the run at 2N of the same protocol. */
  half: JoinsRun;
  full: JoinsRun;
  /** CPU(2N) ÷ CPU(N). */
  ratio: number;
}

const receiversOf = (r: FilesRun) =>
  r.config.scenario === "unconfirmed-crowd" ? r.config.receivers : 1;

/** The empty-file floods (with one declining client, or a crowd that never confirms) at N files, and at 2N. */
function fileRatios(
  results: ScenarioResult[],
): { half: FilesRun; full: FilesRun; ratio: number }[] {
  const runs = fileRuns(results).filter((r) => r.config.scenario !== "unconfirmed-receiver");
  return runs.flatMap((full) => {
    const half = runs.find(
      (r) =>
        r.config.scenario === full.config.scenario &&
        receiversOf(r) === receiversOf(full) &&
        2 * r.config.files === full.config.files,
    );
    return half === undefined ? [] : [{ half, full, ratio: full.cpuSeconds / half.cpuSeconds }];
  });
}

function joinRatios(results: ScenarioResult[]): JoinRatio[] {
  const runs = joinRuns(results);
  return runs.flatMap((full) => {
    const half = runs.find(
      (r) =>
        r.config.protocol === full.config.protocol && 2 * r.config.clients === full.config.clients,
    );
    return half === undefined ? [] : [{ half, full, ratio: full.cpuSeconds / half.cpuSeconds }];
  });
}

const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const growth = (r: HardeningResult) => ({
  descriptors: r.after.descriptors - r.before.descriptors,
  rssBytes: r.after.rssBytes - r.before.rssBytes,
});
const perUnit = (value: number, units: number, digits: number) =>
  units > 0 ? (value / units).toFixed(digits) : "–";
const limit = (n: number) => (Number.isFinite(n) ? String(n) : "unlimited");
const runNotes = (runs: HardeningResult[]) =>
  runs.map(
    (r) =>
      `${r.config.id}: ${r.note}${r.error === undefined ? "" : ` — ${r.error.split("\n")[0]}`}`,
  );

function joinsTable(runs: JoinsRun[], ratios: JoinRatio[]): Table {
  return {
    title: "Hardening: server CPU of N joins, from the first connect to the last welcome",
    headers: [
      "run",
      "clients",
      "welcomed",
      "srv CPU s",
      "CPU per join ms",
      "CPU ÷ CPU at N/2",
      "load CPU s",
      "secs",
      "descriptors after",
      "RSS before MiB",
      "RSS after MiB",
    ],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    rows: runs.map((r) => {
      const ratio = ratios.find((q) => q.full === r);
      return [
        r.config.id,
        String(r.config.clients),
        r.error === undefined ? String(r.completed) : "FAILED",
        r.cpuSeconds.toFixed(2),
        perUnit(1000 * r.cpuSeconds, r.config.clients, 3),
        ratio === undefined ? "–" : `${ratio.ratio.toFixed(2)}×`,
        r.loadCpuSeconds.toFixed(2),
        r.seconds.toFixed(1),
        String(r.after.descriptors),
        mib(r.before.rssBytes),
        mib(r.after.rssBytes),
      ];
    }),
    notes: [
      "a fresh server per run; text clients ask for no name and are given guest, guest-2, …; native clients each ask for a name of their own",
      "CPU ÷ CPU at N/2 ≈ 2 when a join costs the same however many are here; 4 when its cost grows with them",
      "load CPU = all load processes over the same seconds; with the server near a core and the load below, the server was the limit",
      ...runNotes(runs),
    ],
  };
}

function filesTable(runs: FilesRun[]): Table {
  return {
    title:
      "Hardening: what finished files leave on the server (read as soon as the last is verified)",
    headers: [
      "run",
      "files",
      "verified",
      "srv CPU s",
      "load CPU s",
      "secs",
      "descriptors before",
      "after",
      "peak",
      "Δ",
      "Δ per file",
      "limit",
      "RSS before MiB",
      "after",
      "peak",
      "Δ",
      "Δ per file KiB",
      "fresh connect ms",
    ],
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    rows: runs.map((r) => {
      const grown = growth(r);
      return [
        r.config.id,
        String(r.config.files),
        String(r.completed),
        r.cpuSeconds.toFixed(2),
        r.loadCpuSeconds.toFixed(2),
        r.seconds.toFixed(1),
        String(r.before.descriptors),
        String(r.after.descriptors),
        String(r.peakDescriptors),
        String(grown.descriptors),
        perUnit(grown.descriptors, r.completed, 2),
        limit(r.openFilesLimit),
        mib(r.before.rssBytes),
        mib(r.after.rssBytes),
        mib(r.peakRssBytes),
        mib(grown.rssBytes),
        perUnit(grown.rssBytes / 1024, r.completed, 1),
        r.connectMs === undefined ? "–" : r.connectMs.toFixed(0),
      ];
    }),
    notes: [
      "zero-byte files: one uploader, as many uploads under way as the server allows, each offered, ended with the SHA-256 of nothing, verified and complete; the one other client declines every file",
      "unconfirmed receiver: files to a client that takes every byte (granting the window as they arrive) but never sends file-received",
      "unconfirmed crowd: empty files, as above, while that many such clients are in the room, each copy left unsettled for the whole run (no give-up: --transfer-timeout 3600); fresh connect: a new native client's connect to its welcome, as soon as the last file is verified",
      "descriptors: entries of /proc/<pid>/fd, peak sampled every 250 ms; limit: the server's soft limit on open files, the machine's own (not raised)",
      ...runNotes(runs),
    ],
  };
}

export function hardeningTables(results: ScenarioResult[]): Table[] {
  const out: Table[] = [];
  const joins = joinRuns(results);
  if (joins.length > 0) out.push(joinsTable(joins, joinRatios(results)));
  const files = fileRuns(results);
  if (files.length > 0) out.push(filesTable(files));
  return out;
}

export function hardeningTargets(results: ScenarioResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const { half, full, ratio } of joinRatios(results)) {
    if (full.config.protocol !== "text") continue;
    checks.push({
      what: `text joins: server CPU for ${full.config.clients} ÷ for ${half.config.clients}`,
      value: `${ratio.toFixed(2)}× (${full.cpuSeconds.toFixed(2)} vs ${half.cpuSeconds.toFixed(2)} s)`,
      goal: `≤ ${JOIN_RATIO_LIMIT}× (≈ 2, not 4)`,
      met: half.error === undefined && full.error === undefined && ratio <= JOIN_RATIO_LIMIT,
    });
  }
  for (const { half, full, ratio } of fileRatios(results)) {
    const ok = half.error === undefined && full.error === undefined;
    const crowd = full.config.scenario === "unconfirmed-crowd";
    checks.push({
      what: `${crowd ? `zero-byte files, ${receiversOf(full)} receivers that never confirm` : "zero-byte files"}: server CPU for ${full.config.files} ÷ for ${half.config.files}`,
      value: `${ratio.toFixed(2)}× (${full.cpuSeconds.toFixed(2)} vs ${half.cpuSeconds.toFixed(2)} s)`,
      goal: `≤ ${FILES_RATIO_LIMIT}× (≈ 2, not 4)`,
      met: ok && ratio <= FILES_RATIO_LIMIT,
    });
    // Each copy a crowd holds unsettled is state of its own: per kept file is the one-client run's measure.
    if (crowd) continue;
    const more = full.completed - half.completed;
    const perFile = more > 0 ? (growth(full).rssBytes - growth(half).rssBytes) / more : 0;
    checks.push({
      what: `zero-byte files: server RSS per kept file, from ${half.config.files} files to ${full.config.files}`,
      value: `${(perFile / 1024).toFixed(1)} KiB (RSS after − before: ${mib(growth(half).rssBytes)} vs ${mib(growth(full).rssBytes)} MiB)`,
      goal: `≤ ${RSS_PER_KEPT_FILE_LIMIT / 1024} KiB`,
      met: ok && perFile <= RSS_PER_KEPT_FILE_LIMIT,
    });
  }
  for (const r of fileRuns(results)) {
    const grown = growth(r);
    const failed = r.error === undefined ? "" : `; failed after ${r.completed} files`;
    checks.push({
      what: `${r.config.id}: server descriptors after − before`,
      value: `${grown.descriptors} (${r.before.descriptors} → ${r.after.descriptors})${failed}`,
      goal: `≤ ${DESCRIPTOR_GROWTH_LIMIT}`,
      met: r.error === undefined && grown.descriptors <= DESCRIPTOR_GROWTH_LIMIT,
    });
    if (r.connectMs !== undefined) {
      checks.push({
        what: `${r.config.id}: a fresh client's connect, once the files are in`,
        value: `${r.connectMs.toFixed(0)} ms${failed}`,
        goal: `< ${CONNECT_LIMIT_MS} ms`,
        met: r.error === undefined && r.connectMs < CONNECT_LIMIT_MS,
      });
    }
    // Empty files leave their index entries (checked from N to 2N above), a crowd's copies
    // their records until confirmed or given up; files of data, no data.
    if (r.config.scenario !== "unconfirmed-receiver") continue;
    checks.push({
      what: `${r.config.id}: server RSS after − before`,
      value: `${mib(grown.rssBytes)} MiB (${mib(r.before.rssBytes)} → ${mib(r.after.rssBytes)})${failed}`,
      goal: `≤ ${RSS_GROWTH_LIMIT / MIB} MiB`,
      met: r.error === undefined && grown.rssBytes <= RSS_GROWTH_LIMIT,
    });
  }
  return checks;
}
