// A native-protocol peer: the project's own client core over TCP, as the
// terminal client uses it.

import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { type Parsed, parseBenchString } from "./payload.js";
import { HOST, type Peer, type PeerEvents } from "./peer.js";

export class NativePeer implements Peer {
  refused = 0;
  readonly #client: ChatClient;

  constructor(port: number, nick: string, events: PeerEvents) {
    this.#client = new ChatClient({
      dial: tcpDial(HOST, port),
      nick,
      clientName: "sockchat-bench",
    });
    const bench = events.bench;
    if (bench !== undefined) {
      const parsed: Parsed = { sender: 0, seq: 0, sentAtUs: 0 };
      this.#client.on("server", (m) => {
        if (m.type === "message" && parseBenchString(m.text, parsed)) bench(parsed);
      });
    }
    this.#client.on("disconnected", (d) => events.closed(d.reason));
  }

  async join(): Promise<void> {
    await this.#client.connect();
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
