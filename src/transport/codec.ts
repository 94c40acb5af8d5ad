// A codec turns a byte stream into client messages and server messages into
// bytes. A byte-stream connection picks one by its first bytes (codec-registry.ts).

import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import type { Capabilities, ConnectionHandler } from "./connection.js";

export interface Codec {
  /** What a peer speaking this protocol can do. */
  readonly capabilities: Capabilities;
  /**
   * Called once when the codec is chosen, with the first bytes that chose it
   * (none when silence did); returns bytes to send before anything else.
   */
  open(handler: ConnectionHandler, firstBytes: Uint8Array): Uint8Array | undefined;
  decode(chunk: Uint8Array, handler: ConnectionHandler): void;
  /** Whether the peer has begun a line, frame or handshake and not yet sent it whole. */
  readonly unfinished: boolean;
  /** Undefined when the message has no representation for this kind of peer. */
  encode(message: ServerMessage): Uint8Array | undefined;
  /** How this kind of peer hears that its `request` was done; undefined: not at all. */
  confirm(request: Confirmable): Uint8Array | undefined;
}

/** A request the server confirms once done. */
export type Confirmable = Extract<ClientMessage, { seq: number }>;

/**
 * Fan-out hands the same message object to every receiver, so each encoding is
 * computed once per message rather than once per delivery. A fan-out asks for
 * one message many times in a row: the last one answers before the map does.
 */
export function memoizeEncoding(
  encode: (message: ServerMessage) => Uint8Array | undefined,
): (message: ServerMessage) => Uint8Array | undefined {
  const cache = new WeakMap<ServerMessage, Uint8Array | undefined>();
  let lastMessage: ServerMessage | undefined;
  let lastBytes: Uint8Array | undefined;
  return (message) => {
    if (message === lastMessage) return lastBytes;
    let bytes = cache.get(message);
    // `has` only for messages that encode to nothing.
    if (bytes === undefined && !cache.has(message)) {
      bytes = encode(message);
      cache.set(message, bytes);
    }
    lastMessage = message;
    lastBytes = bytes;
    return bytes;
  };
}
