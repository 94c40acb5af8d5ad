// A Socket.IO peer for the WebSocket comparison, socket.io-client as a Node
// chat client uses it: WebSocket transport only, its nickname in the
// handshake, each line emitted with an acknowledgement (as sockchat
// acknowledges each line), the others' lines taken from the "message" event.

import { io, type Socket } from "socket.io-client";
import type { ClientToServer, ServerToClient, SocketIoAuth } from "../targets/socketio-events.js";
import { type Parsed, parseBenchString } from "./payload.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";

export class SocketIoPeer implements Peer {
  readonly refused = 0;
  readonly #port: number;
  readonly #nick: string;
  readonly #events: PeerEvents;
  readonly #parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
  #socket: Socket<ServerToClient, ClientToServer> | undefined;
  #unanswered = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(port: number, nick: string, events: PeerEvents) {
    this.#port = port;
    this.#nick = nick;
    this.#events = events;
  }

  join(): Promise<void> {
    const auth: SocketIoAuth = { nick: this.#nick };
    const socket: Socket<ServerToClient, ClientToServer> = io(`http://${HOST}:${this.#port}`, {
      transports: ["websocket"],
      auth,
      // One connection per peer: by default every io() to one URL shares a single one.
      forceNew: true,
      reconnection: false,
    });
    this.#socket = socket;
    const bench = this.#events.bench;
    if (bench !== undefined) {
      socket.on("message", (line) => {
        if (parseBenchString(line.text, this.#parsed)) bench(this.#parsed);
      });
    }
    return new Promise((resolve, reject) => {
      socket.once("connect_error", reject);
      socket.once("connect", () => {
        socket.on("disconnect", (reason) => this.#events.closed(reason));
        resolve();
      });
    });
  }

  say(text: string): void {
    this.#unanswered += 1;
    this.#socket?.emit("say", text, () => this.#answered());
  }

  confirmed(): Promise<void> {
    if (this.#unanswered === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#socket?.disconnect();
  }

  #answered(): void {
    this.#unanswered -= 1;
    if (this.#unanswered === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
