// Returns file-window credit in batches of a quarter window. A grant per stored
// chunk costs the other side a frame, a read and a wakeup each; batching cuts
// those four-fold, and the sender still always has three quarters of its window
// to go on, so it never waits for a grant it would otherwise have had.

import { FILE_WINDOW_BYTES } from "./frame.js";

export const GRANT_BATCH_BYTES = FILE_WINDOW_BYTES / 4;

export class WindowGrants {
  #owed = 0;

  /** `bytes` more were stored; returns the credit to grant now (0: keep gathering). */
  stored(bytes: number): number {
    this.#owed += bytes;
    if (this.#owed < GRANT_BATCH_BYTES) return 0;
    const grant = this.#owed;
    this.#owed = 0;
    return grant;
  }
}
