// The server takes at most MAX_UPLOADS_PER_CLIENT uploads from one client at
// once and refuses an offer beyond that, so a script that sends a folder of
// files would fail on the ninth. An offer takes a slot here first and, when
// none is free, waits its turn; a slot is free again when the server freed
// its own: the offer was refused, or the upload verified, failed or cancelled.

export interface UploadSlot {
  /** Frees the slot; later calls do nothing. */
  release(): void;
}

interface Waiter {
  resolve: (slot: UploadSlot) => void;
  reject: (error: Error) => void;
}

export class UploadSlots {
  readonly #limit: number;
  #taken = 0;
  readonly #waiting: Waiter[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether a slot is free now, so that `take` would not wait. */
  get free(): boolean {
    return this.#taken < this.#limit && this.#waiting.length === 0;
  }

  /**
   * Resolves with a slot, first come first served; rejects if abandoned while
   * waiting, or at once when `signal` aborts while it waits (leaving its turn).
   */
  take(signal?: AbortSignal): Promise<UploadSlot> {
    if (this.free) {
      this.#taken += 1;
      return Promise.resolve(this.#slot());
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiting.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const at = this.#waiting.indexOf(waiter);
          if (at < 0) return;
          this.#waiting.splice(at, 1);
          reject(new Error("aborted while waiting for a slot"));
        },
        { once: true },
      );
    });
  }

  /** Rejects every offer still waiting for a slot with `error`. */
  abandon(error: Error): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  #slot(): UploadSlot {
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        const next = this.#waiting.shift();
        if (next === undefined) this.#taken -= 1;
        else next.resolve(this.#slot());
      },
    };
  }
}
