// The text-line protocol spoken by netcat, telnet and the original Python
// client: each line in is a message or a slash command, each event out a line.

import { type ParsedInput, parseInput } from "../protocol/commands.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import { decodeUtf8, encodeUtf8 } from "../protocol/payload.js";
import { renderServerMessage } from "../protocol/render.js";
import type { Codec } from "./codec.js";
import { memoizeEncoding } from "./codec.js";
import type { ConnectionHandler } from "./connection.js";

const encodeText = memoizeEncoding((message: ServerMessage) => {
  const lines = renderServerMessage(message);
  return lines.length === 0 ? undefined : encodeUtf8(`${lines.join("\n")}\n`);
});

/** Text clients do not number their requests; 0 marks a request nobody awaits. */
const UNNUMBERED = 0;

export class TextCodec implements Codec {
  readonly framed = false;
  readonly encode = encodeText;
  readonly #lines: LineSplitter;

  /** `maxLineBytes` bounds what is buffered while waiting for a newline. */
  constructor(maxLineBytes: number) {
    this.#lines = new LineSplitter(maxLineBytes);
  }

  /** Text clients send no hello, so one is made up and the server picks the nickname. */
  open(handler: ConnectionHandler): undefined {
    handler.message({ type: "hello", nick: "", client: "text" });
  }

  decode(chunk: Uint8Array, handler: ConnectionHandler): void {
    this.#lines.push(chunk, {
      line: (bytes) => {
        let text: string;
        try {
          text = decodeUtf8(bytes);
        } catch (error) {
          handler.invalid(error as ProtocolError);
          return;
        }
        const message = toClientMessage(parseInput(text));
        if (message instanceof ProtocolError) handler.invalid(message);
        else if (message !== undefined) handler.message(message);
      },
      tooLong: () =>
        handler.invalid(
          new ProtocolError(ErrorCode.LineTooLong, "line too long; it was discarded"),
        ),
    });
  }
}

function toClientMessage(input: ParsedInput): ClientMessage | ProtocolError | undefined {
  switch (input.type) {
    case "empty":
      return undefined;
    case "invalid":
      return new ProtocolError(ErrorCode.UnknownCommand, input.message);
    case "who":
    case "help":
    case "files":
      return { type: input.type, seq: UNNUMBERED };
    case "send":
    case "get":
    case "cancel":
      return new ProtocolError(
        ErrorCode.NeedsNativeClient,
        "files need the sockchat client: npx sockchat connect",
      );
    default:
      return { ...input, seq: UNNUMBERED };
  }
}
