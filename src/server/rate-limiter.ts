// Token bucket: `burst` messages at once, then `rate` per second. The server
// delays a client that runs dry instead of dropping what it sent.

const EPSILON = 1e-9;

export class RateLimiter {
  readonly #intervalMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: number = Date.now()) {
    this.#intervalMs = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#updatedAt = now;
  }

  /** Takes a token; returns 0 when one was available, else how many ms until one is. */
  take(now: number = Date.now()): number {
    if (this.#intervalMs === 0) return 0;
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) / this.#intervalMs);
    this.#updatedAt = now;
    // The tolerance absorbs floating-point drift, so waiting the time this
    // returned always finds a token (1000 / 3 ms is not exact).
    if (this.#tokens >= 1 - EPSILON) {
      this.#tokens = Math.max(0, this.#tokens - 1);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) * this.#intervalMs - 1e-6));
  }
}
