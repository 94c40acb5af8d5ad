// A fake sockchat server for unit tests of the client core: it reads the
// client's handshake and frames from its end of a memory connection and sends
// only what the test tells it to. Tests script each answer, so every rule of
// the client is seen against exactly the server behaviour it is about.

import { HANDSHAKE_BYTES, handshakeBytes } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeServerMessage,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import type { MemoryEnd } from "./memory-streams.js";

type Of<T extends ClientMessage["type"]> = Extract<ClientMessage, { type: T }>;

export class ScriptedServer {
  readonly end: MemoryEnd;
  /** Everything the client has sent, in order. */
  readonly received: ClientMessage[] = [];
  /** Called with each message as it arrives. */
  onMessage: (message: ClientMessage) => void = () => {};
  /** How many reads the client's bytes took, handshake included. */
  reads = 0;
  readonly #decoder = new FrameDecoder();
  readonly #taken = new Set<number>();
  #handshake = new Uint8Array(0);
  #closedReason: string | undefined;

  constructor(end: MemoryEnd) {
    this.end = end;
    end.listen({
      data: (bytes) => this.#data(bytes),
      close: (reason) => {
        this.#closedReason = reason;
      },
    });
  }

  /** The client's first bytes, up to a handshake's length. */
  get clientHandshake(): Uint8Array {
    return this.#handshake;
  }

  /** Why the connection closed; undefined while it is open. */
  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  /** Sends `messages` in one write. */
  send(...messages: ServerMessage[]): void {
    const frames = messages.map(encodeServerMessage);
    const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      bytes.set(frame, at);
      at += frame.length;
    }
    this.end.write(bytes);
  }

  /** The first message of `type` not taken yet, once it has come. */
  take<T extends ClientMessage["type"]>(type: T, timeoutMs = 2000): Promise<Of<T>> {
    return this.#waitFor(
      () => {
        const at = this.received.findIndex((m, i) => m.type === type && !this.#taken.has(i));
        if (at < 0) return undefined;
        this.#taken.add(at);
        return this.received[at] as Of<T>;
      },
      `a ${type}`,
      timeoutMs,
    );
  }

  /** Resolves once `check` (about the client, the server or both) holds. */
  until(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
    return this.#waitFor(() => (check() ? true : undefined), what, timeoutMs).then(() => {});
  }

  /** Resolves with the reason once the connection is closed. */
  closed(timeoutMs = 2000): Promise<string> {
    return this.#waitFor(() => this.#closedReason, "the close", timeoutMs);
  }

  #data(bytes: Uint8Array): void {
    this.reads += 1;
    let rest = bytes;
    if (this.#handshake.length < HANDSHAKE_BYTES) {
      const seen = new Uint8Array(this.#handshake.length + bytes.length);
      seen.set(this.#handshake);
      seen.set(bytes, this.#handshake.length);
      this.#handshake = seen.slice(0, HANDSHAKE_BYTES);
      if (seen.length < HANDSHAKE_BYTES) return;
      this.end.write(handshakeBytes());
      rest = seen.subarray(HANDSHAKE_BYTES);
    }
    this.#decoder.push(rest, (frame) => {
      const message = decodeClientMessage(frame);
      this.received.push(message);
      this.onMessage(message);
    });
  }

  /** Looks for what `found` finds every few milliseconds, as it may be on either side. */
  #waitFor<T>(found: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const look = () => {
        const value = found();
        if (value !== undefined) resolve(value);
        else if (Date.now() < deadline) setTimeout(look, 2);
        else {
          const last = this.received.at(-1)?.type ?? "nothing";
          reject(new Error(`waited in vain for ${what}; the client last sent ${last}`));
        }
      };
      look();
    });
  }
}
