// Two duplex streams joined back to back, the two ends of a socket in memory:
// what one end writes the other reads. It keeps what connections rely on of a
// socket: a reader that stops leaves the writer's `writableLength` growing
// until it reads again (then `drain`), `end` closes one direction only, and
// destroying either end closes both.

import { Duplex } from "node:stream";

class PairEnd extends Duplex {
  #other: PairEnd | undefined;
  /** The other end's write, held until this end's reader wants more. */
  #heldWrite: (() => void) | undefined;

  join(other: PairEnd): void {
    this.#other = other;
  }

  override _read(): void {
    const release = this.#heldWrite;
    this.#heldWrite = undefined;
    release?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    const other = this.#other as PairEnd;
    if (other.push(chunk)) done();
    else other.#heldWrite = done;
  }

  override _final(done: () => void): void {
    this.#other?.push(null);
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.#other?.destroy();
    done(error);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.join(b);
  b.join(a);
  return [a, b];
}
