// How many TCP connections are open, in all and from each address: one address
// cannot take every descriptor and guest slot, and a flood from many cannot
// take more than the server keeps for everyone.

export interface ConnectionLimits {
  /** Open connections from one address; 0 for no cap. */
  perAddress: number;
  /** Open connections in all; 0 for no cap. */
  total: number;
}

export class ConnectionCaps {
  readonly #limits: ConnectionLimits;
  readonly #byAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** Counts a new connection from `address` in; or says why not (then it is not counted). */
  admit(address: string): string | undefined {
    const { perAddress, total } = this.#limits;
    if (total > 0 && this.#total >= total) {
      return `the server is full (${total} connections); try again later`;
    }
    const open = this.#byAddress.get(address) ?? 0;
    if (perAddress > 0 && open >= perAddress) {
      return `too many connections from ${address} (at most ${perAddress}); close one and try again`;
    }
    this.#total += 1;
    this.#byAddress.set(address, open + 1);
    return undefined;
  }

  /** A connection `admit` counted in has closed. */
  release(address: string): void {
    const open = this.#byAddress.get(address) ?? 0;
    if (open <= 1) this.#byAddress.delete(address);
    else this.#byAddress.set(address, open - 1);
    this.#total -= 1;
  }
}
