// What the hardening scenarios read of the server over the span they measure:
// the CPU it spent, its RSS and open descriptors at either end, and their
// peaks; and the CPU of the load processes, to tell whether they were the limit.

import { cpuSeconds, memory, openDescriptors, openFilesLimit, sampleEvery } from "./proc-stats.js";
import type { HardeningConfig, HardeningResult, ServerReading } from "./results.js";

const DESCRIPTOR_SAMPLE_MS = 250;

function reading(pid: number): ServerReading {
  return { rssBytes: memory(pid).rss, descriptors: openDescriptors(pid) };
}

export function emptyHardeningResult(config: HardeningConfig): HardeningResult {
  return {
    kind: "hardening",
    config,
    completed: 0,
    seconds: 0,
    cpuSeconds: 0,
    loadCpuSeconds: 0,
    before: { rssBytes: 0, descriptors: 0 },
    after: { rssBytes: 0, descriptors: 0 },
    peakRssBytes: 0,
    peakDescriptors: 0,
    openFilesLimit: 0,
    note: "",
  };
}

export class ServerSpan {
  readonly #pid: number;
  readonly #result: HardeningResult;
  readonly #cpu0: number;
  readonly #loadPids: () => number[];
  /** CPU of the load processes already running at the start. */
  readonly #loadCpu0 = new Map<number, number>();
  readonly #startedMs = performance.now();
  readonly #stopSampling: () => number[];
  #ended = false;

  /**
   * Takes the "before" readings of server `pid` into `result` now. `loadPids`
   * lists the load processes at any moment, those started later included.
   */
  constructor(pid: number, result: HardeningResult, loadPids: () => number[]) {
    this.#pid = pid;
    this.#result = result;
    this.#loadPids = loadPids;
    for (const load of loadPids()) this.#loadCpu0.set(load, cpuSeconds(load));
    result.openFilesLimit = openFilesLimit(pid);
    result.before = reading(pid);
    this.#cpu0 = cpuSeconds(pid);
    this.#stopSampling = sampleEvery(DESCRIPTOR_SAMPLE_MS, () => openDescriptors(pid));
  }

  /** Takes the "after" readings; only the first call counts, so a failed run can end it too. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const pid = this.#pid;
    const result = this.#result;
    result.seconds = (performance.now() - this.#startedMs) / 1000;
    // A server that died reads as 0 CPU; its run has an error anyway.
    result.cpuSeconds = Math.max(0, cpuSeconds(pid) - this.#cpu0);
    result.loadCpuSeconds = this.#loadPids().reduce(
      (sum, load) => sum + Math.max(0, cpuSeconds(load) - (this.#loadCpu0.get(load) ?? 0)),
      0,
    );
    result.after = reading(pid);
    result.peakRssBytes = memory(pid).peak;
    result.peakDescriptors = Math.max(
      result.before.descriptors,
      result.after.descriptors,
      ...this.#stopSampling(),
    );
  }
}
