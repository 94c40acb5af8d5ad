// Where a fan-out run notes when the load was on, so that profile-summary can
// look at the samples of that window only (V8 and the bench share the clock).

export const PROFILE_WINDOW_FILE = "window.json";

export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}
