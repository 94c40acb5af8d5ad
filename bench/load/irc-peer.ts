// An IRC peer for the ngIRCd comparison: NICK/USER, JOIN one channel, PRIVMSG
// the channel. IRC has no acknowledgements, so each batch of lines is followed
// by a PING: a server handles one client's commands in order, so its PONG
// means every line before it was processed.
//
// Lines are written as fast as they are said. ngIRCd 26 took bursts of
// thousands of lines per client without dropping anyone in our runs (a client
// it dropped would show up as loss and disconnects); pacing the sender with a
// PING window instead made ngIRCd several times slower: it does not set
// TCP_NODELAY (checked with strace), so its small PONGs wait behind Nagle's
// algorithm.

import { connect, type Socket } from "node:net";
import { LineReader, startsWithAscii } from "./line-reader.js";
import { type Parsed, parseBenchBytes } from "./payload.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";

const COLON = 0x3a;
const SPACE = 0x20;

export class IrcPeer implements Peer {
  readonly refused = 0;
  readonly #port: number;
  readonly #nick: string;
  readonly #channel: string;
  readonly #events: PeerEvents;
  readonly #reader = new LineReader();
  readonly #parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
  #socket: Socket | undefined;
  #pending: string[] = [];
  #lastToken = 0;
  #confirmedToken = 0;
  #idleWaiters: (() => void)[] = [];
  /** Resolved by the numeric that ends the current join step. */
  #step: { numeric: string; resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(port: number, nick: string, channel: string, events: PeerEvents) {
    this.#port = port;
    this.#nick = nick;
    this.#channel = channel;
    this.#events = events;
  }

  async join(): Promise<void> {
    const socket = connect({ host: HOST, port: this.#port, noDelay: true });
    this.#socket = socket;
    let joined = false;
    const connected = new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.on("error", (error) => {
        reject(error);
        this.#step?.reject(error);
      });
    });
    socket.on("data", (chunk: Buffer) =>
      this.#reader.push(chunk, (b, s, e) => this.#line(b, s, e)),
    );
    socket.on("close", () => {
      if (joined) this.#events.closed("connection closed");
      else this.#step?.reject(new Error("closed while joining"));
    });
    await connected;
    await this.#expect("001", `NICK ${this.#nick}\r\nUSER ${this.#nick} 0 * :bench\r\n`);
    if (this.#channel !== "") await this.#expect("366", `JOIN ${this.#channel}\r\n`);
    joined = true;
  }

  say(text: string): void {
    this.#pending.push(`PRIVMSG ${this.#channel} :${text}\r\n`);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  confirmed(): Promise<void> {
    if (this.#idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#socket?.destroy();
  }

  get #idle(): boolean {
    return this.#pending.length === 0 && this.#confirmedToken === this.#lastToken;
  }

  #expect(numeric: string, send: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#step = { numeric, resolve, reject };
      this.#socket?.write(send);
    });
  }

  #flush(): void {
    if (this.#socket === undefined || this.#pending.length === 0) return;
    this.#lastToken += 1;
    this.#socket.write(`${this.#pending.join("")}PING :${this.#lastToken}\r\n`);
    this.#pending = [];
  }

  #pong(token: number): void {
    this.#confirmedToken = token;
    if (this.#idle) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #line(bytes: Buffer, start: number, end: number): void {
    if (bytes[start] !== COLON) {
      if (startsWithAscii(bytes, start, end, "PING")) {
        this.#socket?.write(`PONG${bytes.toString("latin1", start + 4, end)}\r\n`);
      }
      return;
    }
    const command = bytes.indexOf(SPACE, start) + 1;
    if (command <= 0) return;
    // ":prefix COMMAND params :trailing"; the trailing part starts after " :".
    if (startsWithAscii(bytes, command, end, "PRIVMSG ")) {
      const bench = this.#events.bench;
      const trailing = bytes.indexOf(" :", command);
      if (bench !== undefined && trailing > 0 && trailing < end) {
        if (parseBenchBytes(bytes, trailing + 2, end, this.#parsed)) bench(this.#parsed);
      }
    } else if (startsWithAscii(bytes, command, end, "PONG ")) {
      const trailing = bytes.indexOf(" :", command);
      if (trailing > 0 && trailing < end)
        this.#pong(Number(bytes.toString("latin1", trailing + 2, end)));
    } else if (this.#step !== undefined) {
      const step = this.#step;
      if (startsWithAscii(bytes, command, end, `${step.numeric} `)) {
        this.#step = undefined;
        step.resolve();
      } else if (startsWithAscii(bytes, command, end, "4")) {
        // 4xx numerics (nickname in use, too many channels, …) end the join.
        this.#step = undefined;
        step.reject(new Error(`IRC: ${bytes.toString("utf8", start, end)}`));
      }
    }
  }
}
