// A connection over any duplex byte stream (a TCP socket, a TLS one; an
// in-memory pair in tests) that speaks the codec its first bytes call for. A
// peer silent for `fallbackDelayMs` (and what `longerSilence` adds) is given
// the fallback codec (text, for a person at netcat, who waits to be welcomed),
// and may still switch if its first bytes turn out to be another kind's
// preamble; or, where the fallback is a hand-off, it is handed over.

import type { Duplex } from "node:stream";
import { FILE_CHUNK_BYTES } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { Codec, Confirmable } from "./codec.js";
import {
  type CodecFactory,
  type CodecRegistry,
  type HandOff,
  isHandOff,
  Preamble,
} from "./codec-registry.js";
import {
  type Capabilities,
  type Connection,
  type ConnectionHandler,
  NO_CAPABILITIES,
} from "./connection.js";
import { OutboundQueue } from "./outbound-queue.js";

export interface StreamConnectionOptions {
  codecs: CodecRegistry;
  /** How long a silent peer is waited for before it is given the fallback codec, provisionally. */
  fallbackDelayMs: number;
  /** Asked once that wait is over: how much longer to wait (0 or none: no longer). */
  longerSilence?: () => number;
  /** How long a closing connection may take to flush before it is destroyed. */
  closeGraceMs: number;
}

export class StreamConnection implements Connection {
  readonly remoteAddress: string;
  readonly #stream: Duplex;
  readonly #codecs: CodecRegistry;
  readonly #closeGraceMs: number;
  readonly #queue: OutboundQueue;
  #handler: ConnectionHandler | undefined;
  #codec: Codec | undefined;
  /** Set until the peer's bytes have told what they speak; beside a codec, that codec is provisional. */
  #preamble: Preamble | undefined;
  #fallbackTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #closeCause = "connection closed";
  /** Set by `end`, or by the stream's close. */
  #ending = false;
  // What this connection listens to on the stream, kept so that it can let go of it.
  // Views of plain Uint8Array are cheaper to slice than Buffers, per frame.
  readonly #onData = (chunk: Buffer) =>
    this.#received(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  readonly #onDrain = () => this.#handler?.drain();
  readonly #onEnd = () => {
    this.#closeCause = "connection closed";
    this.#stream.end();
  };
  readonly #onError = (error: NodeJS.ErrnoException) => {
    this.#closeCause = error.code ?? error.message;
  };
  readonly #onClose = () => {
    // Closed is past ending: nothing more is sent, and no grace timer is started.
    this.#ending = true;
    clearTimeout(this.#fallbackTimer);
    clearTimeout(this.#graceTimer);
    this.#queue.discard();
    this.#handler?.closed(this.#closeCause);
  };

  constructor(stream: Duplex, remoteAddress: string, options: StreamConnectionOptions) {
    this.#stream = stream;
    this.remoteAddress = remoteAddress;
    this.#codecs = options.codecs;
    this.#closeGraceMs = options.closeGraceMs;
    this.#preamble = new Preamble(options.codecs);
    this.#queue = new OutboundQueue((bytes) => stream.write(bytes));
    stream.on("data", this.#onData);
    stream.on("drain", this.#onDrain);
    stream.on("end", this.#onEnd);
    stream.on("error", this.#onError);
    stream.on("close", this.#onClose);
    this.#fallbackTimer = setTimeout(() => {
      const longer = options.longerSilence?.() ?? 0;
      if (longer > 0) this.#fallbackTimer = setTimeout(() => this.#silent(), longer);
      else this.#silent();
    }, options.fallbackDelayMs);
  }

  get capabilities(): Capabilities {
    return this.#codec?.capabilities ?? NO_CAPABILITIES;
  }

  get bulkReady(): boolean {
    return !this.#ending && this.#stream.writableLength < FILE_CHUNK_BYTES;
  }

  get queuedBytes(): number {
    return this.#queue.bytes + this.#stream.writableLength;
  }

  get unfinished(): boolean {
    return this.#codec?.unfinished ?? false;
  }

  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
  }

  send(message: ServerMessage): void {
    if (this.#ending) return;
    const bytes = this.#codec?.encode(message);
    if (bytes !== undefined) this.#queue.push(bytes);
  }

  confirm(request: Confirmable): void {
    if (this.#ending) return;
    const bytes = this.#codec?.confirm(request);
    if (bytes !== undefined) this.#queue.push(bytes);
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    if (this.#ending) return;
    this.#queue.flush();
    this.#stream.cork();
    this.#stream.write(header);
    this.#stream.write(data);
    this.#stream.uncork();
  }

  pauseInput(): void {
    this.#stream.pause();
  }

  resumeInput(): void {
    if (!this.#ending) this.#stream.resume();
  }

  end(last?: ServerMessage): void {
    if (last !== undefined) this.send(last);
    if (this.#ending) return;
    this.#ending = true;
    clearTimeout(this.#fallbackTimer);
    this.#queue.flush();
    this.#stream.end();
    // Input is read and dropped from here on, so the peer's close is seen at once;
    // a paused stream would only close when the grace period ran out.
    this.#stream.resume();
    this.#graceTimer = setTimeout(() => this.#stream.destroy(), this.#closeGraceMs);
  }

  #received(chunk: Uint8Array): void {
    if (this.#ending || this.#handler === undefined) return;
    if (this.#preamble === undefined) {
      (this.#codec as Codec).decode(chunk, this.#handler);
      return;
    }
    const classified = this.#preamble.push(chunk);
    if (classified === undefined) return;
    this.#preamble = undefined;
    clearTimeout(this.#fallbackTimer);
    const { kind, bytes } = classified;
    // A silent peer greeted as a text client stays one: its first line is chat, whatever it looks like.
    if (isHandOff(kind) && this.#codec === undefined) {
      this.#handOff(kind, bytes);
      return;
    }
    // A silent peer's provisional codec stays if the bytes confirm it: it has greeted already.
    const codec =
      this.#codec !== undefined && (isHandOff(kind) || kind === this.#codecs.fallback)
        ? this.#codec
        : this.#choose(kind as CodecFactory, bytes);
    codec.decode(bytes, this.#handler);
  }

  /** The peer said nothing in time: it gets the fallback, a codec provisionally or a hand-off for good. */
  #silent(): void {
    const fallback = this.#codecs.fallback;
    if (!isHandOff(fallback)) {
      this.#choose(fallback);
      return;
    }
    const held = this.#preamble?.held ?? new Uint8Array(0);
    this.#preamble = undefined;
    this.#handOff(fallback, held);
  }

  /** Lets go of the stream for `to`: from here on it is no chat connection, and the session ends unheard. */
  #handOff(to: HandOff, firstBytes: Uint8Array): void {
    const stream = this.#stream;
    stream.pause();
    stream.off("data", this.#onData);
    stream.off("drain", this.#onDrain);
    stream.off("end", this.#onEnd);
    stream.off("error", this.#onError);
    stream.off("close", this.#onClose);
    this.#ending = true;
    this.#queue.discard();
    this.#handler?.closed("handed over");
    to.take(stream, firstBytes);
  }

  #choose(factory: CodecFactory, firstBytes: Uint8Array = new Uint8Array(0)): Codec {
    const codec = factory.create();
    this.#codec = codec;
    if (this.#handler !== undefined) {
      const greeting = codec.open(this.#handler, firstBytes);
      if (greeting !== undefined) this.#queue.push(greeting);
    }
    return codec;
  }
}
