// What the server accepts as text from a peer. Everything a peer can set that
// others will see passes one of these rules before anyone sees it.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";

// Tab and line feed are fine in a message, whose every line is shown with its
// sender in front; other control characters could drive the receivers' terminals.
const CONTROL_IN_TEXT = /[^\P{Cc}\t\n]/u;
// A reason is shown inside another line, so a line feed there could forge one.
const CONTROL_IN_REASON = /[^\P{Cc}\t]/u;

/** Longest reason (for leaving, cancelling or declining) that is passed on, in UTF-8 bytes. */
export const MAX_REASON_BYTES = 300;
/** Longest room topic in UTF-8 bytes: IRC servers commonly allow 300 to 390. */
export const MAX_TOPIC_BYTES = 300;

export function textProblem(text: string, maxBytes: number): ProtocolError | undefined {
  if (text.trim() === "") return new ProtocolError(ErrorCode.EmptyMessage, "message is empty");
  return freeTextProblem("message", text, maxBytes, CONTROL_IN_TEXT, "tab and newline are");
}

/** Why a peer's reason cannot be passed on; undefined when it can (an empty one too). */
export function reasonProblem(reason: string): ProtocolError | undefined {
  return freeTextProblem("the reason", reason, MAX_REASON_BYTES, CONTROL_IN_REASON, "tab is");
}

/** Why `topic` cannot be a room's topic; undefined when it can (an empty one clears it). */
export function topicProblem(topic: string): ProtocolError | undefined {
  return freeTextProblem("the topic", topic, MAX_TOPIC_BYTES, CONTROL_IN_REASON, "tab is");
}

function freeTextProblem(
  what: string,
  text: string,
  maxBytes: number,
  control: RegExp,
  allowed: string,
): ProtocolError | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    return new ProtocolError(
      ErrorCode.MessageTooLarge,
      `${what} is ${bytes} bytes; the limit is ${maxBytes}`,
    );
  }
  if (control.test(text)) {
    return new ProtocolError(
      ErrorCode.ControlCharacters,
      `${what} contains control characters; only ${allowed} allowed`,
    );
  }
  return undefined;
}
