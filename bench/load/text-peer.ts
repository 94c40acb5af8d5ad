// A text peer, as netcat would be: plain lines over TCP, "<nick> text" back.

import { connect, type Socket } from "node:net";
import { LineReader, startsWithAscii } from "./line-reader.js";
import { type Parsed, parseBenchBytes } from "./payload.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";

const LT = 0x3c;
const GT = 0x3e;
const SPACE = 0x20;

export class TextPeer implements Peer {
  readonly refused = 0;
  readonly #port: number;
  readonly #events: PeerEvents;
  readonly #silent: boolean;
  readonly #reader = new LineReader();
  readonly #parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
  #socket: Socket | undefined;
  #pending: string[] = [];
  #lastWrite: Promise<void> = Promise.resolve();
  #welcomed: (() => void) | undefined;

  /** A `silent` peer sends nothing until welcomed, so the server waits before it welcomes it. */
  constructor(port: number, _nick: string, events: PeerEvents, silent: boolean) {
    this.#port = port;
    this.#events = events;
    this.#silent = silent;
  }

  join(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port: this.#port, noDelay: true });
      this.#socket = socket;
      let joined = false;
      this.#welcomed = () => {
        joined = true;
        resolve();
      };
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) =>
        this.#reader.push(chunk, (b, s, e) => this.#line(b, s, e)),
      );
      socket.on("close", () => {
        if (joined) this.#events.closed("connection closed");
        else reject(new Error("closed before the welcome"));
      });
      // An empty line is ignored by the server but marks us as a text client at once.
      if (!this.#silent) socket.once("connect", () => socket.write("\n"));
    });
  }

  say(text: string): void {
    this.#pending.push(text);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  confirmed(): Promise<void> {
    return this.#lastWrite;
  }

  close(): void {
    this.#socket?.destroy();
  }

  #flush(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#pending.length === 0) return;
    const data = `${this.#pending.join("\n")}\n`;
    this.#pending = [];
    this.#lastWrite = new Promise((resolve) => socket.write(data, () => resolve()));
  }

  #line(bytes: Buffer, start: number, end: number): void {
    if (bytes[start] === LT) {
      const bench = this.#events.bench;
      if (bench === undefined) return;
      const gt = bytes.indexOf(GT, start);
      if (gt > 0 && gt + 2 <= end && bytes[gt + 1] === SPACE) {
        if (parseBenchBytes(bytes, gt + 2, end, this.#parsed)) bench(this.#parsed);
      }
      return;
    }
    if (this.#welcomed !== undefined && startsWithAscii(bytes, start, end, "* welcome")) {
      this.#welcomed();
      this.#welcomed = undefined;
    }
  }
}
