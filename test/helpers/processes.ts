// Starts real `sockchat` processes for tests and makes sure none outlive them.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./files.js";
import { LineCollector } from "./lines.js";

export const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

const running = new Set<ChildProcessWithoutNullStreams>();
const killRunning = () => {
  for (const child of running) child.kill("SIGKILL");
};
// A test that failed before stopping its server must not leave it running, nor
// keep this file's process (and so the whole run) waiting on its pipes.
after(killRunning);
process.on("exit", killRunning);

export interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: LineCollector;
  readonly stderr: LineCollector;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnProgram(process.execPath, [CLI, ...args], { NO_COLOR: "1", ...env });
}

/** Any program (`openssl s_client`, say), killed like the CLI's processes if a test leaves it running. */
export function spawnProgram(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Spawned {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  const exited = once(child, "exit").then(([code, signal]) => {
    running.delete(child);
    return (code as number | null) ?? (signal as string);
  });
  return {
    child,
    stdout: new LineCollector(child.stdout),
    stderr: new LineCollector(child.stderr),
    exited,
  };
}

export interface ServerProcess extends Spawned {
  readonly port: number;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | string>;
  /** Resident set size and peak, in bytes, read from /proc. */
  memory(): Promise<{ rss: number; peak: number }>;
  /** User plus system CPU time consumed so far, in seconds. */
  cpuSeconds(): Promise<number>;
  /** File descriptors the server has open now. */
  descriptors(): Promise<number>;
}

export async function startServer(extraArgs: readonly string[] = []): Promise<ServerProcess> {
  // A data directory of its own unless given one: a server empties its spool as
  // it starts, and test files run side by side must not delete each other's files.
  const ownData = extraArgs.includes("--data-dir") ? undefined : await tempDir("data");
  const spawned = spawnCli([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    // Tests run every client from loopback, often more than 16 of them: the cap is
    // tested where a test names it (a later option wins).
    "--max-connections-per-ip",
    "0",
    ...(ownData === undefined ? [] : ["--data-dir", ownData.path]),
    ...extraArgs,
  ]);
  void spawned.exited.then(() => ownData?.remove());
  const line = await spawned.stdout.waitFor(/listening on /, 10_000);
  // The address ends in its port; what follows it (TLS, a fingerprint) is in parentheses.
  const port = Number(/listening on \S*:(\d+)/.exec(line)?.[1]);
  const pid = spawned.child.pid as number;
  return {
    ...spawned,
    port,
    async stop() {
      if (spawned.child.exitCode === null) spawned.child.kill("SIGTERM");
      return spawned.exited;
    },
    async memory() {
      const { readFile } = await import("node:fs/promises");
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kib = (field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) * 1024;
      return { rss: kib("VmRSS"), peak: kib("VmHWM") };
    },
    async cpuSeconds() {
      const { readFile } = await import("node:fs/promises");
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the ")" that closes the command name; utime and stime are 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async descriptors() {
      const { readdir } = await import("node:fs/promises");
      return (await readdir(`/proc/${pid}/fd`)).length;
    },
  };
}

/** A `sockchat connect` in pipe mode that saves what it is sent, and stays until its stdin ends. */
export interface Receiver {
  readonly cli: Spawned;
  readonly dir: string;
}

/** Receivers named `nicks`, each saving into `<root>/<nick>`, welcomed before this resolves. */
export function startReceivers(port: number, root: string, nicks: string[]): Promise<Receiver[]> {
  return Promise.all(
    nicks.map(async (nick) => {
      const dir = join(root, nick);
      const cli = spawnCli(["connect", `127.0.0.1:${port}`, "--nick", nick, "--save-dir", dir]);
      await cli.stdout.waitFor(/^\* welcome/);
      return { cli, dir };
    }),
  );
}
