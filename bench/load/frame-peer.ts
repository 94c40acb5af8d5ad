// A native-protocol peer at the level of frames, as the text and IRC peers
// are at the level of lines: it speaks the handshake, hello, join, say and
// pong, counts acks, and finds the bench text in a message frame's bytes
// without decoding the frame into a message. The load generator must cost
// less than the server it loads, on two cores shared with it; the full client
// core (ChatClient) costs about as much per delivery as the server itself.
// It asks for no history: the bench counts what is said while it runs.
// The same peer runs over TCP or the chat port's WebSocket: it is given the
// dial, as the client core is.

import type { ByteStream, Dial } from "../../src/client/byte-stream.js";
import { readU32 } from "../../src/protocol/bytes.js";
import { type Frame, FrameType, handshakeBytes, MAGIC } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import { type ClientMessage, encodeClientMessage } from "../../src/protocol/messages.js";
import { type Parsed, parseBenchBytes } from "./payload.js";
import type { Peer, PeerEvents } from "./peer.js";

/** A message frame: kind (1), time (8), then the sender, the addressee and the text, each length-prefixed. */
const MESSAGE_FROM_AT = 9;

export class FramePeer implements Peer {
  refused = 0;
  readonly #dial: Dial;
  readonly #nick: string;
  readonly #room: string | undefined;
  readonly #events: PeerEvents;
  readonly #decoder = new FrameDecoder({ allocate: Buffer.allocUnsafe });
  readonly #parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
  #stream: ByteStream | undefined;
  /** The server's handshake (its magic and version) still to pass over. */
  #handshakeLeft = MAGIC.length + 1;
  #pending: Uint8Array[] = [];
  #nextSeq = 1;
  /** The seq of the last request sent, and of the last one the server answered (acks come in order). */
  #lastSent = 0;
  #lastAnswered = 0;
  #idleWaiters: (() => void)[] = [];
  #welcomed: (() => void) | undefined;

  /** With `room`, the peer joins it after the welcome, and its lines go there. */
  constructor(dial: Dial, nick: string, events: PeerEvents, room?: string) {
    this.#dial = dial;
    this.#nick = nick;
    this.#room = room;
    this.#events = events;
  }

  async join(): Promise<void> {
    const stream = await this.#dial();
    this.#stream = stream;
    let joined = false;
    const welcomed = new Promise<void>((resolve, reject) => {
      this.#welcomed = resolve;
      stream.listen({
        data: (bytes) => this.#received(bytes),
        close: (reason) => {
          if (joined) this.#events.closed(reason);
          else reject(new Error(`closed before the welcome: ${reason}`));
        },
      });
    });
    stream.write(handshakeBytes());
    this.#send({ type: "hello", nick: this.#nick, client: "sockchat-bench", history: 0 });
    await welcomed;
    const room = this.#room;
    if (room !== undefined) {
      this.#send({ type: "join", seq: this.#take(), room });
      await this.confirmed();
    }
    joined = true;
  }

  say(text: string): void {
    this.#send({ type: "say", seq: this.#take(), text });
  }

  confirmed(): Promise<void> {
    if (this.#lastAnswered === this.#lastSent) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#stream?.close();
  }

  #take(): number {
    this.#lastSent = this.#nextSeq++;
    return this.#lastSent;
  }

  /** Lines said in one turn leave in one write, as the client core sends them. */
  #send(message: ClientMessage): void {
    this.#pending.push(encodeClientMessage(message));
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#stream?.write(Buffer.concat(this.#pending));
    this.#pending = [];
  }

  #received(chunk: Uint8Array): void {
    let frames = chunk;
    if (this.#handshakeLeft > 0) {
      const skipped = Math.min(this.#handshakeLeft, chunk.length);
      this.#handshakeLeft -= skipped;
      frames = chunk.subarray(skipped);
    }
    this.#decoder.push(frames, (f) => this.#frame(f));
  }

  #answered(seq: number): void {
    this.#lastAnswered = seq;
    if (seq === this.#lastSent) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #frame(frame: Frame): void {
    const p = frame.payload;
    switch (frame.type) {
      case FrameType.Message:
        this.#message(p);
        return;
      case FrameType.Ack:
        this.#answered(readU32(p, 0));
        return;
      case FrameType.Error: {
        const seq = readU32(p, 0);
        if (seq === 0) return;
        this.refused += 1;
        this.#answered(seq);
        return;
      }
      case FrameType.Ping:
        this.#send({ type: "pong", token: readU32(p, 0) });
        return;
      case FrameType.Welcome:
        this.#welcomed?.();
        this.#welcomed = undefined;
        return;
    }
  }

  #message(p: Uint8Array): void {
    const bench = this.#events.bench;
    if (bench === undefined) return;
    const toAt = MESSAGE_FROM_AT + 4 + readU32(p, MESSAGE_FROM_AT);
    const textAt = toAt + 4 + readU32(p, toAt);
    const start = textAt + 4;
    const end = start + readU32(p, textAt);
    // Version 2 appends the room, the id and whether the line is replayed; a replayed line is no delivery.
    if (end < p.length && p[p.length - 1] === 1) return;
    if (parseBenchBytes(p, start, end, this.#parsed)) bench(this.#parsed);
  }
}
