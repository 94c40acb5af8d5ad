// CPU time, memory and descriptors of a process, read from /proc, periodic
// samples of one of them, and a wait for a set of processes to go quiet.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU seconds used so far; 0 once the process is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // utime and stime are fields 14 and 15; the command name before them may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface Memory {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size (VmHWM), bytes. */
  peak: number;
}

export function memory(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Descriptors the process has open now (the entries of /proc/<pid>/fd); 0 once it is gone. */
export function openDescriptors(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The soft limit on open files of process `pid` (or of this one); Infinity when unlimited. */
export function openFilesLimit(pid: number | "self"): number {
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(
    readFileSync(`/proc/${pid}/limits`, "utf8"),
  );
  return line?.[1] === undefined || line[1] === "unlimited" ? Infinity : Number(line[1]);
}

/** Calls `read` every `everyMs` until the returned function is called, which returns the readings. */
export function sampleEvery(everyMs: number, read: () => number): () => number[] {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(read()), everyMs);
  return () => {
    clearInterval(timer);
    return samples;
  };
}

export function sumCpu(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `pids` together use at most one clock tick per sample for
 * `quietSamples` samples in a row, or `maxMs` passes; returns whether they settled.
 */
export async function waitQuiet(
  pids: readonly number[],
  maxMs: number,
  sampleMs = 100,
  quietSamples = 3,
): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = sumCpu(pids);
  let quiet = 0;
  while (Date.now() < deadline) {
    await sleep(sampleMs);
    const now = sumCpu(pids);
    quiet = now - last <= 1 / TICKS_PER_SECOND + 1e-9 ? quiet + 1 : 0;
    last = now;
    if (quiet >= quietSamples) return true;
  }
  return false;
}

/** Read and write system calls made so far (from /proc/<pid>/io); zeros once the process is gone. */
export function syscalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const count = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
    return { reads: count("syscr"), writes: count("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}
