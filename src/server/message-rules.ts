// What the server accepts as message text.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";

// Tab and line feed are fine in a message; other control characters could
// drive the receivers' terminals.
const CONTROL = /[^\P{Cc}\t\n]/u;

export function textProblem(text: string, maxBytes: number): ProtocolError | undefined {
  if (text.trim() === "") return new ProtocolError(ErrorCode.EmptyMessage, "message is empty");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    return new ProtocolError(
      ErrorCode.MessageTooLarge,
      `message is ${bytes} bytes; the limit is ${maxBytes}`,
    );
  }
  if (CONTROL.test(text)) {
    return new ProtocolError(
      ErrorCode.ControlCharacters,
      "message contains control characters; only tab and newline are allowed",
    );
  }
  return undefined;
}
