// The one interface every transport (TCP native, TCP text, WebSocket) offers
// the server: typed messages in, typed messages out, flow control, close.

import type { ProtocolError } from "../protocol/errors.js";
import type { LegacyUpload } from "../protocol/legacy-upload.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import type { Confirmable } from "./codec.js";

/** What a connection hands the server: requests, and the original client's uploads on text ones. */
export type Inbound = ClientMessage | LegacyUpload;

export interface ConnectionHandler {
  message(message: Inbound): void;
  /** Input that could not be understood; `error.fatal` means the stream is beyond repair. */
  invalid(error: ProtocolError): void;
  /** Everything queued so far has been handed to the operating system. */
  drain(): void;
  closed(cause: string): void;
}

export interface Connection {
  readonly remoteAddress: string;
  /**
   * Whether the peer speaks the framed protocol: it answers pings and can take
   * file data. Text clients do neither; TCP keepalive covers them.
   */
  readonly framed: boolean;
  /** A bulk chunk sent now would wait behind at most one other. */
  readonly bulkReady: boolean;
  /** Bytes accepted by `send` and not yet taken by the operating system. */
  readonly queuedBytes: number;
  attach(handler: ConnectionHandler): void;
  send(message: ServerMessage): void;
  /** Tells the peer that `request` from `nick` was done, as its kind of client expects. */
  confirm(request: Confirmable, nick: string): void;
  /** Sends a frame header and its data after everything queued, without copying them together. */
  sendBulk(header: Uint8Array, data: Uint8Array): void;
  pauseInput(): void;
  resumeInput(): void;
  /** Sends `last` (if any) after everything queued, then closes; destroys after a grace period. */
  end(last?: ServerMessage): void;
}
