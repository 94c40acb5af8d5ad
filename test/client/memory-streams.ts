// Two ends of a connection in memory, for running the client core in-process.
// What one end writes reaches the other on a later turn, one write at a time,
// as from a socket; `hold` keeps it on the writer's side (its bufferedBytes
// grow) until `release`, as a network that has stopped taking bytes would. An
// end made without drain events is like a WebSocket: its buffer can only be
// looked at.

import type { ByteStream } from "../../src/client/byte-stream.js";

type Handlers = Parameters<ByteStream["listen"]>[0];

export class MemoryEnd implements ByteStream {
  readonly onDrain: ((listener: () => void) => void) | undefined;
  /** Writes handed to this end so far. */
  writes = 0;
  #peer: MemoryEnd | undefined;
  #handlers: Handlers | undefined;
  readonly #drainListeners: (() => void)[] = [];
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #held = false;
  #scheduled = false;
  #closing: string | undefined;
  #closed = false;

  constructor(drains: boolean) {
    this.onDrain = drains ? (listener) => this.#drainListeners.push(listener) : undefined;
  }

  static pair({ clientDrains = true } = {}): [client: MemoryEnd, server: MemoryEnd] {
    const client = new MemoryEnd(clientDrains);
    const server = new MemoryEnd(true);
    client.#peer = server;
    server.#peer = client;
    return [client, server];
  }

  get bufferedBytes(): number {
    return this.#queuedBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array): void {
    if (this.#closing !== undefined || this.#closed) return;
    this.writes += 1;
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    this.#schedule();
  }

  listen(handlers: Handlers): void {
    this.#handlers = handlers;
    (this.#peer as MemoryEnd).#schedule();
  }

  /** Closes both ends once what this end has written has arrived. */
  close(reason = "connection closed"): void {
    this.#closing ??= reason;
    this.#schedule();
  }

  /** Stops handing this end's writes to the other. */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#deliver();
    });
  }

  #deliver(): void {
    const peer = this.#peer as MemoryEnd;
    if (this.#closed || this.#held || peer.#handlers === undefined) return;
    const sent = this.#queue.length > 0;
    for (const bytes of this.#queue.splice(0)) {
      this.#queuedBytes -= bytes.length;
      peer.#handlers.data(bytes);
    }
    if (sent) for (const listener of this.#drainListeners) listener();
    if (this.#closing !== undefined) {
      this.#end(this.#closing);
      peer.#end(this.#closing);
    }
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#handlers?.close(reason);
  }
}
