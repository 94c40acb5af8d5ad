// The client core shared by the terminal client, the browser client and the
// benchmarks: handshake, numbered requests confirmed by the server, events,
// heartbeats and reconnection. It knows nothing of sockets or terminals.

import { EventEmitter } from "eventemitter3";
import { concatBytes, indexOfBytes } from "../protocol/bytes.js";
import type { Command } from "../protocol/commands.js";
import { ErrorCode, ProtocolError, RemoteError } from "../protocol/errors.js";
import {
  FILE_CHUNK_BYTES,
  type Frame,
  handshakeBytes,
  MAGIC,
  PROTOCOL_VERSION,
  versionSpoken,
} from "../protocol/frame.js";
import { FrameDecoder } from "../protocol/frame-decoder.js";
import { heartbeatStep, type PeerHeard } from "../protocol/heartbeat-rule.js";
import {
  type ClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  HEARTBEAT_MS,
  type ServerMessage,
} from "../protocol/messages.js";
import { FlushTurn, WriteBatcher } from "../protocol/write-batcher.js";
import type { ByteStream, Dial } from "./byte-stream.js";
import { Downloads } from "./downloads.js";
import type { FileSource, FileSupport, TransferEvent, TransferPort } from "./files.js";
import { type OutgoingFile, Uploads } from "./uploads.js";

export type { OutgoingFile } from "./uploads.js";

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ChatClientOptions {
  dial: Dial;
  nick: string;
  /** Name and version, sent in the hello. */
  clientName: string;
  /** Lines of each room to be replayed on joining it; absent, the server's default. */
  history?: number;
  /** Reconnect after a lost connection; without it a loss is final. */
  reconnect?: ReconnectPolicy;
  /** Silence after which the server is pinged; a ping unanswered as long again and it is taken for dead. */
  heartbeatMs?: number;
  /** Hashing and storage for files; without them the client sends none and declines all. */
  files?: FileSupport;
}

export type Welcome = Extract<ServerMessage, { type: "welcome" }>;

export interface Disconnect {
  reason: string;
  /** When the client will try again; undefined when it will not. */
  retryInMs: number | undefined;
}

interface ChatClientEvents {
  /** Everything the server says except acks and heartbeats. */
  server: (message: ServerMessage) => void;
  /** The server accepted `command`; emitted in order with `server` events. */
  confirmed: (command: Command) => void;
  disconnected: (disconnect: Disconnect) => void;
  transfer: (event: TransferEvent) => void;
}

interface Pending {
  /** The chat command behind the request, for the `confirmed` event. */
  command: Command | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Text before the magic (a server that took us for a text client) is skipped up to this. */
const MAX_PREAMBLE_BYTES = 64 * 1024;
/**
 * How often a stream that cannot say when it has drained is looked at while an
 * upload waits for room: a chunk per look is some 50 MB/s.
 */
const WRITABLE_POLL_MS = 5;
/**
 * What such a stream may hold before an upload waits: enough for the network
 * to take while the poll sleeps (a browser wakes it no sooner than every 4 ms).
 */
const POLLED_BULK_BYTES = 4 * FILE_CHUNK_BYTES;
/**
 * Requests made in one turn leave in one write, for every client in the process.
 * A browser's queueMicrotask throws "Illegal invocation" unless called on the
 * global, and FlushTurn calls its defer as a method of its own: hence the arrow.
 */
const turn = new FlushTurn((callback) => queueMicrotask(callback));

export class ChatClient extends EventEmitter<ChatClientEvents> {
  readonly #options: ChatClientOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #settledWaiters: (() => void)[] = [];
  #stream: ByteStream | undefined;
  #decoder = new FrameDecoder();
  /** Bytes received before the server's handshake was complete; undefined once it was. */
  #preamble: Uint8Array | undefined;
  readonly #outbox = new WriteBatcher((bytes) => this.#stream?.write(bytes), { turn });
  #nick: string;
  #nextSeq = 1;
  #joining: { resolve: (welcome: Welcome) => void; reject: (error: Error) => void } | undefined;
  readonly #heard: PeerHeard = { lastHeard: 0, pingSentAt: 0 };
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #writablePoll: ReturnType<typeof setTimeout> | undefined;
  #retryDelayMs = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastBye: string | undefined;
  #closedByUser = false;
  readonly #uploads: Uploads;
  readonly #downloads: Downloads;
  /** Transfer ids the server gave to offers, by the offer's sequence number. */
  readonly #acceptedIds = new Map<number, number>();

