// One session per connection: admits its requests at the client's rate, hands
// them to their handlers, and bounds what waits to be sent to it.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { ClientMessage, ServerMessage } from "../protocol/messages.js";
import type { Connection, ConnectionHandler } from "../transport/connection.js";
import type { ServerConfig } from "./config.js";
import type { FileRelay } from "./file-relay.js";
import { handlers } from "./handlers.js";
import type { Hub, Member } from "./hub.js";
import { RateLimiter } from "./rate-limiter.js";
import type { FilePeer } from "./transfer.js";

type Input = ClientMessage | ProtocolError;

/** What every session shares. */
export interface ServerContext {
  hub: Hub;
  relay: FileRelay;
  config: ServerConfig;
}

/** Kept off the rate limit once joined: heartbeats, and file traffic, which windows pace instead. */
const UNLIMITED = new Set<ClientMessage["type"]>([
  "ping",
  "pong",
  "file-chunk",
  "file-end",
  "file-window",
  "file-received",
  "file-cancel",
]);

export class Session implements ConnectionHandler, Member, FilePeer {
  readonly hub: Hub;
  readonly relay: FileRelay;
  readonly config: ServerConfig;
  readonly address: string;
  nick = "";
  lastActive = Date.now();
  /** When anything last arrived from the peer, for heartbeats. */
  lastHeard = Date.now();
  /** When the unanswered ping went out; 0 when none is outstanding. */
  pingSentAt = 0;
  readonly #connection: Connection;
  readonly #limiter: RateLimiter;
  readonly #onClosed: (session: Session) => void;
  /** Inputs held back by the rate limit; input is paused, so at most one read's worth. */
  #backlog: Input[] = [];
  #backlogHead = 0;
  #backlogTimer: NodeJS.Timeout | undefined;
  #slowTimer: NodeJS.Timeout | undefined;
  #consecutiveErrors = 0;
  #joined = false;
  #ended = false;

  constructor(
    connection: Connection,
    context: ServerContext,
    onClosed: (session: Session) => void,
  ) {
    this.#connection = connection;
    this.hub = context.hub;
    this.relay = context.relay;
    this.config = context.config;

    this.address = connection.remoteAddress;
    this.#limiter = new RateLimiter(context.config.rateLimit, context.config.rateBurst);
    this.#onClosed = onClosed;
    connection.attach(this);
  }

  get joined(): boolean {
    return this.#joined;
  }

  get framed(): boolean {
    return this.#connection.framed;
  }

  get bulkReady(): boolean {
    return !this.#ended && this.#connection.bulkReady;
  }

  // ConnectionHandler

