// A Connection in memory, with no bytes and no codec: what the server sends
// reaches a test peer as ServerMessage objects, and the test hands the server
// Inbound messages as a client's would arrive. It keeps the contract every
// connection keeps (test/transport/connection-conformance.ts), so Session,
// rooms and the relay can be tested in-process over it.

import { FILE_CHUNK_BYTES, FRAME_HEADER_BYTES } from "../../src/protocol/frame.js";
import {
  decodeServerMessage,
  encodeServerMessage,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import type { Confirmable } from "../../src/transport/codec.js";
import type {
  Capabilities,
  Connection,
  ConnectionHandler,
  Inbound,
} from "../../src/transport/connection.js";
import { eventually } from "./eventually.js";

export interface MemoryConnectionOptions {
  remoteAddress?: string;
  /** What the peer can do; by default all a native client can. */
  capabilities?: Capabilities;
  closeGraceMs?: number;
  /** Unsent bytes at which the peer counts as behind: it hears `drain` once it has caught up. */
  highWaterMark?: number;
}

/** The test's end of a memory connection. */
export interface MemoryPeer {
  /** What the server sent that the peer has taken, in order. */
  readonly received: readonly ServerMessage[];
  /** Resolves with the first message received, so far or later, that matches. */
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  /** Sends the server `message`; it arrives in a later turn, once input is not paused. */
  send(message: Inbound): void;
  /** Stops taking what the server sends, so that it waits unsent. */
  stopReading(): void;
  startReading(): void;
  /** Closes the connection from this end; the server hears `closed(cause)`. */
  close(cause?: string): void;
  /** Resolves once the connection has closed, from either end. */
  readonly closed: Promise<void>;
}

const NATIVE_CAPABILITIES: Capabilities = { heartbeat: true, files: true, numberedRequests: true };

export class MemoryConnection implements Connection {
  readonly remoteAddress: string;
  readonly capabilities: Capabilities;
  readonly peer: MemoryPeer;
  readonly #closeGraceMs: number;
  readonly #highWaterMark: number;
  readonly #received: ServerMessage[] = [];
  #handler: ConnectionHandler | undefined;
  /** Sent and not yet taken by the peer, with the bytes each would take on the wire. */
  #unsent: { message: ServerMessage; bytes: number }[] = [];
  #unsentBytes = 0;
  #behind = false;
  #reading = true;
  #inbound: Inbound[] = [];
  #inputPaused = false;
  #ending = false;
  #isClosed = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #whenClosed: () => void = () => {};

  constructor(options: MemoryConnectionOptions = {}) {
    this.remoteAddress = options.remoteAddress ?? "memory";
    this.capabilities = options.capabilities ?? NATIVE_CAPABILITIES;
    this.#closeGraceMs = options.closeGraceMs ?? 2000;
    this.#highWaterMark = options.highWaterMark ?? 16 * 1024;
    const closed = new Promise<void>((resolve) => {
      this.#whenClosed = resolve;
    });
    const received = this.#received;
    this.peer = {
      received,
      closed,
      waitFor: (match, timeoutMs) =>
        eventually(() => received.find(match), "a matching message", timeoutMs),
      send: (message) => {
        if (this.#ending || this.#isClosed) return;
        this.#inbound.push(message);
        setImmediate(() => this.#deliverInbound());
      },
      stopReading: () => {
        this.#reading = false;
      },
      startReading: () => {
        this.#reading = true;
        setImmediate(() => this.#deliverOutbound());
      },
      close: (cause = "connection closed") => this.#close(cause),
    };
  }

  get bulkReady(): boolean {
    return !this.#ending && this.#unsentBytes < FILE_CHUNK_BYTES;
  }

  get queuedBytes(): number {
    return this.#unsentBytes;
  }

  /** Set by a test: the peer has begun something and not sent it whole. */
  unfinished = false;

  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
  }

  send(message: ServerMessage): void {
    this.#queue(message, encodeServerMessage(message).length);
  }

  confirm(request: Confirmable): void {
    if (this.capabilities.numberedRequests && request.seq !== 0)
      this.send({ type: "ack", seq: request.seq });
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    const payload = new Uint8Array(header.length - FRAME_HEADER_BYTES + data.length);
    payload.set(header.subarray(FRAME_HEADER_BYTES));
    payload.set(data, header.length - FRAME_HEADER_BYTES);
    const message = decodeServerMessage({ type: header[4] as number, payload });
    this.#queue(message, header.length + data.length);
  }

  pauseInput(): void {
    this.#inputPaused = true;
  }

  resumeInput(): void {
    this.#inputPaused = false;
    setImmediate(() => this.#deliverInbound());
  }

  end(last?: ServerMessage): void {
    if (last !== undefined) this.send(last);
    if (this.#ending || this.#isClosed) return;
    this.#ending = true;
    this.#inbound = [];
    setImmediate(() => this.#deliverOutbound());
    this.#graceTimer = setTimeout(() => this.#close("connection closed"), this.#closeGraceMs);
  }

  #queue(message: ServerMessage, bytes: number): void {
    if (this.#ending || this.#isClosed) return;
    this.#unsent.push({ message, bytes });
    this.#unsentBytes += bytes;
    if (this.#unsentBytes >= this.#highWaterMark) this.#behind = true;
    // One delivery per turn, as the byte-stream connections write once per turn.
    if (this.#unsent.length === 1) setImmediate(() => this.#deliverOutbound());
  }

  #deliverOutbound(): void {
    if (!this.#reading || this.#isClosed) return;
    for (const { message } of this.#unsent) this.#received.push(message);
    this.#unsent = [];
    this.#unsentBytes = 0;
    // The peer is taken to close its end once it has read to the end, as a client does.
    if (this.#ending) this.#close("connection closed");
    else if (this.#behind) {
      this.#behind = false;
      this.#handler?.drain();
    }
  }

  #deliverInbound(): void {
    // One at a time: a handler that pauses input stops the rest where they are.
    while (!this.#inputPaused && !this.#ending && !this.#isClosed && this.#inbound.length > 0) {
      this.#handler?.message(this.#inbound.shift() as Inbound);
    }
  }

  #close(cause: string): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearTimeout(this.#graceTimer);
    this.#unsent = [];
    this.#unsentBytes = 0;
    this.#inbound = [];
    this.#handler?.closed(cause);
    this.#whenClosed();
  }
}
