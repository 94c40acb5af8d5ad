// Seeded randomness for tests, so every failure reproduces from its seed.

/** mulberry32: a tiny seeded PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  u32(): number {
    return this.pick([0, 1, 0xffffffff, 0x7fffffff, this.int(1000), this.int(2 ** 32)]);
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

// Code point ranges that exercise every UTF-8 sequence length and the awkward
// parts of Unicode: combining marks, ZWJ, variation selectors, astral planes.
const CODE_POINT_RANGES: readonly [number, number][] = [
  [0x20, 0x7e], // ASCII
  [0x00, 0x1f], // C0 controls: the codec itself must carry any text
  [0xa0, 0x24f], // Latin-1 and Latin Extended
  [0x300, 0x36f], // combining diacritical marks
  [0x391, 0x3c9], // Greek
  [0x5d0, 0x5ea], // Hebrew (right-to-left)
  [0x200b, 0x200f], // zero-width space, ZWNJ, ZWJ, LRM, RLM
  [0x4e00, 0x9fff], // CJK
  [0xfe00, 0xfe0f], // variation selectors
  [0xe000, 0xf8ff], // private use
  [0xfff0, 0xfffd], // specials, just below the BMP's end
  [0x1f300, 0x1faff], // emoji (astral, surrogate pairs in UTF-16)
  [0x1d400, 0x1d7ff], // mathematical alphanumerics (astral letters)
  [0xe0100, 0xe01ef], // variation selectors supplement (plane 14)
  [0x10fff0, 0x10ffff], // the very last code points
];

/**
 * A random well-formed string. Lone surrogates are left out on purpose: UTF-8
 * cannot carry them, so they cannot round-trip through any UTF-8 protocol.
 */
export function randomText(r: Random, maxLength = 40): string {
  const length = r.pick([0, 1, r.int(8), r.int(maxLength)]);
  let text = "";
  for (let i = 0; i < length; i++) {
    const [lo, hi] = r.pick(CODE_POINT_RANGES);
    text += String.fromCodePoint(r.range(lo, hi));
  }
  if (r.int(10) === 0) text += "e\u0301\u0308"; // stacked combining marks
  if (r.int(10) === 0) text += "👩‍👩‍👧‍👦"; // ZWJ family sequence
  if (r.int(20) === 0) text += "line one\nline two";
  return text;
}
