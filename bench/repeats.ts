// On 2 shared cores one run of a scenario can be off by a third, so the runs
// that are compared with a reference are repeated, interleaved with it, and
// the run with the median figure stands for each scenario; every figure is
// kept with it (`runs`) so the spread shows next to the median.

import type { ScenarioResult } from "./results.js";

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** What a scenario is judged by: the figure its median is taken over. */
export function headlineFigure(r: ScenarioResult): number {
  switch (r.kind) {
    case "fanout":
      return r.config.pacePerSecond > 0 ? r.latencyMs.p99 : r.deliveriesPerSecond;
    case "file-relay":
      return r.mbPerSecond;
    case "idle":
      return r.bytesPerConnection;
    case "hardening":
      // Joins and empty files are judged by CPU at N against 2N; the rest by what they leave.
      return r.config.scenario === "unconfirmed-receiver"
        ? r.after.rssBytes - r.before.rssBytes
        : r.cpuSeconds;
    case "ingest":
      return r.linesPerSecond;
    case "store-history":
      return r.historyPageMs.p99;
    case "page-load":
      return median(r.cold.map((t) => t.totalMs));
  }
}

function scenarioKey(r: ScenarioResult): string {
  if (r.kind === "idle") return `idle ${r.clients} ${r.rooms} ${r.server}`;
  if (r.kind === "hardening") return `hardening ${r.config.id}`;
  if (r.kind === "store-history" || r.kind === "ingest" || r.kind === "page-load")
    return `${r.kind} ${r.config.id}`;
  if (r.kind === "fanout")
    return `fanout ${r.config.id} ${r.server} ${r.store ?? ""} ${r.protocol}`;
  return `${r.kind} ${r.config.id} ${r.server}${r.tls ? " tls" : ""}`;
}

/** Runs of the same scenario as `r`, in the order they ran. */
export function runsOf(all: readonly ScenarioResult[], r: ScenarioResult): ScenarioResult[] {
  const key = scenarioKey(r);
  return all.filter((other) => scenarioKey(other) === key);
}

/** One result per scenario, in first-run order: the median run of those that completed. */
export function medianRuns(all: readonly ScenarioResult[]): ScenarioResult[] {
  const seen = new Set<string>();
  const medians: ScenarioResult[] = [];
  for (const first of all) {
    const key = scenarioKey(first);
    if (seen.has(key)) continue;
    seen.add(key);
    const runs = runsOf(all, first);
    const completed = runs.filter((r) => r.error === undefined);
    const pool = completed.length > 0 ? completed : runs;
    const sorted = [...pool].sort((a, b) => headlineFigure(a) - headlineFigure(b));
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as ScenarioResult;
    medians.push({ ...median, runs: runs.map(headlineFigure) });
  }
  return medians;
}
