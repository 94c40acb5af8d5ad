// The one interface every transport (TCP native, TCP text, WebSocket) offers
// the server: typed messages in, typed messages out, flow control, close.

import type { ProtocolError } from "../protocol/errors.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";

export interface ConnectionHandler {
  message(message: ClientMessage): void;
  /** Input that could not be understood; `error.fatal` means the stream is beyond repair. */
  invalid(error: ProtocolError): void;
  /** Everything queued so far has been handed to the operating system. */
  drain(): void;
  closed(cause: string): void;
}

export interface Connection {
  readonly remoteAddress: string;
  /** Whether the peer answers pings; text clients cannot, TCP keepalive covers them. */
  readonly answersPings: boolean;
  /** Bytes accepted by `send` and not yet taken by the operating system. */
  readonly queuedBytes: number;
  attach(handler: ConnectionHandler): void;
  send(message: ServerMessage): void;
  pauseInput(): void;
  resumeInput(): void;
  /** Sends `last` (if any) after everything queued, then closes; destroys after a grace period. */
  end(last?: ServerMessage): void;
}
