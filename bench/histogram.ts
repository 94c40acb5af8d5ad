// A mergeable latency histogram with ~1% relative precision: load processes
// send theirs to the runner, which merges them before taking percentiles.

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export type HistogramData = { buckets: [number, number][]; count: number; maxUs: number };

export class Histogram {
  readonly #counts = new Map<number, number>();
  count = 0;
  maxUs = 0;

  record(us: number): void {
    const value = Math.max(1, us);
    const bucket = Math.floor(Math.log(value) / LOG_GROWTH);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.count += 1;
    if (value > this.maxUs) this.maxUs = value;
  }

  merge(data: HistogramData): void {
    for (const [bucket, n] of data.buckets) {
      this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + n);
    }
    this.count += data.count;
    if (data.maxUs > this.maxUs) this.maxUs = data.maxUs;
  }

  /** The upper edge of the bucket holding quantile `q` (0..1), in microseconds. */
  quantileUs(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const bucket of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bucket) as number;
      if (seen >= rank) return Math.min(GROWTH ** (bucket + 1), this.maxUs);
    }
    return this.maxUs;
  }

  toJSON(): HistogramData {
    return { buckets: [...this.#counts], count: this.count, maxUs: this.maxUs };
  }
}
