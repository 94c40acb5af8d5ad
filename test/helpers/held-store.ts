// A store whose commits the test decides, for unit tests of the session and
// the bus: lines appended under a hold are committed (readable, their
// `stored` resolved) only when the test releases the hold, and never when it
// fails it, as a slow or full disk would have them. Otherwise it is the memory
// store, so it keeps the Store contract: a line is readable exactly when its
// `stored` has resolved.

import { MemoryStore } from "../../src/store/memory-store.js";
import type { FileDraft, FileRecord, LineDraft, Store, StoredLine } from "../../src/store/store.js";

export class Hold {
  /** The lines appended under this hold, in order. */
  readonly lines: StoredLine[] = [];
  /** Settles once the lines are visible (released), or with the failure. */
  readonly committed: Promise<void>;
  #release: () => void = () => {};
  #fail: (error: unknown) => void = () => {};
  readonly #waiters: { count: number; wake: () => void }[] = [];

  constructor(unhide: (lines: readonly StoredLine[]) => void) {
    const decided = new Promise<void>((resolve, reject) => {
      this.#release = resolve;
      this.#fail = reject;
    });
    this.committed = decided.then(() => unhide(this.lines));
    // A hold failed before any line waits on it rejects nobody's promise.
    this.committed.catch(() => {});
  }

  release(): void {
    this.#release();
  }

  /** The commit fails with `error`: the held lines are never in the history. */
  fail(error: unknown): void {
    this.#fail(error);
  }

  /** Resolves once `count` lines have been appended under this hold. */
  appended(count: number): Promise<readonly StoredLine[]> {
    return new Promise((resolve) => {
      const waiter = { count, wake: () => resolve(this.lines) };
      if (this.lines.length >= count) waiter.wake();
      else this.#waiters.push(waiter);
    });
  }

  add(line: StoredLine): void {
    this.lines.push(line);
    for (const waiter of [...this.#waiters]) {
      if (this.lines.length < waiter.count) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.wake();
    }
  }
}

export class HeldStore implements Store {
  readonly #inner = new MemoryStore();
  /** Lines appended under a hold not yet released: committed for nobody. */
  readonly #hidden = new Set<number>();
  #hold: Hold | undefined;
  /** Set, every read throws it: a store gone wrong in a way the server does not expect. */
  readsFail: Error | undefined;

  /** Holds the commit of every line appended from now until the hold is released or failed. */
  hold(): Hold {
    const hold = new Hold((lines) => {
      for (const line of lines) this.#hidden.delete(line.id);
    });
    this.#hold = hold;
    const over = () => {
      if (this.#hold === hold) this.#hold = undefined;
    };
    hold.committed.then(over, over);
    return hold;
  }

  append(draft: LineDraft, now?: number): { line: StoredLine; stored: Promise<void> } {
    const { line, stored } = this.#inner.append(draft, now);
    const hold = this.#hold;
    if (hold === undefined) return { line, stored };
    this.#hidden.add(line.id);
    hold.add(line);
    return { line, stored: stored.then(() => hold.committed) };
  }

  latest(conversation: string, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    const lines = this.#visible(this.#inner.latest(conversation, limit + this.#hidden.size));
    return lines.slice(-limit);
  }

  before(conversation: string, before: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    const lines = this.#inner.before(conversation, before, limit + this.#hidden.size);
    return this.#visible(lines).slice(-limit);
  }

  after(conversation: string, after: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    const lines = this.#inner.after(conversation, after, limit + this.#hidden.size);
    return this.#visible(lines).slice(0, limit);
  }

  expireLines(cutoff: number): number {
    return this.#inner.expireLines(cutoff);
  }

  beginFile(draft: FileDraft): number {
    return this.#inner.beginFile(draft);
  }

  keepFile(id: number, kept: Parameters<Store["keepFile"]>[1]): number {
    return this.#inner.keepFile(id, kept);
  }

  dropFile(id: number): void {
    this.#inner.dropFile(id);
  }

  keptFiles(): FileRecord[] {
    return this.#inner.keptFiles();
  }

  takeUnfinishedFiles(): number[] {
    return this.#inner.takeUnfinishedFiles();
  }

  close(): void {
    this.#inner.close();
  }

  #visible(lines: StoredLine[]): StoredLine[] {
    if (this.readsFail !== undefined) throw this.readsFail;
    return lines.filter((line) => !this.#hidden.has(line.id));
  }
}
