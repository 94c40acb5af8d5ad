// The original chat lost most lines of a burst. Here every line from every
// sender reaches every receiver exactly once and in the sender's order.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { type ServerProcess, startServer } from "../helpers/processes.js";

const SENDERS = 4;
const MESSAGES = 10_000;
const RECEIVERS = 50;

/** Checks, per receiver and sender, that message n arrives right after n-1. */
class DeliveryLedger {
  readonly #next = new Map<string, number>();
  problems: string[] = [];
  received = 0;
  #onComplete: (() => void) | undefined;
  readonly done = new Promise<void>((resolve) => {
    this.#onComplete = resolve;
  });
  readonly #expected: number;

  constructor(expected: number) {
    this.#expected = expected;
  }

  record(receiver: string, sender: string, n: number): void {
    const key = `${receiver}<-${sender}`;
    const want = this.#next.get(key) ?? 0;
    if (n !== want && this.problems.length < 10)
      this.problems.push(`${key}: got ${n}, expected ${want}`);
    this.#next.set(key, n + 1);
    this.received += 1;
    if (this.received === this.#expected) this.#onComplete?.();
  }

  countFor(receiver: string, sender: string): number {
    return this.#next.get(`${receiver}<-${sender}`) ?? 0;
  }
}

const PATTERN = /^m(\d+) (\d+)$/;

describe("no loss under bursts", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer(["--rate-limit", "0", "--quiet"]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it(`native: ${SENDERS} senders x ${MESSAGES} messages reach ${RECEIVERS} receivers exactly once, in order`, async () => {
    // Every sender also receives the other senders' messages.
    const ledger = new DeliveryLedger(
      RECEIVERS * SENDERS * MESSAGES + SENDERS * (SENDERS - 1) * MESSAGES,
    );
    const join = async (nick: string) => {
      const client = new ChatClient({
        dial: tcpDial("127.0.0.1", server.port),
        nick,
        clientName: "test",
      });
      client.on("server", (m) => {
        if (m.type !== "message") return;
        const match = PATTERN.exec(m.text);
        if (match) ledger.record(nick, match[1] as string, Number(match[2]));
      });
      await client.connect();
      return client;
    };
    const receivers = await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => join(`r${i}`)));
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => join(`s${i}`)));

    await Promise.all(
      senders.map((client, s) => {
        const confirmations: Promise<void>[] = [];
        for (let n = 0; n < MESSAGES; n++)
          confirmations.push(client.send({ type: "say", text: `m${s} ${n}` }));
        return Promise.all(confirmations);
      }),
    );
    await ledger.done;

    assert.deepEqual(ledger.problems, []);
    for (let r = 0; r < RECEIVERS; r++) {
      for (let s = 0; s < SENDERS; s++) assert.equal(ledger.countFor(`r${r}`, String(s)), MESSAGES);
    }
    for (const client of [...receivers, ...senders]) client.close();
  });

  it(`text: ${SENDERS} netcat-style senders x ${MESSAGES} lines reach ${RECEIVERS} text receivers exactly once, in order`, async () => {
    const ledger = new DeliveryLedger(RECEIVERS * SENDERS * MESSAGES);
    const open = async (onLine?: (line: string) => void): Promise<Socket> => {
      const socket = netConnect({ host: "127.0.0.1", port: server.port });
      let partial = "";
      let welcomed: () => void = () => {};
      const welcome = new Promise<void>((resolve) => {
        welcomed = resolve;
      });
      socket.setEncoding("utf8");
      socket.on("data", (text: string) => {
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("* welcome")) welcomed();
          else onLine?.(line);
        }
      });
      await once(socket, "connect");
      await welcome;
      return socket;
    };
    const receivers = await Promise.all(
      Array.from({ length: RECEIVERS }, (_, r) =>
        open((line) => {
          const match = /^<(\S+)> m(\d+) (\d+)$/.exec(line);
          if (match) ledger.record(`t${r}`, match[2] as string, Number(match[3]));
        }),
      ),
    );
    const senders = await Promise.all(Array.from({ length: SENDERS }, () => open()));
    for (const [s, socket] of senders.entries()) {
      const lines: string[] = [];
      for (let n = 0; n < MESSAGES; n++) lines.push(`m${s} ${n}\n`);
      socket.write(lines.join(""));
    }
    await ledger.done;

    assert.deepEqual(ledger.problems, []);
    for (let r = 0; r < RECEIVERS; r++) {
      for (let s = 0; s < SENDERS; s++) assert.equal(ledger.countFor(`t${r}`, String(s)), MESSAGES);
    }
    for (const socket of [...receivers, ...senders]) socket.destroy();
  });
});
