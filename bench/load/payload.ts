// The text every benchmark message carries: "<sender> <seq> <sentAtUs> <padding>".
// Receivers parse it without allocating, from a string (native client) or
// from the bytes of a line (text and IRC clients).

import { performance } from "node:perf_hooks";

/** Brings a message to a typical chat-line length (~50 bytes of text). */
const PADDING = "x".repeat(24);

// performance.now() is cheap but relative to this process's start; anchoring it
// once to hrtime (CLOCK_MONOTONIC, shared by all processes) makes timestamps
// comparable between the sender and receiver processes.
const originUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Microseconds on the machine-wide monotonic clock. */
export function monoUs(): number {
  return originUs + performance.now() * 1000;
}

export function benchText(sender: number, seq: number, sentAtUs: number): string {
  return `${sender} ${seq} ${Math.round(sentAtUs)} ${PADDING}`;
}

/** Reused by the parsers so that a delivery costs no allocation. */
export interface Parsed {
  sender: number;
  seq: number;
  sentAtUs: number;
}

const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;

/** Parses "<sender> <seq> <sentAtUs> …" at the start of `text`; false if it is not bench text. */
export function parseBenchString(text: string, out: Parsed): boolean {
  // Written out twice (string and bytes) so each loop stays monomorphic and cheap.
  const end = text.length;
  let i = 0;
  for (let field = 0; field < 3; field++) {
    let value = 0;
    const first = i;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
    }
    if (i === first || (field < 2 && text.charCodeAt(i) !== SPACE)) return false;
    i++;
    store(out, field, value);
  }
  return true;
}

export function parseBenchBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Parsed,
): boolean {
  let i = start;
  for (let field = 0; field < 3; field++) {
    let value = 0;
    const first = i;
    for (; i < end; i++) {
      const c = bytes[i] as number;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
    }
    if (i === first || (field < 2 && (i >= end || bytes[i] !== SPACE))) return false;
    i++;
    store(out, field, value);
  }
  return true;
}

function store(out: Parsed, field: number, value: number): void {
  if (field === 0) out.sender = value;
  else if (field === 1) out.seq = value;
  else out.sentAtUs = value;
}
