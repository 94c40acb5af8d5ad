// Nickname rules, the same for the server that enforces them and the clients
// that explain them. Nicknames are unique without regard to case.

import { nfkc } from "./nfkc.js";

export const MAX_NICK_LENGTH = 24;
const NICK_PATTERN = /^[\p{L}\p{N}_\-.[\]{}|^`]+$/u;
const NICK_CHARACTER = /[\p{L}\p{N}_\-.[\]{}|^`]/gu;
/** "You" is how every client shows its own messages, so nobody may be called that. */
const RESERVED = new Set(["you", "server"]);
const FALLBACK = "guest";

/** Why a requested nickname is unacceptable, or undefined when it is fine. */
export function nickProblem(nick: string): string | undefined {
  if (nick.length === 0) return "a nickname cannot be empty";
  if ([...nick].length > MAX_NICK_LENGTH) {
    return `a nickname has at most ${MAX_NICK_LENGTH} characters`;
  }
  if (!NICK_PATTERN.test(nick)) {
    return "a nickname may contain letters, digits and _ - . [ ] { } | ^ ` only";
  }
  if (RESERVED.has(nickKey(nick))) return `"${nick}" is reserved`;
  return undefined;
}

/**
 * A nickname as it is kept: NFKC, so that one written with compatibility
 * characters (fullwidth `ａｌｉｃｅ`, the ligature in `ﬁona`) is the name it
 * looks like, and cannot pass for someone else beside it.
 */
export function normalNick(nick: string): string {
  return nfkc(nick);
}

export function nickKey(nick: string): string {
  return normalNick(nick).toLowerCase();
}

/** Makes an acceptable base from anything (an OS user name, say); never empty. */
export function nickBase(wanted: string): string {
  const kept = (normalNick(wanted).match(NICK_CHARACTER) ?? []).join("");
  const base = [...kept].slice(0, MAX_NICK_LENGTH).join("");
  return base === "" || nickProblem(base) !== undefined ? FALLBACK : base;
}
