// The addresses something was seen from lately, each forgotten a while after
// it was last seen, at most `capacity` of them (the oldest go first).

export class RecentAddresses {
  readonly #windowMs: number;
  readonly #capacity: number;
  /** Address → when last seen, least recently seen first. */
  readonly #seen = new Map<string, number>();

  constructor(windowMs: number, capacity: number) {
    this.#windowMs = windowMs;
    this.#capacity = capacity;
  }

  note(address: string, now = Date.now()): void {
    this.#seen.delete(address);
    this.#seen.set(address, now);
    if (this.#seen.size > this.#capacity) {
      this.#seen.delete(this.#seen.keys().next().value as string);
    }
  }

  has(address: string, now = Date.now()): boolean {
    const at = this.#seen.get(address);
    if (at === undefined) return false;
    if (now - at <= this.#windowMs) return true;
    this.#seen.delete(address);
    return false;
  }
}
