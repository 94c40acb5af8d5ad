// The text-line protocol spoken by netcat, telnet and the original Python
// client: each line in is a message or a slash command, each event out a line.
// A line `SEND <path>` starts the original client's file upload: the bytes that
// follow are the file, up to its end marker, and then lines again.

import { type ParsedInput, parseInput } from "../protocol/commands.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { LEGACY_END_MARKER, legacyUploadPath } from "../protocol/legacy-upload.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { MarkerScanner } from "../protocol/marker-scanner.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import { decodeUtf8, encodeUtf8 } from "../protocol/payload.js";
import { renderOwnCommand, renderServerMessage, roomShown } from "../protocol/render.js";
import { DEFAULT_ROOM, roomKey } from "../protocol/rooms.js";
import type { Codec, Confirmable } from "./codec.js";
import { memoizeEncoding } from "./codec.js";
import { type ConnectionHandler, NO_CAPABILITIES } from "./connection.js";

/** How a text client can fetch a file it is offered: it cannot take one itself. */
function fetchHint(id: number): string {
  return `*   to save it, use the sockchat client: npx sockchat connect, then /get ${id}`;
}

function textEncoder(typingInto: (message: ServerMessage) => string) {
  return memoizeEncoding((message: ServerMessage) => {
    const lines = renderServerMessage(message, typingInto(message));
    if (message.type === "file-offered" && !message.requested) lines.push(fetchHint(message.id));
    return lines.length === 0 ? undefined : encodeUtf8(`${lines.join("\n")}\n`);
  });
}

/**
 * Each message is encoded at most twice, whoever receives it: as seen from
 * the room it happened in, and as seen from elsewhere (naming its room).
 */
const encodeHere = textEncoder((message) => roomShown(message) ?? DEFAULT_ROOM);
const encodeElsewhere = textEncoder(() => "");

/** Text clients do not number their requests; 0 marks a request nobody awaits. */
const UNNUMBERED = 0;

export class TextCodec implements Codec {
  /** A person at netcat answers no pings (TCP keepalive covers them), saves no files, numbers nothing. */
  readonly capabilities = NO_CAPABILITIES;
  /** Where this client's lines go, as the server last told it, and its key. */
  #typingInto = DEFAULT_ROOM;
  #typingIntoKey = roomKey(DEFAULT_ROOM);
  readonly #lines: LineSplitter;
  /** Set while an upload's bytes are coming in, up to its end marker. */
  #upload: MarkerScanner | undefined;

  /** `maxLineBytes` bounds what is buffered while waiting for a newline. */
  constructor(maxLineBytes: number) {
    this.#lines = new LineSplitter(maxLineBytes);
  }

  /** An upload's bytes are no unfinished line: the upload has a deadline of its own. */
  get unfinished(): boolean {
    return this.#upload === undefined && this.#lines.unfinished;
  }

  encode(message: ServerMessage): Uint8Array | undefined {
    if (message.type === "welcome") this.#typeInto(message.room);
    else if (message.type === "room") this.#typeInto(message.name);
    const room = roomShown(message);
    // Spelled as the room's creator spelled it, the room typed into is the same string;
    // a line kept from before the room was made anew may be spelled otherwise.
    const here =
      room === undefined || room === this.#typingInto || roomKey(room) === this.#typingIntoKey;
    return here ? encodeHere(message) : encodeElsewhere(message);
  }

  #typeInto(room: string): void {
    this.#typingInto = room;
    this.#typingIntoKey = roomKey(room);
  }

  /**
   * An action or a private message reads, to its sender, as the bundled client
   * shows it; a plain line needs no echo, as the sender's terminal shows it as typed.
   */
  confirm(request: Confirmable): Uint8Array | undefined {
    if (request.type !== "action" && request.type !== "private") return undefined;
    return encodeUtf8(`${renderOwnCommand(request).join("\n")}\n`);
  }

  /** Text clients send no hello, so one is made up and the server picks the nickname. */
  open(handler: ConnectionHandler): undefined {
    handler.message({ type: "hello", nick: "", client: "text" });
  }

  decode(chunk: Uint8Array, handler: ConnectionHandler): void {
    let rest: Uint8Array | undefined = chunk;
    while (rest !== undefined && rest.length > 0) {
      rest =
        this.#upload === undefined
          ? this.#decodeLines(rest, handler)
          : this.#decodeUpload(this.#upload, rest, handler);
    }
  }

  /** Lines, until one starts an upload: then what follows it in `chunk`. */
  #decodeLines(chunk: Uint8Array, handler: ConnectionHandler): Uint8Array | undefined {
    return this.#lines.push(chunk, {
      line: (bytes) => {
        let text: string;
        try {
          text = decodeUtf8(bytes);
        } catch (error) {
          handler.invalid(error as ProtocolError);
          return;
        }
        const path = legacyUploadPath(text);
        if (path !== undefined) {
          this.#upload = new MarkerScanner(LEGACY_END_MARKER);
          this.#lines.stop();
          handler.message({ type: "legacy-start", path });
          return;
        }
        const message = toClientMessage(parseInput(text), text);
        if (message instanceof ProtocolError) handler.invalid(message);
        else if (message !== undefined) handler.message(message);
      },
      tooLong: () =>
        handler.invalid(
          new ProtocolError(ErrorCode.LineTooLong, "line too long; it was discarded"),
        ),
    });
  }

  /** An upload's bytes, until its marker: then what follows the marker in `chunk`. */
  #decodeUpload(
    upload: MarkerScanner,
    chunk: Uint8Array,
    handler: ConnectionHandler,
  ): Uint8Array | undefined {
    const scanned = upload.push(chunk);
    for (const data of scanned.data) handler.message({ type: "legacy-data", data });
    if (scanned.rest === undefined) return undefined;
    this.#upload = undefined;
    handler.message({ type: "legacy-end" });
    return scanned.rest;
  }
}

function toClientMessage(
  input: ParsedInput,
  line: string,
): ClientMessage | ProtocolError | undefined {
  switch (input.type) {
    case "empty":
      return undefined;
    case "invalid":
      // The original client takes any line holding the word in capitals for a file.
      if (/^SEND\s*$/.test(line))
        return new ProtocolError(
          ErrorCode.UnknownCommand,
          "a file's path must follow the word send (in capitals), as the original chat client sends it",
        );
      // Its usage names the command in capitals, which the original client must not see.
      if (/^\/send\b/i.test(line)) return fileCommand();
      return new ProtocolError(ErrorCode.UnknownCommand, input.message);
    case "help":
    case "files":
      return { type: input.type, seq: UNNUMBERED };
    case "send":
    case "get":
    case "cancel":
      return fileCommand();
    default:
      return { ...input, seq: UNNUMBERED };
  }
}

function fileCommand(): ProtocolError {
  return new ProtocolError(
    ErrorCode.NeedsNativeClient,
    "files need the sockchat client: npx sockchat connect",
  );
}
