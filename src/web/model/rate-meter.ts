// How fast a transfer goes: bytes per second over the last few seconds, so
// that the figure follows a change of pace without jumping at every chunk.

const WINDOW_MS = 3000;

export class RateMeter {
  readonly #samples: { at: number; bytes: number }[] = [];

  /** `bytes` done in all, at time `at` (milliseconds). */
  sample(at: number, bytes: number): void {
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - (this.#samples[1] as { at: number }).at >= WINDOW_MS) {
      this.#samples.shift();
    }
  }

  /** Bytes per second; 0 until two samples are some time apart. */
  get perSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }
}
