// Per-connection send queue. Writes are gathered and handed to the socket once
// per event-loop turn, so a burst of fan-out costs one syscall per receiver.

const dirty = new Set<OutboundQueue>();
let flushScheduled = false;

function flushDirty(): void {
  flushScheduled = false;
  for (const queue of dirty) queue.flush();
  dirty.clear();
}

export class OutboundQueue {
  readonly #write: (bytes: Uint8Array) => void;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(write: (bytes: Uint8Array) => void) {
    this.#write = write;
  }

  get bytes(): number {
    return this.#pendingBytes;
  }

  push(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pending.length === 1) {
      dirty.add(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushDirty);
      }
    }
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const batch =
      this.#pending.length === 1
        ? (this.#pending[0] as Uint8Array)
        : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    dirty.delete(this);
    this.#write(batch);
  }

  /** Forgets unsent bytes, for a connection that is already gone. */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    dirty.delete(this);
  }
}
