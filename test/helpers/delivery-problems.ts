// What observers saw that would act on a terminal or forge a line, and which
// hostile input most likely made it, for a failure message worth reading.

import { isUtf8 } from "node:buffer";
import type { ServerMessage } from "../../src/protocol/messages.js";
import type { Sent } from "./hostile-session.js";
import {
  controlAt,
  decodeLossy,
  forbiddenByteAt,
  messageProblems,
  show,
} from "./terminal-safety.js";

export interface Problem {
  observer: string;
  what: string;
  value: string;
  /** Where in `value` the trouble starts. */
  at: number;
}

/** A chat line as the console writes it, by its sender's mark. */
export const CHAT_PREFIX = /^(?:<[^>\s]+> |\* \S+ )/u;

/** Lines only the silent observers could have written: any is forged. */
function forgedLine(kind: "text" | "console", silent: readonly string[]): RegExp {
  const nick = `(?:${silent.join("|")})`;
  return kind === "text"
    ? new RegExp(`^(?:\\[private\\] )?<${nick}> |^\\* ${nick} is now known as `, "u")
    : new RegExp(`^(?:<${nick}> |\\* ${nick} |${nick} is now known as )`, "u");
}

function codePoint(text: string, at: number): string {
  const code = text.codePointAt(at) as number;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Every string field of every message a native observer decoded. */
export function nativeProblems(received: readonly ServerMessage[]): Problem[] {
  return received.flatMap((m) =>
    messageProblems(m).map(({ field, value, at }) => ({
      observer: "native observer",
      what: `${field} holds ${codePoint(value, at)}`,
      value,
      at,
    })),
  );
}

/** Every line a text observer received; `silent` are nicknames that never chat. */
export function textProblems(bytes: Uint8Array, silent: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const forged = forgedLine("text", silent);
  const observer = "text observer";
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.subarray(start, end);
    start = end + 1;
    const text = decodeLossy(line);
    if (!isUtf8(line)) {
      problems.push({
        observer,
        what: "a line is not UTF-8",
        value: text,
        at: text.indexOf("\ufffd"),
      });
    }
    // The bytes as sent, and the characters they decode to: a C1 control is two bytes.
    const byteAt = forbiddenByteAt(line);
    const at = controlAt(text);
    if (byteAt >= 0 || at >= 0) {
      const what = byteAt >= 0 ? `byte 0x${(line[byteAt] as number).toString(16)}` : "";
      problems.push({
        observer,
        what: `a line holds ${what || codePoint(text, at)}`,
        value: text,
        at: Math.max(at, 0),
      });
    }
    if (forged.test(text)) {
      problems.push({ observer, what: "a forged line", value: text, at: 0 });
    }
  }
  return problems;
}

/** Every entry the console log wrote; `silent` are nicknames that never chat. */
export function consoleProblems(writes: readonly string[], silent: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const forged = forgedLine("console", silent);
  const observer = "console";
  for (const write of writes) {
    const lines = write.split("\n");
    const prefix = CHAT_PREFIX.exec(write)?.[0];
    // A chat line may span lines only if each shows who wrote it.
    if (lines.length > 1 && (prefix === undefined || lines.some((l) => !l.startsWith(prefix)))) {
      problems.push({
        observer,
        what: "one entry makes unmarked lines",
        value: write,
        at: write.indexOf("\n"),
      });
    }
    for (const line of lines) {
      const at = controlAt(line);
      if (at >= 0)
        problems.push({ observer, what: `a line holds ${codePoint(line, at)}`, value: line, at });
      if (forged.test(line)) {
        problems.push({ observer, what: "a forged line", value: line, at: 0 });
      }
    }
  }
  return problems;
}

/** Length of the longest stretch of `observed` that covers index `at` and occurs in `text`. */
function sharedAround(observed: string, at: number, text: string): number {
  let best = 0;
  // Longest common suffixes of observed[..i] and text[..j], one row at a time.
  let previous = new Array<number>(text.length + 1).fill(0);
  for (let i = 1; i <= observed.length; i++) {
    const current = new Array<number>(text.length + 1).fill(0);
    for (let j = 1; j <= text.length; j++) {
      if (observed[i - 1] !== text[j - 1]) continue;
      const length = (previous[j - 1] as number) + 1;
      current[j] = length;
      if (i - 1 >= at && i - length <= at) best = Math.max(best, length);
    }
    previous = current;
  }
  return best;
}

/**
 * The input that shares the most of `observed` around `at`, the one most likely
 * to have made it; of equals, the shortest, which holds least besides.
 */
function likelySource(observed: string, at: number, sent: readonly Sent[]): Sent | undefined {
  let best: Sent | undefined;
  let bestLength = 0;
  for (const s of sent) {
    const length = sharedAround(observed, at, s.text);
    const better =
      length > bestLength || (length === bestLength && s.text.length < (best?.text.length ?? 0));
    if (length > 0 && better) {
      best = s;
      bestLength = length;
    }
  }
  return best;
}

/** The failure message: the seed, the first problems, the inputs to blame, how to replay. */
export function describeProblems(
  seed: number,
  problems: readonly Problem[],
  sent: readonly Sent[],
): string {
  const lines = [
    `seed ${seed}: ${problems.length} deliveries would act on a terminal or forge a line; the first ${Math.min(3, problems.length)}:`,
  ];
  for (const p of problems.slice(0, 3)) {
    lines.push(`  ${p.observer}: ${p.what}: ${show(p.value)}`);
    const source = likelySource(p.value, p.at, sent);
    lines.push(
      source === undefined
        ? "    (no one input explains it)"
        : `    sent as ${source.label}${source.mutated ? " (bytes mutated)" : ""}: ${show(source.text)}`,
    );
  }
  lines.push(
    `  replay: FREE_TEXT_FUZZ_SEED=${seed} node --test dist/test/server/free-text-fuzz.test.js`,
  );
  return lines.join("\n");
}
