// Gathers what is sent to one peer and hands it on in one write per turn, so a
// burst of messages (a fan-out on the server, requests made together on the
// client) costs one system call or WebSocket frame, not one each. Batchers
// that share a FlushTurn are flushed by one callback per turn between them,
// and batchers that hold the very same chunks share one join of them: in a
// room's fan-out every member got the same frames, so the bytes are copied
// once per turn, not once per member.

import { concatBytes } from "./bytes.js";

/** Runs `callback` later: the host's idea of the end of a turn. */
export type Defer = (callback: () => void) => void;

/** Joins remembered while a turn is flushed: enough for a few rooms' worth of members. */
const RECENT_JOINS = 4;

interface RecentJoin {
  chunks: readonly Uint8Array[];
  joined: Uint8Array;
}

export class FlushTurn {
  readonly #defer: Defer;
  readonly #dirty = new Set<WriteBatcher>();
  #scheduled = false;
  #flushing = false;
  /** The joins made in the flush under way, newest first; empty between flushes. */
  #recentJoins: RecentJoin[] = [];

  constructor(defer: Defer) {
    this.#defer = defer;
  }

  /** `batcher` holds bytes: it is flushed at the end of this turn. */
  add(batcher: WriteBatcher): void {
    this.#dirty.add(batcher);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => this.#flushAll());
  }

  /** `batcher` holds nothing any more. */
  delete(batcher: WriteBatcher): void {
    this.#dirty.delete(batcher);
  }

  /**
   * `chunks` joined by `join`, or the join of the same chunks already made in
   * this flush. Only within one flush: no chunk can have changed in between.
   */
  join(chunks: readonly Uint8Array[], length: number, join: Join): Uint8Array {
    if (!this.#flushing) return join(chunks, length);
    const recent = this.#recentJoins;
    for (let i = 0; i < recent.length; i++) {
      const made = recent[i] as RecentJoin;
      if (made.joined.length === length && sameChunks(made.chunks, chunks)) {
        if (i > 0) recent.unshift(...recent.splice(i, 1));
        return made.joined;
      }
    }
    const joined = join(chunks, length);
    recent.unshift({ chunks, joined });
    if (recent.length > RECENT_JOINS) recent.pop();
    return joined;
  }

  #flushAll(): void {
    this.#scheduled = false;
    this.#flushing = true;
    try {
      for (const batcher of this.#dirty) batcher.flush();
    } finally {
      this.#flushing = false;
      this.#dirty.clear();
      this.#recentJoins = [];
    }
  }
}

function sameChunks(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Joins the chunks of a batch (more than one, `length` bytes in all) into one. */
export type Join = (chunks: readonly Uint8Array[], length: number) => Uint8Array;

export interface WriteBatcherOptions {
  turn: FlushTurn;
  /** The host's cheapest way to join a batch; concatBytes by default. */
  join?: Join;
}

export class WriteBatcher {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #turn: FlushTurn;
  readonly #join: Join;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(write: (bytes: Uint8Array) => void, options: WriteBatcherOptions) {
    this.#write = write;
    this.#turn = options.turn;
    this.#join = options.join ?? concatBytes;
  }

  /** Bytes waiting for the flush. */
  get bytes(): number {
    return this.#pendingBytes;
  }

  push(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pending.length === 1) this.#turn.add(this);
  }

  /** Writes what is waiting now, before the turn ends: ahead of a write that must follow it. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    const batch =
      pending.length === 1
        ? (pending[0] as Uint8Array)
        : this.#turn.join(pending, this.#pendingBytes, this.#join);
    this.discard();
    this.#write(batch);
  }

  /** Forgets unsent bytes, for a connection that is already gone. */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#turn.delete(this);
  }
}
