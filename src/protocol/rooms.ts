// Room name rules, the same for the server that enforces them and the clients
// that explain them. Room names are unique without regard to case.

import { nfkc } from "./nfkc.js";

export const MAX_ROOM_NAME_LENGTH = 32;
export const DEFAULT_ROOM = "#lobby";
const ROOM_PATTERN = /^#[\p{L}\p{N}_\-.]+$/u;

/** Why `name` is no room name, or undefined when it is fine. */
export function roomProblem(name: string): string | undefined {
  if (!name.startsWith("#")) return `a room name starts with #, as in #${name || "dev"}`;
  const length = [...name].length - 1;
  if (length === 0) return "a room name needs a letter or digit after the #";
  if (length > MAX_ROOM_NAME_LENGTH) {
    return `a room name has at most ${MAX_ROOM_NAME_LENGTH} characters after the #`;
  }
  if (!ROOM_PATTERN.test(name)) {
    return "a room name may contain letters, digits and - _ . only after the #";
  }
  return undefined;
}

/** A room's name as it is kept: NFKC, as nicknames are (see normalNick). */
export function normalRoom(name: string): string {
  return nfkc(name);
}

export function roomKey(name: string): string {
  return normalRoom(name).toLowerCase();
}
