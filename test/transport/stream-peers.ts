// The far end of a byte-stream connection for the conformance suite: a native
// client and a text client, over any duplex stream (an in-memory pair, a TCP
// socket). Each closes its end once the server has closed its own, as clients do.

import type { Duplex } from "node:stream";
import { HANDSHAKE_BYTES, handshakeBytes } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import { decodeServerMessage, encodeClientMessage } from "../../src/protocol/messages.js";
import { eventually } from "../helpers/eventually.js";
import { LineCollector } from "../helpers/lines.js";
import { heardAs, type TestPeer } from "./connection-conformance.js";

type StreamPeer = Pick<TestPeer, "stopReading" | "startReading" | "close" | "gone">;

function streamPeer(stream: Duplex): StreamPeer {
  stream.on("end", () => stream.end());
  // A connection destroyed after its grace period may reset: only the close matters here.
  stream.on("error", () => undefined);
  const gone = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  return {
    gone,
    stopReading: () => stream.pause(),
    startReading: () => stream.resume(),
    close: () => stream.end(),
  };
}

/** Sends the handshake, and resolves once the server's has come back. */
export async function nativeStreamPeer(stream: Duplex): Promise<TestPeer> {
  const heard: string[] = [];
  const frames = new FrameDecoder();
  const handshake: number[] = [];
  let seq = 0;
  stream.on("data", (chunk: Buffer) => {
    const skip = Math.min(HANDSHAKE_BYTES - handshake.length, chunk.length);
    handshake.push(...chunk.subarray(0, skip));
    frames.push(chunk.subarray(skip), (frame) =>
      heard.push(...heardAs(decodeServerMessage(frame))),
    );
  });
  stream.write(handshakeBytes());
  await eventually(
    () => (handshake.length === HANDSHAKE_BYTES ? true : undefined),
    "the server's handshake",
  );
  if (Buffer.compare(Buffer.from(handshake), handshakeBytes()) !== 0)
    throw new Error(`the server's handshake is ${Buffer.from(handshake).toString("hex")}`);
  const send = (bytes: Uint8Array) => stream.write(bytes);
  return {
    ...streamPeer(stream),
    heard,
    say: (text) => send(encodeClientMessage({ type: "say", seq: ++seq, text })),
    pong: (token) => send(encodeClientMessage({ type: "pong", token })),
  };
}

/** Sends nothing: the server takes it for a text client once it has been silent long enough. */
export function textStreamPeer(stream: Duplex): TestPeer {
  const lines = new LineCollector(stream);
  return {
    ...streamPeer(stream),
    heard: lines.lines,
    say: (text) => stream.write(`${text}\n`),
    pong: () => {
      throw new Error("a text client answers no pings");
    },
  };
}
