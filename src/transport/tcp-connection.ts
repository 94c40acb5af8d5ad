// A TCP connection that speaks either the native protocol or text lines. The
// first bytes decide; a peer silent for `textWelcomeDelayMs` is taken for a text
// client and welcomed, and may still upgrade if its first bytes are the magic.

import type { Socket } from "node:net";
import { FILE_CHUNK_BYTES, sniff } from "../protocol/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { Codec, Confirmable } from "./codec.js";
import type { Connection, ConnectionHandler } from "./connection.js";
import { NativeCodec } from "./native-codec.js";
import { OutboundQueue } from "./outbound-queue.js";
import { TextCodec } from "./text-codec.js";

export interface TcpConnectionOptions {
  maxLineBytes: number;
  textWelcomeDelayMs: number;
  /** How long a closing connection may take to flush before it is destroyed. */
  closeGraceMs: number;
  keepAliveMs: number;
}

export class TcpConnection implements Connection {
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #options: TcpConnectionOptions;
  readonly #queue: OutboundQueue;
  #handler: ConnectionHandler | undefined;
  #codec: Codec | undefined;
  /** True while the codec was chosen by silence rather than by the peer's bytes. */
  #provisional = false;
  #firstBytes = new Uint8Array(0);
  #sniffTimer: NodeJS.Timeout | undefined;
  #closeCause = "connection closed";
  #ending = false;

  constructor(socket: Socket, options: TcpConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.remoteAddress = socket.remoteAddress ?? "unknown";
    this.#queue = new OutboundQueue((bytes) => socket.write(bytes));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, options.keepAliveMs);
    // Views of plain Uint8Array are cheaper to slice than Buffers, per frame.
    socket.on("data", (chunk: Buffer) =>
      this.#received(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    socket.on("drain", () => this.#handler?.drain());
    socket.on("end", () => {
      this.#closeCause = "connection closed";
      socket.end();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      this.#closeCause = error.code ?? error.message;
    });
    socket.on("close", () => {
      clearTimeout(this.#sniffTimer);
      this.#queue.discard();
      this.#handler?.closed(this.#closeCause);
    });
    this.#sniffTimer = setTimeout(() => {
      this.#provisional = true;
      this.#choose(new TextCodec(options.maxLineBytes));
    }, options.textWelcomeDelayMs);
  }

  get framed(): boolean {
    return this.#codec?.framed ?? false;
  }

  get bulkReady(): boolean {
    return !this.#ending && this.#socket.writableLength < FILE_CHUNK_BYTES;
  }

  get queuedBytes(): number {
    return this.#queue.bytes + this.#socket.writableLength;
  }

  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
  }

  send(message: ServerMessage): void {
    if (this.#ending) return;
    const bytes = this.#codec?.encode(message);
    if (bytes !== undefined) this.#queue.push(bytes);
  }

  confirm(request: Confirmable, nick: string): void {
    if (this.#ending) return;
    const bytes = this.#codec?.confirm(request, nick);
    if (bytes !== undefined) this.#queue.push(bytes);
  }

  sendBulk(header: Uint8Array, data: Uint8Array): void {
    if (this.#ending) return;
    this.#queue.flush();
    this.#socket.cork();
    this.#socket.write(header);
    this.#socket.write(data);
    this.#socket.uncork();
  }

  pauseInput(): void {
    this.#socket.pause();
  }

  resumeInput(): void {
    if (!this.#ending) this.#socket.resume();
  }

  end(last?: ServerMessage): void {
    if (last !== undefined) this.send(last);
    if (this.#ending) return;
    this.#ending = true;
    clearTimeout(this.#sniffTimer);
    this.#queue.flush();
    this.#socket.end();
    // Input is read and dropped from here on, so the peer's close is seen at once;
    // a paused socket would only close when the grace period ran out.
    this.#socket.resume();
    setTimeout(() => this.#socket.destroy(), this.#options.closeGraceMs);
  }

  #received(chunk: Uint8Array): void {
    if (this.#ending || this.#handler === undefined) return;
    if (this.#codec === undefined || this.#provisional) {
      const seen = new Uint8Array(this.#firstBytes.length + chunk.length);
      seen.set(this.#firstBytes);
      seen.set(chunk, this.#firstBytes.length);
      const kind = sniff(seen);
      if (kind === "undecided") {
        this.#firstBytes = seen;
        return;
      }
      this.#firstBytes = new Uint8Array(0);
      this.#provisional = false;
      clearTimeout(this.#sniffTimer);
      if (kind === "native" || this.#codec === undefined) {
        this.#choose(
          kind === "native" ? new NativeCodec() : new TextCodec(this.#options.maxLineBytes),
        );
      }
      this.#codec?.decode(seen, this.#handler);
      return;
    }
    this.#codec.decode(chunk, this.#handler);
  }

  #choose(codec: Codec): void {
    this.#codec = codec;
    if (this.#handler === undefined) return;
    const greeting = codec.open(this.#handler);
    if (greeting !== undefined) this.#queue.push(greeting);
  }
}
