// One session per connection: admits its requests at the client's rate, hands
// them to their handlers strictly in order (one that waits for the store or the
// disk holds the rest, and the connection's input, until it is done), and
// bounds what waits to be sent to it.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { heartbeatStep } from "../protocol/heartbeat-rule.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { Confirmable } from "../transport/codec.js";
import type { Connection, ConnectionHandler, Inbound } from "../transport/connection.js";
import { handlers } from "./handlers.js";
import { depart } from "./presence.js";
import { RateLimiter } from "./rate-limiter.js";
import type { Requester, ServerContext } from "./requester.js";
import type { Room } from "./rooms.js";

type Input = Inbound | ProtocolError;

/**
 * Chat lines wait for the store, and lines that follow one another are stored
 * together: one may be handled while the line before it is still being stored.
 */
const LINES = new Set<Inbound["type"]>(["say", "action", "private"]);

/** Kept off the queue once joined: heartbeats, and file traffic, which windows pace instead. */
const UNQUEUED = new Set<Inbound["type"]>([
  "ping",
  "pong",
  "file-chunk",
  "file-end",
  "file-window",
  "file-received",
  "file-cancel",
]);

export class Session implements ConnectionHandler, Requester {
  readonly address: string;
  nick = "";
  lastActive = Date.now();
  typingInto: Room<Requester> | undefined;
  historyLimit: number;
  readonly shownFrom = new Map<string, number>();
  readonly #context: ServerContext;
  /** When anything last arrived from the peer, for heartbeats. */
  #lastHeard = Date.now();
  /** When the last ping went out; 0 before the first (see heartbeat-rule.ts). */
  #pingSentAt = 0;
  /** Inputs arrived so far: a line or frame unfinished across two counts is the same one. */
  #inputs = 0;
  /** Since when the peer has left something unfinished, and how many inputs had come then. */
  #unfinished: { since: number; inputs: number } | undefined;
  readonly #connection: Connection;
  readonly #limiter: RateLimiter;
  readonly #onClosed: (session: Session) => void;
  /**
   * Inputs waiting their turn, behind the rate limit or a handler still at work;
   * input is paused while any wait, so they are at most one read's worth.
   */
  #queue: Input[] = [];
  #queueHead = 0;
  /** The queue is waiting: for a rate token, or for a handler to finish. */
  #stalled = false;
  /** The last chat line still being stored, which a following line need not wait for. */
  #storing: Promise<void> | undefined;
  #tokenTimer: NodeJS.Timeout | undefined;
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
    this.#context = context;
    this.historyLimit = context.config.history;
    this.address = connection.remoteAddress;
    this.#limiter = new RateLimiter(context.config.rateLimit, context.config.rateBurst);
    this.#onClosed = onClosed;
    connection.attach(this);
  }

  get joined(): boolean {
    return this.#joined;
  }

  get capabilities(): Connection["capabilities"] {
    return this.#connection.capabilities;
  }

  get bulkReady(): boolean {
    return !this.#ended && this.#connection.bulkReady;
  }

  // ConnectionHandler

  message(message: Inbound): void {
    this.#lastHeard = Date.now();
    this.#inputs += 1;
    // Before hello, heartbeats and file frames queue and pay like anything else.
    if (this.#joined && UNQUEUED.has(message.type)) void this.#dispatch(message);
    else this.#enqueue(message);
  }

  invalid(error: ProtocolError): void {
    this.#lastHeard = Date.now();
    this.#inputs += 1;
    if (error.fatal) this.end(error.code, error.message);
    else this.#enqueue(error);
  }

  drain(): void {
    if (this.#connection.queuedBytes <= this.#slowThreshold) this.#clearSlowTimer();
    this.#context.relay.writable(this);
  }

  closed(cause: string): void {
    this.#ended = true;
    clearTimeout(this.#tokenTimer);
    this.#clearSlowTimer();
    this.#context.relay.detach(this);
    this.#depart(cause);
    this.#onClosed(this);
  }

  // Member

  deliver(message: ServerMessage): void {
    this.send(message);
  }

  // Requester

  admitted(): void {
    this.#joined = true;
  }

  send(message: ServerMessage): void {
    if (this.#ended) return;
    this.#connection.send(message);
    this.#checkQueue();
  }

  /** `request` is done: the client hears so as its kind expects (an ack, or an echoed line). */
  confirm(request: Confirmable): void {
    if (this.#ended) return;
    this.#connection.confirm(request);
    this.#checkQueue();
  }

  /** A client that does not read its messages is let go before they pile up. */
  #checkQueue(): void {
    const queued = this.#connection.queuedBytes;
    const { sendQueueLimit, slowConsumerTimeoutMs } = this.#context.config;
    if (queued > sendQueueLimit) {
      this.end(
        ErrorCode.SlowConsumer,
        `stopped reading: ${queued} bytes unsent, over the limit of ${sendQueueLimit}`,
      );
    } else if (queued > this.#slowThreshold && this.#slowTimer === undefined) {
      this.#slowTimer = setTimeout(() => {
        this.end(
          ErrorCode.SlowConsumer,
          `read too slowly: over ${this.#slowThreshold} bytes unsent for ${slowConsumerTimeoutMs / 1000} s`,
        );
      }, slowConsumerTimeoutMs);
    }
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    if (!this.#ended) this.#connection.sendBulk(header, data);
  }

  /** Tells the client `error` (if any) about request `seq`; returns whether there was one. */
  refuseIfError(seq: number, error: ProtocolError | undefined): boolean {
    if (error === undefined) return false;
    this.send({ type: "error", seq, code: error.code, message: error.message });
    return true;
  }

  /**
   * One heartbeat tick (the server's timer calls it every half interval):
   * pings a peer gone quiet, and drops one that left a ping unanswered for a
   * whole interval. Only peers that answer pings are pinged.
   */
  heartbeat(now: number, intervalMs: number): void {
    if (this.#overInputDeadline(now)) return;
    if (!this.capabilities.heartbeat) return;
    const heard = { lastHeard: this.#lastHeard, pingSentAt: this.#pingSentAt };
    const step = heartbeatStep(heard, now, intervalMs);
    if (step === "ping") {
      this.#pingSentAt = now;
      this.send({ type: "ping", token: now >>> 0 });
    } else if (step === "dead") {
      this.end(
        ErrorCode.PingTimeout,
        `ping timeout: nothing heard for ${Math.round((now - this.#lastHeard) / 1000)} s`,
      );
    }
  }

  /**
   * A peer that drips a line or frame, never finishing it, holds a slot and its
   * bytes for good: past the deadline it is let go. Ends it and says so.
   */
  #overInputDeadline(now: number): boolean {
    if (!this.#connection.unfinished) {
      this.#unfinished = undefined;
      return false;
    }
    const begun = this.#unfinished;
    if (begun === undefined || begun.inputs !== this.#inputs) {
      this.#unfinished = { since: now, inputs: this.#inputs };
      return false;
    }
    const { inputDeadlineMs } = this.#context.config;
    if (now - begun.since < inputDeadlineMs) return false;
    this.end(
      ErrorCode.InputTimeout,
      `too slow: a line or frame begun over ${inputDeadlineMs / 1000} s ago is still not whole`,
    );
    return true;
  }

  end(code: ErrorCode, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#tokenTimer);
    this.#connection.end({ type: "bye", code, reason });
    this.#depart(reason);
  }

  #depart(reason: string): void {
    if (!this.#joined) return;
    this.#joined = false;
    depart(this.#context, this, reason);
  }

  get #slowThreshold(): number {
    return this.#context.config.sendQueueLimit / 4;
  }

  #enqueue(input: Input): void {
    if (this.#stalled || this.#queueHead < this.#queue.length || this.#mustWaitForStore(input)) {
      this.#queue.push(input);
      return;
    }
    // Nothing is waiting, the usual case: no queue to keep unless this input must wait.
    const wait = costsToken(input) ? this.#limiter.take() : 0;
    if (wait > 0) {
      this.#queue.push(input);
      this.#waitForToken(wait);
      return;
    }
    this.#start(input);
  }

  /** Handles queued inputs in order until one must wait: for a rate token, a handler, or the store. */
  #work(): void {
    while (this.#queueHead < this.#queue.length && !this.#ended) {
      const input = this.#queue[this.#queueHead] as Input;
      if (this.#mustWaitForStore(input)) return;
      const wait = costsToken(input) ? this.#limiter.take() : 0;
      if (wait > 0) {
        this.#waitForToken(wait);
        return;
      }
      this.#queueHead += 1;
      this.#start(input);
      if (this.#stalled) return;
    }
    this.#queue = [];
    this.#queueHead = 0;
    // Input stays paused while lines are being stored; their commit carries on from here.
    if (this.#storing === undefined) this.#connection.resumeInput();
  }

  /** Anything but another line waits until the lines before it are stored. */
  #mustWaitForStore(input: Input): boolean {
    return this.#storing !== undefined && !isLine(input);
  }

  #start(input: Input): void {
    const working = this.#handle(input);
    if (working === undefined) return;
    if (!isLine(input)) {
      this.#waitForHandler(working);
      return;
    }
    // The rest of this read may hold more lines: they are stored with this one.
    this.#storing = working;
    this.#connection.pauseInput();
    const stored = () => {
      if (this.#storing !== working) return;
      this.#storing = undefined;
      this.#lastHeard = Date.now();
      if (!this.#stalled) this.#work();
    };
    working.then(stored, stored);
  }

  #waitForToken(ms: number): void {
    this.#stalled = true;
    this.#connection.pauseInput();
    this.#tokenTimer = setTimeout(() => this.#resume(), ms);
  }

  #waitForHandler(working: Promise<void>): void {
    this.#stalled = true;
    this.#connection.pauseInput();
    working.then(
      () => this.#resume(),
      () => this.#resume(),
    );
  }

  #resume(): void {
    this.#stalled = false;
    this.#tokenTimer = undefined;
    // Input was paused by us, so the peer's heartbeats wait unread behind the queue.
    this.#lastHeard = Date.now();
    this.#work();
  }

  #handle(input: Input): Promise<void> | undefined {
    if (this.#ended) return undefined;
    if (input instanceof ProtocolError) {
      this.refuseIfError(0, input);
      // A person mistyping a command is not a garbage flood.
      if (input.code === ErrorCode.UnknownCommand || input.code === ErrorCode.NeedsNativeClient)
        return undefined;
      this.#consecutiveErrors += 1;
      if (this.#consecutiveErrors >= this.#context.config.maxConsecutiveErrors) {
        this.end(
          ErrorCode.TooManyErrors,
          `closed after ${this.#consecutiveErrors} invalid inputs in a row`,
        );
      }
      return undefined;
    }
    this.#consecutiveErrors = 0;
    if (!this.#joined && input.type !== "hello") {
      this.refuseIfError(
        "seq" in input ? input.seq : 0,
        new ProtocolError(ErrorCode.NotJoined, "say hello first"),
      );
      return undefined;
    }
    return this.#dispatch(input);
  }

  /** Runs the input's handler; a promise when the handler is still at work. */
  #dispatch(input: Inbound): Promise<void> | undefined {
    const handler = handlers[input.type] as (
      context: ServerContext,
      client: Requester,
      message: Inbound,
    ) => Promise<void> | undefined;
    try {
      return handler(this.#context, this, input)?.catch((error: unknown) =>
        this.#failed(input, error),
      );
    } catch (error) {
      this.#failed(input, error);
      return undefined;
    }
  }

  /** A bug in one handler costs this client its connection, not everyone theirs. */
  #failed(input: Inbound, error: unknown): void {
    console.error(
      `internal error handling ${input.type} from ${this.nick || this.address}:`,
      error,
    );
    this.end(ErrorCode.Internal, "internal server error; please report it");
  }

  #clearSlowTimer(): void {
    clearTimeout(this.#slowTimer);
    this.#slowTimer = undefined;
  }
}

function isLine(input: Input): boolean {
  return !(input instanceof ProtocolError) && LINES.has(input.type);
}

/** Every input pays a rate token but the bytes of a file upload, which are no requests. */
function costsToken(input: Input): boolean {
  return (
    input instanceof ProtocolError || (input.type !== "legacy-data" && input.type !== "legacy-end")
  );
}
