// Where a run notes when its load (or its idle window) was on, so that
// profile-summary can look at the samples of that window only (V8 and the
// bench share the clock).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monoUs } from "./load/payload.js";

export const PROFILE_WINDOW_FILE = "window.json";

export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Notes in `dir`, when profiling (`dir` given), that the window ran from `fromUs` until now. */
export function writeProfileWindow(dir: string | undefined, fromUs: number): void {
  if (dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  const window: ProfileWindow = { fromUs, toUs: monoUs() };
  writeFileSync(join(dir, PROFILE_WINDOW_FILE), JSON.stringify(window));
}
