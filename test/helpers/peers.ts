// Chat peers for tests: a native client built on the client core, and a raw
// TCP text client such as netcat would be.

import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import type { Dial } from "../../src/client/byte-stream.js";
import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { LineCollector } from "./lines.js";

export interface NativePeer {
  readonly client: ChatClient;
  readonly received: ServerMessage[];
  /** Resolves with the first message (received so far or later) that matches. */
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  /** Resolves once the connection has closed, with the reason. */
  closed: Promise<string>;
}

/** A native client on `port`, over TCP unless given another dial (TLS, say). */
export async function nativePeer(
  port: number,
  nick: string,
  dial: Dial = tcpDial("127.0.0.1", port),
): Promise<NativePeer> {
  const client = new ChatClient({ dial, nick, clientName: "test" });
  const received: ServerMessage[] = [];
  const waiters = new Set<{
    match: (m: ServerMessage) => boolean;
    resolve: (m: ServerMessage) => void;
  }>();
  client.on("server", (m) => {
    received.push(m);
    for (const w of waiters) {
      if (w.match(m)) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<string>((resolve) =>
    client.on("disconnected", (d) => resolve(d.reason)),
  );
  await client.connect();
  return {
    client,
    received,
    closed,
    waitFor(match, timeoutMs = 15_000) {
      const seen = received.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (m: ServerMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${nick}: timed out waiting for a message; last: ${JSON.stringify(received.slice(-3)).slice(0, 500)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

export interface TextPeer {
  readonly socket: Socket;
  readonly lines: LineCollector;
  send(line: string): void;
  closed: Promise<void>;
}

/** `from`: the loopback address to connect from, standing for another machine. */
export async function textPeer(port: number, from = "127.0.0.1"): Promise<TextPeer> {
  const socket = netConnect({ host: "127.0.0.1", port, localAddress: from });
  await once(socket, "connect");
  const lines = new LineCollector(socket);
  const closed = once(socket, "close").then(() => undefined);
  return { socket, lines, closed, send: (line) => socket.write(`${line}\n`) };
}

/** A text peer that has been welcomed, with the nickname the server gave it. */
export async function joinedTextPeer(
  port: number,
  nick?: string,
  from?: string,
): Promise<TextPeer & { nick: string }> {
  const peer = await textPeer(port, from);
  const welcome = await peer.lines.waitFor(/^\* welcome to .*, you are (\S+);/);
  let given = /you are (\S+);/.exec(welcome)?.[1] as string;
  if (nick !== undefined && nick !== given) {
    peer.send(`/nick ${nick}`);
    await peer.lines.waitFor(new RegExp(`^\\* ${given} is now known as ${nick}$`));
    given = nick;
  }
  return { ...peer, nick: given };
}
