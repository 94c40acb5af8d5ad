// Every process the benchmark starts is registered here and killed when the
// runner exits, however it exits.

import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { LineCollector } from "../test/helpers/lines.js";
import { openFilesLimit } from "./proc-stats.js";

const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

let installed = false;

/** Kills every child on exit, on SIGINT/SIGTERM, and on an uncaught error. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

const SETPRIV = "/usr/bin/setpriv";

/**
 * Starts `command` with at least `openFiles` descriptors allowed, raising the
 * limit through prlimit (or a shell's ulimit) when ours is lower. Where setpriv
 * exists the child also gets SIGKILL should the runner die without cleaning up
 * (even by SIGKILL). All of these exec the command, so the pid is its own.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { openFiles?: number },
): ChildProcess {
  let file = command;
  let argv = [...args];
  const need = options.openFiles ?? 0;
  if (need > openFilesLimit("self")) {
    if (existsSync("/usr/bin/prlimit")) {
      argv = [`--nofile=${need}:${need}`, "--", command, ...args];
      file = "/usr/bin/prlimit";
    } else {
      argv = ["-c", `ulimit -n ${need} && exec "$0" "$@"`, command, ...args];
      file = "/bin/bash";
    }
  }
  if (existsSync(SETPRIV)) {
    argv = ["--pdeathsig", "KILL", "--", file, ...argv];
    file = SETPRIV;
  }
  const child = spawn(file, argv, options);
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

export interface Script {
  child: ChildProcess;
  /** What it prints on stdout, and on stderr. */
  lines: LineCollector;
  stderr: LineCollector;
}

/** Starts a Node.js script of the bench (or the CLI), with the lines it prints collected. */
export function spawnScript(script: string, args: readonly string[]): Script {
  const child = spawnTracked(process.execPath, [script, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  return {
    child,
    lines: new LineCollector(child.stdout as Readable),
    stderr: new LineCollector(child.stderr as Readable),
  };
}

/** How `child` ended ("exit code 1", "SIGKILL"); undefined while it runs. */
export function exitOf(child: ChildProcess): string | undefined {
  if (child.signalCode !== null) return child.signalCode;
  return child.exitCode === null ? undefined : `exit code ${child.exitCode}`;
}

/** Resolves with the exit code or signal; kills with SIGKILL if SIGTERM was not enough. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (exitOf(child) !== undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
