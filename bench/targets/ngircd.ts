// ngIRCd as the reference server: installed with apt when missing, started in
// the foreground on a free loopback port with a generated configuration that
// turns off what ngIRCd lets us turn off (penalties, per-IP and join limits,
// DNS and ident lookups).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitOf, spawnTracked, stopChild } from "../children.js";
import { sleep } from "../proc-stats.js";
import type { Target } from "./target.js";

export const NGIRCD = "/usr/sbin/ngircd";
export const CHANNEL = "#bench";
const START_TIMEOUT_MS = 10_000;
const INSTALL_TIMEOUT_MS = 300_000;

/** Installs ngIRCd if needed; returns why it is unavailable, or undefined when it is there. */
export function ensureNgircd(log: (line: string) => void): string | undefined {
  if (existsSync(NGIRCD)) return undefined;
  if (process.getuid?.() !== 0) return `${NGIRCD} is missing and we are not root to install it`;
  log("installing ngIRCd with apt-get (once) …");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "ngircd"],
  ]) {
    const result = spawnSync("apt-get", args, {
      env,
      stdio: "ignore",
      timeout: INSTALL_TIMEOUT_MS,
    });
    if (result.status !== 0)
      return `apt-get ${args.join(" ")} failed (${result.status ?? result.error})`;
  }
  return existsSync(NGIRCD) ? undefined : `${NGIRCD} still missing after apt-get install`;
}

function config(port: number): string {
  return `[Global]
Name = bench.local
Info = sockchat benchmark reference
Listen = 127.0.0.1
Ports = ${port}
MotdPhrase = "bench"

[Limits]
; ngIRCd drops root (and with it a parent-death signal), so it also ends by
; itself a minute after its last client left, should the runner die.
IdleTimeout = 60
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = 600
PongTimeout = 600

[Options]
DNS = no
Ident = no
PAM = no
`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startNgircd(openFiles: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "sockchat-bench-ngircd-"));
  const port = await freePort();
  const confPath = join(dir, "ngircd.conf");
  const logPath = join(dir, "ngircd.log");
  writeFileSync(confPath, config(port));
  const log = openSync(logPath, "w");
  const child = spawnTracked(NGIRCD, ["-n", "-f", confPath], {
    stdio: ["ignore", log, log],
    openFiles,
  });
  const tail = () => {
    try {
      return readFileSync(logPath, "utf8").split("\n").slice(-20).join("\n");
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`ngIRCd did not start:\n${tail()}`);
    }
    await sleep(50);
  }
  return {
    name: "ngircd",
    pid: child.pid as number,
    port,
    exited: () => exitOf(child),
    tail,
    stop: async () => {
      await stopChild(child, 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
