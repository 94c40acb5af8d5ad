// Starts `sockchat serve` exactly as a user would, with rate limiting off and
// chat lines not logged, and finds its port in the "listening on" line.

import { fileURLToPath } from "node:url";
import { exitOf, spawnTracked, stopChild } from "../children.js";
import type { Target } from "./target.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface SockchatOptions {
  /** Descriptors the server may need (one per connection). */
  openFiles: number;
  /** Write a V8 CPU profile into this directory when the server exits. */
  cpuProfileDir?: string;
  /** More `serve` options, such as a data directory of the run's own. */
  extraArgs?: readonly string[];
}

export async function startSockchat(options: SockchatOptions): Promise<Target> {
  const nodeFlags =
    options.cpuProfileDir === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`];
  const child = spawnTracked(
    process.execPath,
    [
      ...nodeFlags,
      CLI,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--rate-limit",
      "0",
      "--quiet",
      ...(options.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], openFiles: options.openFiles },
  );
  const lines: string[] = [];
  let partial = "";
  // Presence is logged even with --quiet: keep reading, or a full pipe stalls the server.
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > 20) lines.splice(0, lines.length - 20);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("sockchat did not start listening")),
      START_TIMEOUT_MS,
    );
    const look = () => {
      for (const line of lines) {
        const match = /listening on .*:(\d+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          child.stdout?.off("data", look);
          resolve(Number(match[1]));
          return;
        }
      }
    };
    child.stdout?.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sockchat exited with ${code}: ${lines.join(" | ")}`));
    });
  });
  return {
    name: "sockchat",
    pid: child.pid as number,
    port,
    exited: () => exitOf(child),
    tail: () => lines.join("\n"),
    // A profile is written on a clean exit only, so give it time to finish.
    stop: () => stopChild(child, options.cpuProfileDir === undefined ? 3000 : 20_000),
  };
}
