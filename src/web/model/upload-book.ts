// The files this page is sending, while they are under way: progress, rate,
// and what can be cancelled. One leaves the book when it is through, failed or
// cancelled; the conversation keeps the outcome.

import { RateMeter } from "./rate-meter.js";

export interface Upload {
  readonly key: string;
  /** The server's id, once it has accepted the offer. */
  id: number | undefined;
  readonly name: string;
  readonly size: number;
  /** The room it goes to. */
  readonly room: string;
  sent: number;
  /** Bytes per second lately. */
  rate: number;
  state: "waiting" | "sending" | "verifying";
}

export class UploadBook {
  readonly #uploads = new Map<string, Upload>();
  readonly #meters = new Map<string, RateMeter>();
  #next = 0;

  get list(): readonly Upload[] {
    return [...this.#uploads.values()];
  }

  /** A file about to be offered; returns its key. */
  start(name: string, size: number, room: string): string {
    this.#next += 1;
    const key = `u${this.#next}`;
    this.#uploads.set(key, {
      key,
      id: undefined,
      name,
      size,
      room,
      sent: 0,
      rate: 0,
      state: "waiting",
    });
    this.#meters.set(key, new RateMeter());
    return key;
  }

  get(key: string): Upload | undefined {
    return this.#uploads.get(key);
  }

  byId(id: number): Upload | undefined {
    for (const upload of this.#uploads.values()) if (upload.id === id) return upload;
    return undefined;
  }

  accepted(key: string, id: number, now: number): void {
    const upload = this.#uploads.get(key);
    if (upload === undefined) return;
    upload.id = id;
    upload.state = "sending";
    this.#meters.get(key)?.sample(now, 0);
  }

  /** `sent` bytes of upload `id` are out; false if it is no upload here. */
  progress(id: number, sent: number, now: number): boolean {
    const upload = this.byId(id);
    if (upload === undefined) return false;
    upload.sent = sent;
    const meter = this.#meters.get(upload.key) as RateMeter;
    meter.sample(now, sent);
    upload.rate = meter.perSecond;
    if (sent >= upload.size) upload.state = "verifying";
    return true;
  }

  /** It is through, failed or cancelled: it leaves the book. */
  finish(key: string): Upload | undefined {
    const upload = this.#uploads.get(key);
    this.#uploads.delete(key);
    this.#meters.delete(key);
    return upload;
  }
}
