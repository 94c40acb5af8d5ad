// Collects the lines of a stream and lets a test wait for one that matches.

import type { Readable } from "node:stream";

type Waiter = { pattern: RegExp; resolve: (line: string) => void; from: number };

export class LineCollector {
  readonly lines: string[] = [];
  #partial = "";
  #waiters: Waiter[] = [];
  #ended = false;
  #endWaiters: (() => void)[] = [];

  constructor(stream: Readable) {
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => this.push(text));
    stream.on("end", () => {
      this.#ended = true;
      for (const resolve of this.#endWaiters.splice(0)) resolve();
    });
  }

  push(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const line of parts) {
      this.lines.push(line.replace(/\r$/, ""));
    }
    this.#waiters = this.#waiters.filter((w) => !this.#satisfy(w));
  }

  /** Resolves with the first line (from index `from` on) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${pattern}; saw:\n${this.lines.slice(-20).join("\n")}`,
            ),
          ),
        timeoutMs,
      );
      const waiter: Waiter = {
        pattern,
        from,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      if (!this.#satisfy(waiter)) this.#waiters.push(waiter);
    });
  }

  /** Resolves once the stream has ended. */
  ended(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return new Promise((resolve) => this.#endWaiters.push(resolve));
  }

  #satisfy(waiter: Waiter): boolean {
    for (; waiter.from < this.lines.length; waiter.from++) {
      const line = this.lines[waiter.from] as string;
      if (waiter.pattern.test(line)) {
        waiter.resolve(line);
        return true;
      }
    }
    return false;
  }
}
