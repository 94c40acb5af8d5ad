// A hand-driven native-protocol connection, for sending what a well-behaved
// client never would and reading exactly what the server answers.

import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { HANDSHAKE_BYTES, handshakeBytes } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import {
  type ClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  type ServerMessage,
} from "../../src/protocol/messages.js";

export interface RawNative {
  readonly socket: Socket;
  readonly received: ServerMessage[];
  write(bytes: Uint8Array | string): void;
  send(message: ClientMessage): void;
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  closed: Promise<void>;
}

/** Connects and sends the handshake; with `nick`, also a hello, awaiting the welcome. */
export async function rawNative(port: number, nick?: string): Promise<RawNative> {
  const socket = netConnect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  // Frames go out one at a time: Nagle would hold each small one behind a delayed ACK.
  socket.setNoDelay(true);
  const received: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  const decoder = new FrameDecoder();
  let handshakeLeft = HANDSHAKE_BYTES;
  socket.on("data", (chunk: Buffer) => {
    let bytes: Uint8Array = chunk;
    if (handshakeLeft > 0) {
      const skip = Math.min(handshakeLeft, bytes.length);
      handshakeLeft -= skip;
      bytes = bytes.subarray(skip);
    }
    decoder.push(bytes, (frame) => received.push(decodeServerMessage(frame)));
    for (const wake of waiters) wake();
  });
  // A server that closes on bad input may reset the connection: what tests wait
  // for is the close, whatever its cause (`once` would reject on the error).
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const peer: RawNative = {
    socket,
    received,
    closed,
    write: (bytes) => socket.write(bytes),
    send: (message) => socket.write(encodeClientMessage(message)),
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`timed out; received ${JSON.stringify(received.slice(-5)).slice(0, 500)}`),
          );
        }, timeoutMs);
        waiters.add(check);
        closed.then(() => {
          check();
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(
              new Error(
                `connection closed; received ${JSON.stringify(received.slice(-5)).slice(0, 500)}`,
              ),
            );
          }
        });
        check();
      });
    },
  };
  peer.write(handshakeBytes());
  if (nick !== undefined) {
    peer.send({ type: "hello", nick, client: "raw-test" });
    await peer.waitFor((m) => m.type === "welcome");
  }
  return peer;
}
