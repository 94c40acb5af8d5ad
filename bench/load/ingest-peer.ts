// A native sender for the durable-ingest run: the project's ChatClient, in a
// room of its own (so its lines fan out to nobody), that keeps a window of
// lines sent and not yet acknowledged. The server acknowledges a line only
// once it is committed, and in order, so every acknowledgement frees one
// place in the window for the next line.

import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { Histogram } from "../histogram.js";
import { benchText, monoUs } from "./payload.js";
import { HOST, type Peer } from "./peer.js";

export class IngestPeer implements Peer {
  refused = 0;
  acked = 0;
  lastAckUs = 0;
  /** The first refusal's reason; "" if none. */
  problem = "";
  readonly #client: ChatClient;
  readonly #room: string;

  constructor(port: number, nick: string, room: string, closed: (reason: string) => void) {
    this.#room = room;
    this.#client = new ChatClient({
      dial: tcpDial(HOST, port),
      nick,
      clientName: "sockchat-bench",
      history: 0,
    });
    this.#client.on("disconnected", (d) => closed(d.reason));
  }

  async join(): Promise<void> {
    await this.#client.connect();
    await this.#client.send({ type: "join", room: this.#room });
  }

  /**
   * Keeps `window` lines unacknowledged until `untilUs`, then waits for the
   * last of them. Resolves once nothing is outstanding; a refusal stops this
   * sender from sending more.
   */
  pump(sender: number, window: number, untilUs: number, latency: Histogram): Promise<void> {
    return new Promise((resolve) => {
      let outstanding = 0;
      let seq = 0;
      let stopped = false;
      const settle = () => {
        outstanding -= 1;
        if (!stopped && monoUs() < untilUs) sendOne();
        else if (outstanding === 0) resolve();
      };
      const sendOne = () => {
        const sentUs = monoUs();
        outstanding += 1;
        this.#client.send({ type: "say", text: benchText(sender, seq++, sentUs) }).then(
          () => {
            const now = monoUs();
            this.acked += 1;
            this.lastAckUs = now;
            latency.record(now - sentUs);
            settle();
          },
          (error: unknown) => {
            this.refused += 1;
            if (this.problem === "") this.problem = (error as Error).message;
            stopped = true;
            settle();
          },
        );
      };
      for (let i = 0; i < window; i++) sendOne();
    });
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
