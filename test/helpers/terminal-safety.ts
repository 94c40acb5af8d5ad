// What others' text may carry to a terminal: no control character (Unicode
// Cc) but tab, and line feed only where a message is meant to span lines.

import type { ServerMessage } from "../../src/protocol/messages.js";

const CONTROL_BUT_TAB = /[^\P{Cc}\t]/u;
const CONTROL_BUT_TAB_LF = /[^\P{Cc}\t\n]/u;
/** Multi-line chat and notices: each line is shown with its own prefix. */
const MULTI_LINE_FIELDS = new Set(["message.text", "notice.text"]);

/** Index of the first control character in `text` other than tab (and LF if allowed); -1 if none. */
export function controlAt(text: string, { lineFeed = false } = {}): number {
  return text.search(lineFeed ? CONTROL_BUT_TAB_LF : CONTROL_BUT_TAB);
}

export interface FieldProblem {
  /** Where in the message, as "left.reason" or "who-list.users.0.nick". */
  field: string;
  value: string;
  at: number;
}

/** Every string field of a decoded server message that holds a control character. */
export function messageProblems(message: ServerMessage): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const visit = (value: unknown, field: string): void => {
    if (typeof value === "string") {
      const at = controlAt(value, { lineFeed: MULTI_LINE_FIELDS.has(field) });
      if (at >= 0) problems.push({ field, value, at });
    } else if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
      for (const [key, inner] of Object.entries(value)) visit(inner, `${field}.${key}`);
    }
  };
  for (const [key, value] of Object.entries(message)) visit(value, `${message.type}.${key}`);
  return problems;
}

const lossyUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Bytes as a terminal would show them: U+FFFD for each part that is not UTF-8. */
export function decodeLossy(bytes: Uint8Array): string {
  return lossyUtf8.decode(bytes);
}

/** Index of the first C0 control byte other than tab and LF, or DEL; -1 if none. */
export function forbiddenByteAt(bytes: Uint8Array): number {
  return bytes.findIndex((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a) || b === 0x7f);
}

/** `text` quoted, with everything but printable ASCII escaped: safe to print on any terminal. */
export function show(text: string, max = 160): string {
  const escaped = [...text.slice(0, max)]
    .map((c) => {
      const code = c.codePointAt(0) as number;
      if (c === '"' || c === "\\") return `\\${c}`;
      return code >= 0x20 && code < 0x7f ? c : `\\u{${code.toString(16)}}`;
    })
    .join("");
  return `"${escaped}"${text.length > max ? "..." : ""}`;
}
