// A native-protocol peer: the project's own client core over TCP, as the
// terminal client uses it. It asks for no history on joining a room: the
// bench counts what is said while it runs, not what a room kept from before.

import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { type Parsed, parseBenchString } from "./payload.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";

export class NativePeer implements Peer {
  refused = 0;
  readonly #client: ChatClient;
  readonly #room: string | undefined;

  /** With `room`, the peer joins it after the welcome, and its lines go there. */
  constructor(port: number, nick: string, events: PeerEvents, room?: string) {
    this.#room = room;
    this.#client = new ChatClient({
      dial: tcpDial(HOST, port),
      nick,
      clientName: "sockchat-bench",
      history: 0,
    });
    const bench = events.bench;
    if (bench !== undefined) {
      const parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
      this.#client.on("server", (m) => {
        // Should a server replay anyway, a replayed line is no delivery.
        if (m.type === "message" && !m.replayed && parseBenchString(m.text, parsed)) bench(parsed);
      });
    }
    this.#client.on("disconnected", (d) => events.closed(d.reason));
  }

  async join(): Promise<void> {
    await this.#client.connect();
    if (this.#room !== undefined) await this.#client.send({ type: "join", room: this.#room });
  }

  say(text: string): void {
    this.#client.send({ type: "say", text }).catch(() => {
      this.refused += 1;
    });
  }

  confirmed(): Promise<void> {
    return this.#client.settled();
  }

  close(): void {
    this.#client.close();
  }
}