  constructor(options: ChatClientOptions) {
    super();
    this.#options = options;
    this.#nick = options.nick;
    const port: TransferPort = {
      enqueue: (message) => this.#enqueue(message),
      writeBulk: (header, data) => {
        this.#outbox.flush();
        this.#stream?.write(header);
        this.#stream?.write(data);
      },
      bulkReady: () => {
        const stream = this.#stream;
        if (stream === undefined || this.#preamble !== undefined) return false;
        const polled = stream.onDrain === undefined;
        if (stream.bufferedBytes < (polled ? POLLED_BULK_BYTES : FILE_CHUNK_BYTES)) return true;
        if (polled) this.#pollWritable();
        return false;
      },
    };
    const emit = (event: TransferEvent) => this.emit("transfer", event);
    this.#uploads = new Uploads(port, emit);
    this.#downloads = new Downloads(port, options.files ?? { hasher: noHasher }, emit);
  }

  /** The nickname the server last confirmed (or the one asked for, before that). */
  get nick(): string {
    return this.#nick;
  }

  /** Requests sent and not yet confirmed or refused. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Connects and joins; rejects with a reason when the server cannot be reached. */
  async connect(): Promise<Welcome> {
    this.#closedByUser = false;
    let stream: ByteStream;
    try {
      stream = await this.#options.dial();
    } catch (cause) {
      throw new ProtocolError(ErrorCode.ConnectFailed, dialProblem(cause), { cause });
    }
    return this.#open(stream);
  }

  /** Sends a command; resolves when the server confirms it, rejects when it refuses. */
  send(command: Command): Promise<void> {
    return this.#request((seq) => ({ ...command, seq }), command);
  }

  /**
   * Offers a file to everyone; resolves once the server accepts it, rejects if
   * it refuses. Beyond the server's MAX_UPLOADS_PER_CLIENT under way, the file
   * waits until one of them is through (an `upload-queued` event says so).
   * Aborting `signal` cancels it, whether it waits, is offered or is being
   * sent; a string reason is told to its receivers.
   */
  async sendFile(source: FileSource, signal?: AbortSignal): Promise<OutgoingFile> {
    const files = this.#options.files;
    if (files === undefined) {
      await source.close();
      throw new ProtocolError(ErrorCode.NeedsNativeClient, "this client cannot send files");
    }
    return this.#uploads.send(source, files.hasher(), (offered) => this.#offer(offered), signal);
  }

  /** Downloads shared file `id`, resuming an interrupted earlier download of it. */
  async getFile(id: number): Promise<void> {
    const offset = await this.#downloads.resumeOffset(id);
    await this.#request((seq) => ({ type: "file-get", seq, id, offset }));
  }

  /**
   * Downloads the newest shared file called `name` in the room typed into;
   * resolves with its id once the server has offered it (it offers the file
   * before it confirms the request). A download by name starts from the
   * beginning: resuming one takes its id.
   */
  async getFileNamed(name: string): Promise<number> {
    let id: number | undefined;
    const offered = (message: ServerMessage) => {
      if (message.type === "file-offered" && message.requested && message.name === name)
        id ??= message.id;
    };
    this.on("server", offered);
    try {
      await this.#request((seq) => ({ type: "file-get", seq, id: 0, offset: 0, name }));
    } finally {
      this.off("server", offered);
    }
    if (id === undefined) {
      throw new ProtocolError(ErrorCode.NoSuchFile, `the server offered no file called ${name}`);
    }
    return id;
  }

  /** Stops sending file `id` (or the only file being sent); false if there is no such upload. */
  cancelFile(id: number | undefined, reason = ""): boolean {
    const ids = this.#uploads.ids;
    const target = id ?? (ids.length === 1 ? ids[0] : undefined);
    return target !== undefined && this.#uploads.cancel(target, reason);
  }

  /**
   * Cancels every file this client is sending or is still to offer, saying
   * `reason` to the receivers; returns their names. A file whose bytes are all
   * sent goes on to its receivers.
   */
  cancelUploads(reason = ""): string[] {
    return this.#uploads.cancelAll(reason);
  }

  /**
   * Declines every file being received, saying `reason` to the server, and
   * deletes what arrived; each ends in a `download-cancelled` event.
   */
  cancelDownloads(reason = ""): void {
    this.#downloads.cancelAll(reason);
  }

  /** Ids of the files this client is sending now. */
  get uploadIds(): number[] {
    return this.#uploads.ids;
  }

  /** Resolves once every request sent so far has been confirmed or refused. */
  settled(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Closes the connection once what is queued has gone; resolves once it is closed. */
  close(): Promise<void> {
    this.#closedByUser = true;
    clearTimeout(this.#retryTimer);
    if (this.#stream === undefined) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.once("disconnected", () => resolve()));
    this.#outbox.flush();
    this.#stream.close();
    return closed;
  }

  /** Offers `source`; resolves with the transfer id the server gave it. */
  async #offer(source: FileSource): Promise<number> {
    let offerSeq = 0;
    await this.#request((seq) => {
      offerSeq = seq;
      return { type: "file-offer", seq, name: source.name, size: source.size };
    });
    const id = this.#acceptedIds.get(offerSeq) as number;
    this.#acceptedIds.delete(offerSeq);
    return id;
  }

  #open(stream: ByteStream): Promise<Welcome> {
    this.#stream = stream;
    this.#decoder = new FrameDecoder({ allocate: stream.allocate });
    this.#preamble = new Uint8Array(0);
    this.#lastBye = undefined;
    this.#heard.lastHeard = Date.now();
    this.#heard.pingSentAt = 0;
    const welcome = new Promise<Welcome>((resolve, reject) => {
      this.#joining = { resolve, reject };
    });
    stream.listen({
      data: (bytes) => this.#received(bytes),
      close: (reason) => this.#lost(stream, this.#lastBye ?? reason),
    });
    stream.onDrain?.(() => this.#uploads.writable());
    this.#outbox.push(handshakeBytes());
    const { clientName, history } = this.#options;
    this.#enqueue({
      type: "hello",
      nick: this.#nick,
      client: clientName,
      ...(history === undefined ? {} : { history }),
    });
    this.#startHeartbeat();
    return welcome;
  }

