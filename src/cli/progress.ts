// Progress of the transfers under way, as one short status for the prompt.
//
// A transfer's rate is measured from its first update after it starts, never
// from the start itself: a resumed download first reads back and hashes the
// part it kept, which moves no bytes and may take seconds, and counting that
// time read "296.9 KB/s 70:59" for a link a hundred times faster. The rate is
// taken over the last few seconds, so a burst (the chunks that arrived while
// the kept part was hashed, written at once) soon stops counting, and none is
// shown until a second has been measured.

import { formatBytes } from "../protocol/render.js";

interface Sample {
  at: number;
  done: number;
}

interface Progress {
  label: string;
  done: number;
  size: number;
  /** Recent updates, oldest first, at least SAMPLE_MS apart; the first one is where measuring starts. */
  samples: Sample[];
}

const BAR_WIDTH = 10;
const LABEL_CHARS = 24;
/** Less than this measured, and a rate would be a guess. */
const MIN_MEASURED_MS = 1000;
/** The rate is over about this much of the recent past. */
const RATE_WINDOW_MS = 5000;
const SAMPLE_MS = 250;

export class ProgressBoard {
  readonly #transfers = new Map<string, Progress>();

  /** Transfer `key` starts, or starts over, with `done` of its `size` bytes already there. */
  start(key: string, label: string, done: number, size: number): void {
    const short =
      [...label].length > LABEL_CHARS ? `${[...label].slice(0, LABEL_CHARS - 1).join("")}…` : label;
    this.#transfers.set(key, { label: short, done, size, samples: [] });
  }

  /** `done` bytes of transfer `key` are there at `now`; a transfer not yet on the board starts here. */
  update(key: string, label: string, done: number, size: number, now: number = Date.now()): void {
    const known = this.#transfers.get(key);
    if (known === undefined) {
      this.start(key, label, done, size);
      return;
    }
    known.done = done;
    const last = known.samples.at(-1);
    if (last === undefined || now - last.at >= SAMPLE_MS) known.samples.push({ at: now, done });
    forgetOldSamples(known.samples, now);
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
    const rate = measuredRate(first, now);
    const speed =
      rate === undefined
        ? "-:--"
        : `${formatBytes(rate)}/s ${rate > 0 ? formatClock((first.size - first.done) / rate) : "-:--"}`;
    const more = this.#transfers.size > 1 ? ` +${this.#transfers.size - 1}` : "";
    return `[${first.label} ${bar} ${Math.floor(fraction * 100)}% ${speed}${more}] `;
  }
}

/** Bytes per second over the recent past; undefined until enough has been measured. */
function measuredRate(progress: Progress, now: number): number | undefined {
  forgetOldSamples(progress.samples, now);
  const [oldest] = progress.samples;
  if (oldest === undefined || now - oldest.at < MIN_MEASURED_MS) return undefined;
  return ((progress.done - oldest.done) * 1000) / (now - oldest.at);
}

/** Drops samples older than the window, but the newest of those, so the window stays full. */
function forgetOldSamples(samples: Sample[], now: number): void {
  while (samples.length > 1 && (samples[1] as Sample).at <= now - RATE_WINDOW_MS) samples.shift();
}

function formatClock(totalSeconds: number): string {
  const seconds = Math.ceil(totalSeconds);
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}
