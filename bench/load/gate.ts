// Holds back the hellos of a batch of new connections until the runner
// releases them all at once.
//
// The server (libuv) accepts one connection per event-loop turn and writes to
// every member once per turn, so clients that join one by one cost N²/2 writes:
// about nine minutes for 10,000 idle clients here, long enough for heartbeats
// to drop thousands of them. Hellos of connections the server has all accepted
// already arrive together, are handled in one turn and share those writes, as
// in a reconnect storm after a restart.

import type { Dial } from "../../src/client/byte-stream.js";

export class Gate {
  readonly #expected: number;
  #connected = 0;
  #open = false;
  readonly #openWaiters: (() => void)[] = [];
  readonly #connectedWaiters: (() => void)[] = [];

  constructor(expected: number) {
    this.#expected = expected;
  }

  /** Resolves once `expected` connections are up (their hellos held). */
  allConnected(): Promise<void> {
    if (this.#connected >= this.#expected) return Promise.resolve();
    return new Promise((resolve) => this.#connectedWaiters.push(resolve));
  }

  connected(): void {
    this.#connected += 1;
    if (this.#connected >= this.#expected) {
      for (const resolve of this.#connectedWaiters.splice(0)) resolve();
    }
  }

  opened(): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve) => this.#openWaiters.push(resolve));
  }

  open(): void {
    this.#open = true;
    for (const resolve of this.#openWaiters.splice(0)) resolve();
  }
}

/** A dial whose streams queue their writes until `gate` opens. */
export function gatedDial(dial: Dial, gate: Gate): Dial {
  return async () => {
    const stream = await dial();
    gate.connected();
    let held: Uint8Array[] | undefined = [];
    gate.opened().then(() => {
      for (const bytes of held ?? []) stream.write(bytes);
      held = undefined;
    });
    const write = (bytes: Uint8Array) => {
      if (held === undefined) stream.write(bytes);
      else held.push(bytes);
    };
    // Everything but write passes through, whatever else the stream offers.
    return new Proxy(stream, {
      get(target, property) {
        if (property === "write") return write;
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}