  #received(bytes: Uint8Array): void {
    this.#heard.lastHeard = Date.now();
    let rest = bytes;
    if (this.#preamble !== undefined) {
      const seen = concatBytes([this.#preamble, bytes]);
      const at = indexOfBytes(seen, MAGIC);
      if (at < 0 || seen.length < at + MAGIC.length + 1) {
        this.#preamble = seen;
        if (seen.length > MAX_PREAMBLE_BYTES)
          this.#fail(ErrorCode.NotSockchat, "the server does not speak sockchat");
        return;
      }
      const version = seen[at + MAGIC.length];
      if (!versionSpoken(version)) {
        this.#fail(
          ErrorCode.UnsupportedVersion,
          `the server speaks protocol version ${version}, not 1 to ${PROTOCOL_VERSION}`,
        );
        return;
      }
      this.#preamble = undefined;
      rest = seen.subarray(at + MAGIC.length + 1);
    }
    try {
      this.#decoder.push(rest, (frame) => {
        const message = decodeOrSkip(frame);
        if (message !== undefined) this.#handle(message);
      });
    } catch (error) {
      this.#fail(ErrorCode.Malformed, `the server sent something unreadable: ${describe(error)}`);
    }
  }

  #handle(message: ServerMessage): void {
    // Chat lines, most of what a client hears, concern no transfer.
    if (message.type === "message") {
      this.emit("server", message);
      return;
    }
    if (this.#uploads.handle(message) || this.#downloads.handle(message)) return;
    switch (message.type) {
      case "file-accepted":
        this.#acceptedIds.set(message.seq, message.id);
        return;
      case "ack":
        this.#settle(message.seq, (p) => {
          if (p.command !== undefined) this.emit("confirmed", p.command);
          p.resolve();
        });
        return;
      case "error": {
        const refusal = new RemoteError(message.code, message.message);
        if (!this.#settle(message.seq, (p) => p.reject(refusal))) this.emit("server", message);
        return;
      }
      case "ping":
        this.#enqueue({ type: "pong", token: message.token });
        return;
      case "pong":
        return;
      case "welcome":
        this.#nick = message.nick;
        this.#retryDelayMs = 0;
        this.#joining?.resolve(message);
        this.#joining = undefined;
        break;
      case "renamed":
        if (message.from === this.#nick) this.#nick = message.to;
        break;
      case "bye":
        this.#lastBye = message.reason;
        break;
    }
    this.emit("server", message);
  }

  /** Settles request `seq` (false if unknown), before waking those waiting for all. */
  #settle(seq: number, outcome: (pending: Pending) => void): boolean {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return false;
    this.#pending.delete(seq);
    outcome(pending);
    if (this.#pending.size === 0) {
      for (const resolve of this.#settledWaiters.splice(0)) resolve();
    }
    return true;
  }

  #request(build: (seq: number) => ClientMessage, command?: Command): Promise<void> {
    if (this.#stream === undefined || this.#preamble !== undefined) {
      return Promise.reject(new ProtocolError(ErrorCode.ConnectionLost, "not connected"));
    }
    const seq = this.#nextSeq;
    this.#nextSeq = seq >= 0xffffffff ? 1 : seq + 1;
    this.#enqueue(build(seq));
    return new Promise((resolve, reject) => this.#pending.set(seq, { command, resolve, reject }));
  }

  #enqueue(message: ClientMessage): void {
    this.#outbox.push(encodeClientMessage(message));
  }

  /** Wakes the uploads once the stream, which cannot say when it has drained, has room. */
  #pollWritable(): void {
    if (this.#writablePoll !== undefined) return;
    this.#writablePoll = setTimeout(() => {
      this.#writablePoll = undefined;
      this.#uploads.writable();
    }, WRITABLE_POLL_MS);
  }

  #startHeartbeat(): void {
    const interval = this.#options.heartbeatMs ?? HEARTBEAT_MS;
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      const step = heartbeatStep(this.#heard, now, interval);
      if (step === "ping") {
        this.#heard.pingSentAt = now;
        this.#enqueue({ type: "ping", token: now >>> 0 });
      } else if (step === "dead") {
        const silentMs = now - this.#heard.lastHeard;
        this.#fail(
          ErrorCode.PingTimeout,
          `no word from the server for ${Math.round(silentMs / 1000)} s`,
        );
      }
    }, interval / 2);
  }

  #fail(code: ErrorCode, message: string): void {
    this.#lastBye = `${message} (${code})`;
    this.#stream?.close();
  }

  #lost(stream: ByteStream, reason: string): void {
    if (stream !== this.#stream) return;
    this.#stream = undefined;
    this.#outbox.discard();
    clearInterval(this.#heartbeat);
    clearTimeout(this.#writablePoll);
    this.#writablePoll = undefined;
    const lost = new ProtocolError(
      ErrorCode.ConnectionLost,
      `connection lost before the server confirmed: ${reason}`,
    );
    for (const seq of [...this.#pending.keys()]) this.#settle(seq, (p) => p.reject(lost));
    this.#uploads.lost(reason);
    this.#downloads.lost();
    const joining = this.#joining;
    this.#joining = undefined;
    if (joining !== undefined) {
      joining.reject(new ProtocolError(ErrorCode.ConnectFailed, `cannot join: ${reason}`));
    }
    this.#scheduleRetry(reason);
  }

  #scheduleRetry(reason: string): void {
    const policy = this.#options.reconnect;
    if (this.#closedByUser || policy === undefined) {
      this.emit("disconnected", { reason, retryInMs: undefined });
      return;
    }
    this.#retryDelayMs = Math.min(
      policy.maxDelayMs,
      Math.max(policy.initialDelayMs, this.#retryDelayMs * 2),
    );
    this.emit("disconnected", { reason, retryInMs: this.#retryDelayMs });
    this.#retryTimer = setTimeout(() => this.#retry(), this.#retryDelayMs);
  }

  async #retry(): Promise<void> {
    let stream: ByteStream;
    try {
      stream = await this.#options.dial();
    } catch (error) {
      this.#scheduleRetry(dialProblem(error));
      return;
    }
    if (this.#closedByUser) stream.close();
    // A failed rejoin is reported through "disconnected" and retried from there.
    else this.#open(stream).catch(() => {});
  }
}

/** Frame types from a newer server are skipped; anything else unreadable is fatal. */
function decodeOrSkip(frame: Frame): ServerMessage | undefined {
  try {
    return decodeServerMessage(frame);
  } catch (error) {
    if (error instanceof ProtocolError && error.code === ErrorCode.UnknownFrame) return undefined;
    throw error;
  }
}

function noHasher(): never {
  throw new Error("no file support configured");
}

/** A dial says where it tried and why it failed (see Dial); anything else thrown is passed on as it reads. */
function dialProblem(error: unknown): string {
  return error instanceof Error ? error.message : `cannot connect: ${String(error)}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as { code?: string }).code ?? error.message;
  return String(error);
}
