// Splits a TCP byte stream into lines without decoding them: the text and IRC
// peers look at a few bytes of each line and parse numbers in place.

const LF = 0x0a;
const CR = 0x0d;

export type OnLine = (bytes: Buffer, start: number, end: number) => void;

export class LineReader {
  #rest: Buffer | undefined;

  push(chunk: Buffer, onLine: OnLine): void {
    const bytes = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    this.#rest = undefined;
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(LF, start);
      if (newline < 0) break;
      const end = newline > start && bytes[newline - 1] === CR ? newline - 1 : newline;
      onLine(bytes, start, end);
      start = newline + 1;
    }
    if (start < bytes.length) this.#rest = Buffer.from(bytes.subarray(start));
  }
}

/** Whether `bytes[at…]` starts with the ASCII text `prefix`. */
export function startsWithAscii(bytes: Buffer, at: number, end: number, prefix: string): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}
