// Returns file-window credit in batches of a quarter window. A grant per stored
// chunk costs the other side a frame, a read and a wakeup each; batching cuts
// those, and the sender still always has three quarters of its window to go
// on, so it never waits for a grant it would otherwise have had.

export class WindowGrants {
  readonly batchBytes: number;
  #owed = 0;

  /** `window` is the credit the other side starts with. */
  constructor(window: number) {
    this.batchBytes = window / 4;
  }

  /** `bytes` more were stored; returns the credit to grant now (0: keep gathering). */
  stored(bytes: number): number {
    this.#owed += bytes;
    if (this.#owed < this.batchBytes) return 0;
    const grant = this.#owed;
    this.#owed = 0;
    return grant;
  }
}
