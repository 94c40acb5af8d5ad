// A netcat-style peer that keeps every byte the server sends it, as well as
// the lines, so a test can check exactly what would reach its terminal.

import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { LineCollector } from "./lines.js";

export interface TextObserver {
  readonly socket: Socket;
  readonly lines: LineCollector;
  /** Everything received, as sent. */
  bytes(): Uint8Array;
  send(line: string): void;
  closed: Promise<void>;
}

/** Connects and takes the nickname `nick`; resolves once the server confirms it. */
export async function textObserver(port: number, nick: string): Promise<TextObserver> {
  const socket = netConnect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  // Lines go out at once: Nagle would hold each behind a delayed ACK.
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  const text = new PassThrough();
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    text.write(chunk);
  });
  const lines = new LineCollector(text);
  const observer: TextObserver = {
    socket,
    lines,
    bytes: () => Buffer.concat(chunks),
    send: (line) => socket.write(`${line}\n`),
    closed: new Promise((resolve) => socket.once("close", () => resolve())),
  };
  // Its first bytes make it a text client at once, without the wait for a silent one.
  observer.send(`/nick ${nick}`);
  await lines.waitFor(new RegExp(`^\\* \\S+ is now known as ${nick}$`));
  return observer;
}
