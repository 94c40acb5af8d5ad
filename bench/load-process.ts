// The runner's handle on one load process: fork it with a plan, wait for its
// reports, and tell it when to go and when to report.

import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./children.js";
import type { FromLoad, LoadPlan, ToLoad } from "./load/messages.js";

const WORKER = fileURLToPath(new URL("./load/worker.js", import.meta.url));

/** `total` clients spread over `parts` load processes, as evenly as they go. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((total + i) / parts));
}

export class LoadProcess {
  readonly plan: LoadPlan;
  readonly #child: ChildProcess;
  readonly #inbox: FromLoad[] = [];
  #waiter: (() => void) | undefined;
  #exit: string | undefined;

  /** With `cpuProfileDir`, the process writes a V8 CPU profile there when stopped. */
  constructor(plan: LoadPlan, cpuProfileDir?: string) {
    this.plan = plan;
    const flags =
      cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`];
    this.#child = spawnTracked(process.execPath, [...flags, WORKER], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // Each connection is a descriptor; leave room for the runtime's own.
      openFiles: plan.clients + 1024,
    });
    this.#child.on("message", (message: FromLoad) => {
      this.#inbox.push(message);
      this.#waiter?.();
    });
    this.#child.once("exit", (code, signal) => {
      this.#exit = `load process exited (${signal ?? code})`;
      this.#waiter?.();
    });
    this.send({ type: "plan", plan });
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  send(message: ToLoad): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** The next report of `type`; throws on a failure report, an exit, or after `timeoutMs`. */
  async next<T extends FromLoad["type"]>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromLoad, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#inbox.findIndex((m) => m.type === type || m.type === "failed");
      if (at >= 0) {
        const message = this.#inbox.splice(at, 1)[0] as FromLoad;
        if (message.type === "failed") throw new Error(`${this.#describe()}: ${message.message}`);
        return message as Extract<FromLoad, { type: T }>;
      }
      if (this.#exit !== undefined) throw new Error(`${this.#describe()}: ${this.#exit}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.#describe()}: no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  /** Asks the process to exit (writing its profile, if any), and kills it if it does not. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.send({ type: "exit" });
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #describe(): string {
    const p = this.plan;
    return `${p.protocol} ${p.role} process (${p.clients} clients)`;
  }
}
