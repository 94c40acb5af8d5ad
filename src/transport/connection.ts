// The one interface every transport (TCP native, TCP text, WebSocket) offers
// the server: typed messages in, typed messages out, flow control, close.

import type { ProtocolError } from "../protocol/errors.js";
import type { LegacyUpload } from "../protocol/legacy-upload.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import type { Confirmable } from "./codec.js";

/** What a connection hands the server: requests, and the original client's uploads on text ones. */
export type Inbound = ClientMessage | LegacyUpload;

/**
 * What the peer at the other end can do. Each is asked where it matters, so a
 * new kind of peer (a browser, an IRC client) says what it does, not which
 * protocol it speaks.
 */
export interface Capabilities {
  /** It answers pings, so it can be pinged and dropped when it does not answer; else TCP keepalive covers it. */
  readonly heartbeat: boolean;
  /** It can take file frames (offers to fetch, chunks, ends), and so be sent files. */
  readonly files: boolean;
  /** It numbers its requests and waits for an ack naming each; else a request's seq is 0. */
  readonly numberedRequests: boolean;
}

/** A peer whose protocol is not known yet can do none of it. */
export const NO_CAPABILITIES: Capabilities = {
  heartbeat: false,
  files: false,
  numberedRequests: false,
};

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
  /** What the peer can do: none until its protocol is known; more if a provisional one is upgraded. */
  readonly capabilities: Capabilities;
  /** A bulk chunk sent now would wait behind at most one other. */
  readonly bulkReady: boolean;
  /** Bytes accepted by `send` and not yet taken by the operating system. */
  readonly queuedBytes: number;
  /** The peer has begun a line, frame or handshake and not yet sent it whole. */
  readonly unfinished: boolean;
  attach(handler: ConnectionHandler): void;
  send(message: ServerMessage): void;
  /** Tells the peer that its `request` was done, as its kind of client expects. */
  confirm(request: Confirmable): void;
  /** Sends a frame header and its data after everything queued, without copying them together. */
  sendBulk(header: Uint8Array, data: Uint8Array): void;
  pauseInput(): void;
  resumeInput(): void;
  /** Sends `last` (if any) after everything queued, then closes; destroys after a grace period. */
  end(last?: ServerMessage): void;
}
