// Starts `sockchat serve` exactly as a user would, with rate limiting off and
// chat lines not logged, and finds its port in the "listening on" line. Each
// server gets a data directory of its own (a temporary one unless the run
// names one), so that no run replays another's history or writes into the
// user's own ~/.local/share/sockchat. With TLS, the certificate is the
// self-signed one the server makes there.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StoreKind } from "../../src/store/open-store.js";
import { exitOf, spawnTracked, stopChild } from "../children.js";
import type { Target } from "./target.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface SockchatOptions {
  /** Descriptors the server may need (one per connection). */
  openFiles: number;
  /** Write a V8 CPU profile into this directory when the server exits. */
  cpuProfileDir?: string;
  /** `--data-dir`; without it, a temporary directory removed when the server stops. */
  dataDir?: string;
  /** `--store`; the server's default (SQLite) when absent. */
  store?: StoreKind;
  /** `--tls self-signed`: TLS only, with a certificate made in the data directory. */
  tls?: boolean;
  /** More `serve` options. */
  extraArgs?: readonly string[];
}

export interface SockchatTarget extends Target {
  /** Where the server keeps its database (sockchat.db) and spool. */
  readonly dataDir: string;
}

export async function startSockchat(options: SockchatOptions): Promise<SockchatTarget> {
  const nodeFlags =
    options.cpuProfileDir === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`];
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "sockchat-bench-data-"));
  const removeOwnDir = () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
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
      // Every load peer connects from loopback, thousands of them.
      "--max-connections-per-ip",
      "0",
      "--max-connections",
      "0",
      "--quiet",
      "--data-dir",
      dataDir,
      ...(options.store === undefined ? [] : ["--store", options.store]),
      ...(options.tls === true ? ["--tls", "self-signed"] : []),
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
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("sockchat did not start listening")),
        START_TIMEOUT_MS,
      );
      const look = () => {
        for (const line of lines) {
          // With TLS, the line goes on: " (TLS, SHA-256 fingerprint …)".
          const match = /listening on \S*:(\d+)/.exec(line);
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
  } catch (error) {
    await stopChild(child, 1000);
    removeOwnDir();
    throw error;
  }
  // `serve --tls self-signed` has made it before listening.
  const certFile = join(dataDir, "tls-cert.pem");
  return {
    name: "sockchat",
    pid: child.pid as number,
    port,
    dataDir,
    ca: options.tls === true ? { pem: readFileSync(certFile, "utf8"), file: certFile } : undefined,
    exited: () => exitOf(child),
    tail: () => lines.join("\n"),
    // A profile is written on a clean exit only, so give it time to finish.
    stop: async () => {
      await stopChild(child, options.cpuProfileDir === undefined ? 3000 : 20_000);
      removeOwnDir();
    },
  };
}
