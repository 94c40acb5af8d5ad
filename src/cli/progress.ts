// Progress of the transfers under way, as one short status for the prompt.

import { formatBytes } from "../protocol/render.js";

interface Progress {
  label: string;
  done: number;
  size: number;
  startedAt: number;
  startBytes: number;
}

const BAR_WIDTH = 10;
const LABEL_CHARS = 24;

export class ProgressBoard {
  readonly #transfers = new Map<string, Progress>();

  update(key: string, label: string, done: number, size: number, now: number = Date.now()): void {
    const known = this.#transfers.get(key);
    const short =
      [...label].length > LABEL_CHARS ? `${[...label].slice(0, LABEL_CHARS - 1).join("")}…` : label;
    if (known === undefined)
      this.#transfers.set(key, { label: short, done, size, startedAt: now, startBytes: done });
    else known.done = done;
  }

  remove(key: string): void {
    this.#transfers.delete(key);
  }

  /** e.g. `[↓ song.mp3 ████░░░░░░ 42% 31.2 MB/s 0:04 +1] `, or "" when idle. */
  status(now: number = Date.now()): string {
    const [first] = this.#transfers.values();
    if (first === undefined) return "";
    const fraction = first.size === 0 ? 1 : first.done / first.size;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const seconds = (now - first.startedAt) / 1000;
    const rate = seconds > 0 ? (first.done - first.startBytes) / seconds : 0;
    const eta = rate > 0 ? formatClock((first.size - first.done) / rate) : "-:--";
    const more = this.#transfers.size > 1 ? ` +${this.#transfers.size - 1}` : "";
    return `[${first.label} ${bar} ${Math.floor(fraction * 100)}% ${formatBytes(rate)}/s ${eta}${more}] `;
  }
}

function formatClock(totalSeconds: number): string {
  const seconds = Math.ceil(totalSeconds);
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}
