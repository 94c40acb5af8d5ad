// Incremental LF / CRLF line splitter for text (netcat) clients, with a bound
// on line length so a peer that never sends a newline cannot grow a buffer. A
// line can say the stream stops being lines after it (the original client's
// file upload follows its SEND line): the rest of the chunk is handed back.

const LF = 0x0a;
const CR = 0x0d;

export interface LineSink {
  line(bytes: Uint8Array): void;
  /** Called once per over-long line; the rest of that line is discarded. */
  tooLong(): void;
}

export class LineSplitter {
  readonly #maxLineBytes: number;
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  #discarding = false;
  #stopped = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Whether a line has begun and not yet ended (held, or being discarded as too long). */
  get unfinished(): boolean {
    return this.#partialBytes > 0 || this.#discarding;
  }

  /** Called from `sink.line`: no more lines after this one; `push` returns the bytes after it. */
  stop(): void {
    this.#stopped = true;
  }

  /** Splits `chunk` into lines for `sink`; after a stop, returns the bytes that followed. */
  push(chunk: Uint8Array, sink: LineSink): Uint8Array | undefined {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      const end = newline < 0 ? chunk.length : newline;
      if (this.#discarding) {
        if (newline >= 0) this.#discarding = false;
      } else if (this.#partialBytes + (end - start) > this.#maxLineBytes + 1) {
        // +1 leaves room for the CR of a CRLF ending.
        this.#partial = [];
        this.#partialBytes = 0;
        this.#discarding = newline < 0;
        sink.tooLong();
      } else if (newline < 0) {
        this.#partial.push(chunk.subarray(start));
        this.#partialBytes += chunk.length - start;
      } else {
        this.#emit(chunk.subarray(start, end), sink);
      }
      if (newline < 0) return undefined;
      start = newline + 1;
      if (this.#stopped) {
        this.#stopped = false;
        return chunk.subarray(start);
      }
    }
    return undefined;
  }

  #emit(tail: Uint8Array, sink: LineSink): void {
    let line = tail;
    if (this.#partialBytes > 0) {
      line = new Uint8Array(this.#partialBytes + tail.length);
      let offset = 0;
      for (const piece of this.#partial) {
        line.set(piece, offset);
        offset += piece.length;
      }
      line.set(tail, offset);
      this.#partial = [];
      this.#partialBytes = 0;
    }
    if (line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.#maxLineBytes) sink.tooLong();
    else sink.line(line);
  }
}
