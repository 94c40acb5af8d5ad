// Starts the bench's Socket.IO 4.8 chat server (socketio-server.ts) as a
// process of its own and finds its port in the "listening on" line.

import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { LineCollector } from "../../test/helpers/lines.js";
import { exitOf, spawnTracked, stopChild } from "../children.js";
import type { Target } from "./target.js";

const SERVER = fileURLToPath(new URL("./socketio-server.js", import.meta.url));
const START_TIMEOUT_MS = 15_000;

export const SOCKETIO_VERSION: string = createRequire(import.meta.url)(
  "socket.io/package.json",
).version;

export async function startSocketIo(openFiles: number, cpuProfileDir?: string): Promise<Target> {
  const flags =
    cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawnTracked(process.execPath, [...flags, SERVER], {
    stdio: ["ignore", "pipe", "pipe"],
    openFiles,
  });
  const out = new LineCollector(child.stdout as Readable);
  const err = new LineCollector(child.stderr as Readable);
  const tail = () => [...out.lines, ...err.lines].slice(-20).join("\n");
  let port: number;
  try {
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", () => reject(new Error(`exited (${exitOf(child)})`))),
    );
    const line = await Promise.race([out.waitFor(/^listening on \d+$/, START_TIMEOUT_MS), exited]);
    port = Number(line.slice(line.lastIndexOf(" ") + 1));
  } catch (error) {
    await stopChild(child, 1000);
    throw new Error(`the Socket.IO server did not start: ${(error as Error).message}\n${tail()}`);
  }
  return {
    name: "socketio",
    pid: child.pid as number,
    port,
    exited: () => exitOf(child),
    tail,
    // A profile is written on a clean exit only, so give it time to finish.
    stop: () => stopChild(child, cpuProfileDir === undefined ? 3000 : 20_000),
  };
}
