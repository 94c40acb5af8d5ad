// Deadlines that all run the same length of time: set in order, they fall due
// in order, so one timer serves any number of them and setting, clearing and
// expiring each costs O(1). The timer is re-armed in steps short enough for
// setTimeout, so a deadline weeks away still falls due on time.

/** The longest delay setTimeout takes as given; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Deadlines<K> {
  readonly #ms: number;
  readonly #expired: (key: K) => void;
  /** When each key falls due; a Map keeps insertion order, which is due order. */
  readonly #due = new Map<K, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `expired` is called with each key whose deadline passes, `ms` after it was last set. */
  constructor(ms: number, expired: (key: K) => void) {
    this.#ms = ms;
    this.#expired = expired;
  }

  get size(): number {
    return this.#due.size;
  }

  /** Starts `key`'s deadline from now, or starts it again. */
  set(key: K, now: number = Date.now()): void {
    this.#due.delete(key);
    this.#due.set(key, now + this.#ms);
    if (this.#timer === undefined) this.#arm(now);
  }

  clear(key: K): void {
    this.#due.delete(key);
  }

  /** Clears every deadline and the timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due.clear();
  }

  #arm(now: number): void {
    const [first] = this.#due.values();
    if (first === undefined) return;
    this.#timer = setTimeout(() => this.#fire(), Math.min(MAX_TIMER_MS, Math.max(0, first - now)));
    // Nothing here should keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [key, due] of this.#due) {
      if (due > now) break;
      this.#due.delete(key);
      this.#expired(key);
    }
    if (this.#timer === undefined) this.#arm(now);
  }
}
