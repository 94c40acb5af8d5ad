// Verifies every delivery at the receivers: each (receiver, sender, seq) must
// arrive exactly once and in the sender's order; records its latency.

import { Histogram } from "../histogram.js";

export interface LedgerCounts {
  expected: number;
  unique: number;
  duplicates: number;
  outOfOrder: number;
  /** Bench-looking text with a sender or sequence number out of range. */
  unexpected: number;
}

export class Ledger {
  readonly latency = new Histogram();
  readonly #senders: number;
  readonly #perSender: number;
  readonly #bytesPerStream: number;
  /** One bit per (receiver, sender, seq). */
  readonly #seen: Uint8Array;
  /** Highest seq seen per (receiver, sender), -1 before the first. */
  readonly #highest: Int32Array;
  readonly counts: LedgerCounts;
  firstDeliveryUs = Number.POSITIVE_INFINITY;
  lastDeliveryUs = 0;

  constructor(receivers: number, senders: number, perSender: number) {
    this.#senders = senders;
    this.#perSender = perSender;
    this.#bytesPerStream = Math.ceil(perSender / 8);
    this.#seen = new Uint8Array(receivers * senders * this.#bytesPerStream);
    this.#highest = new Int32Array(receivers * senders).fill(-1);
    this.counts = {
      expected: receivers * senders * perSender,
      unique: 0,
      duplicates: 0,
      outOfOrder: 0,
      unexpected: 0,
    };
  }

  get complete(): boolean {
    return this.counts.unique >= this.counts.expected;
  }

  record(receiver: number, sender: number, seq: number, sentAtUs: number, nowUs: number): void {
    if (sender >= this.#senders || seq >= this.#perSender) {
      this.counts.unexpected += 1;
      return;
    }
    const stream = receiver * this.#senders + sender;
    const byte = stream * this.#bytesPerStream + (seq >> 3);
    const bit = 1 << (seq & 7);
    const seen = this.#seen[byte] as number;
    if ((seen & bit) !== 0) {
      this.counts.duplicates += 1;
      return;
    }
    this.#seen[byte] = seen | bit;
    this.counts.unique += 1;
    if (seq < (this.#highest[stream] as number)) this.counts.outOfOrder += 1;
    else this.#highest[stream] = seq;
    this.latency.record(nowUs - sentAtUs);
    if (nowUs < this.firstDeliveryUs) this.firstDeliveryUs = nowUs;
    if (nowUs > this.lastDeliveryUs) this.lastDeliveryUs = nowUs;
  }
}