  message(message: ClientMessage): void {
    this.lastHeard = Date.now();
    // Before hello, heartbeats and file frames queue and pay like anything else.
    if (this.#joined && UNLIMITED.has(message.type)) this.#dispatch(message);
    else this.#admit(message);
  }

  invalid(error: ProtocolError): void {
    this.lastHeard = Date.now();
    if (error.fatal) this.end(error.code, error.message);
    else this.#admit(error);
  }

  drain(): void {
    if (this.#connection.queuedBytes <= this.#slowThreshold) this.#clearSlowTimer();
    this.relay.writable(this);
  }

  closed(cause: string): void {
    this.#ended = true;
    clearTimeout(this.#backlogTimer);
    this.#clearSlowTimer();
    this.relay.detach(this);
    if (this.#joined) this.hub.leave(this, cause);
    this.#onClosed(this);
  }

  // Member

  deliver(message: ServerMessage): void {
    this.send(message);
  }

  // For handlers

  join(wanted: string): void {
    this.hub.join(this, wanted);
    this.#joined = true;
    this.welcome();
  }

  welcome(): void {
    this.send({
      type: "welcome",
      nick: this.nick,
      server: this.config.serverName,
      maxMessageBytes: this.config.maxMessageBytes,
    });
  }

  send(message: ServerMessage): void {
    if (this.#ended) return;
    this.#connection.send(message);
    const queued = this.#connection.queuedBytes;
    if (queued > this.config.sendQueueLimit) {
      this.end(
        ErrorCode.SlowConsumer,
        `stopped reading: ${queued} bytes unsent, over the limit of ${this.config.sendQueueLimit}`,
      );
    } else if (queued > this.#slowThreshold && this.#slowTimer === undefined) {
      this.#slowTimer = setTimeout(() => {
        this.end(
          ErrorCode.SlowConsumer,
          `read too slowly: over ${this.#slowThreshold} bytes unsent for ${this.config.slowConsumerTimeoutMs / 1000} s`,
        );
      }, this.config.slowConsumerTimeoutMs);
    }
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    if (!this.#ended) this.#connection.sendBulk(header, data);
  }

  ack(seq: number): void {
    // Text clients number nothing and wait for nothing.
    if (seq !== 0) this.send({ type: "ack", seq });
  }

  /** Tells the client `error` (if any) about request `seq`; returns whether there was one. */
  refuseIfError(seq: number, error: ProtocolError | undefined): boolean {
    if (error === undefined) return false;
    this.send({ type: "error", seq, code: error.code, message: error.message });
    return true;
  }

  ping(now: number = Date.now()): void {
    this.pingSentAt = now;
    this.send({ type: "ping", token: now >>> 0 });
  }

  end(code: ErrorCode, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#backlogTimer);
    this.#connection.end({ type: "bye", code, reason });
    if (this.#joined) {
      this.#joined = false;
      this.hub.leave(this, reason);
    }
  }

  get #slowThreshold(): number {
    return this.config.sendQueueLimit / 4;
  }

  #admit(input: Input): void {
    if (this.#backlogHead < this.#backlog.length) {
      this.#backlog.push(input);
      return;
    }
    const wait = this.#limiter.take();
    if (wait === 0) {
      this.#handle(input);
      return;
    }
    this.#backlog.push(input);
    this.#connection.pauseInput();
    this.#backlogTimer = setTimeout(() => this.#workBacklog(), wait);
  }

  #workBacklog(): void {
    this.#backlogTimer = undefined;
    while (this.#backlogHead < this.#backlog.length && !this.#ended) {
      const wait = this.#limiter.take();
      if (wait > 0) {
        this.#backlogTimer = setTimeout(() => this.#workBacklog(), wait);
        return;
      }
      // Input is paused by us, so the peer's heartbeats wait unread behind this backlog.
      this.lastHeard = Date.now();
      const input = this.#backlog[this.#backlogHead] as Input;
      this.#backlogHead += 1;
      this.#handle(input);
    }
    this.#backlog = [];
    this.#backlogHead = 0;
    this.#connection.resumeInput();
  }

  #handle(input: Input): void {
    if (this.#ended) return;
    if (input instanceof ProtocolError) {
      this.refuseIfError(0, input);
      // A person mistyping a command is not a garbage flood.
      if (input.code === ErrorCode.UnknownCommand || input.code === ErrorCode.NeedsNativeClient)
        return;
      this.#consecutiveErrors += 1;
      if (this.#consecutiveErrors >= this.config.maxConsecutiveErrors) {
        this.end(
          ErrorCode.TooManyErrors,
          `closed after ${this.#consecutiveErrors} invalid inputs in a row`,
        );
      }
      return;
    }
    this.#consecutiveErrors = 0;
    if (!this.#joined && input.type !== "hello") {
      this.refuseIfError(
        "seq" in input ? input.seq : 0,
        new ProtocolError(ErrorCode.NotJoined, "say hello first"),
      );
      return;
    }
    this.#dispatch(input);
  }

  #dispatch(input: ClientMessage): void {
    const handler = handlers[input.type] as (session: Session, message: ClientMessage) => void;
    try {
      handler(this, input);
    } catch (error) {
      // A bug in one handler costs this client its connection, not everyone theirs.
      console.error(
        `internal error handling ${input.type} from ${this.nick || this.address}:`,
        error,
      );
      this.end(ErrorCode.Internal, "internal server error; please report it");
    }
  }

  #clearSlowTimer(): void {
    clearTimeout(this.#slowTimer);
    this.#slowTimer = undefined;
  }
}
