// Appended lines, gathered over one event-loop turn and committed together at
// setImmediate: one transaction a turn instead of one a line, however busy the
// rooms. Both stores append through it, so ids, times and the moment `stored`
// settles are the same whichever store the server runs with.

import type { LineDraft, StoredLine } from "./store.js";

interface Batch {
  lines: StoredLine[];
  stored: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export class TurnBatch {
  readonly #commit: (lines: StoredLine[]) => void;
  #nextId: number;
  #batch: Batch | undefined;
  #closed = false;

  /**
   * `commit` writes a turn's lines all or none, throwing the StoreWriteError
   * their `stored` rejects with; `nextId` is the first id to give.
   */
  constructor(nextId: number, commit: (lines: StoredLine[]) => void) {
    this.#nextId = nextId;
    this.#commit = commit;
  }

  append(draft: LineDraft, now = Date.now()): { line: StoredLine; stored: Promise<void> } {
    if (this.#closed) throw new Error("the store is closed");
    // Copied field by field: the store keeps the line, not whatever object the caller passed.
    const line: StoredLine = {
      id: this.#nextId++,
      ts: now,
      conversation: draft.conversation,
      kind: draft.kind,
      room: draft.room,
      from: draft.from,
      to: draft.to,
      text: draft.text,
    };
    const batch = this.#batch ?? this.#open();
    batch.lines.push(line);
    return { line, stored: batch.stored };
  }

  /** Commits what is pending; appending after this throws. */
  close(): void {
    this.#flush();
    this.#closed = true;
  }

  #flush(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    try {
      this.#commit(batch.lines);
    } catch (error) {
      batch.reject(error);
      return;
    }
    batch.resolve();
  }

  #open(): Batch {
    let resolve = () => {};
    let reject: (error: unknown) => void = () => {};
    const stored = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const batch = { lines: [], stored, resolve, reject };
    this.#batch = batch;
    setImmediate(() => {
      // close() may have committed this batch already.
      if (this.#batch === batch) this.#flush();
    });
    return batch;
  }
}
