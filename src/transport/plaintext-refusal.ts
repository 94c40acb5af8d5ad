// A port that speaks TLS only tells a plaintext peer so, in the peer's own
// protocol, and closes: a browser gets an HTTP answer naming the https address,
// the sockchat client its handshake and a bye that it shows, anyone else (a
// person at netcat, or a peer that says nothing) one line. None of them becomes
// a chat connection: no session joins, no nickname is taken.

import { createServer } from "node:http";
import type { Duplex } from "node:stream";
import { concatBytes } from "../protocol/bytes.js";
import { ErrorCode } from "../protocol/errors.js";
import { handshakeBytes } from "../protocol/frame.js";
import { encodeServerMessage } from "../protocol/messages.js";
import { encodeUtf8 } from "../protocol/payload.js";
import type { CodecRegistry, HandOff, HandOffKind } from "./codec-registry.js";
import { httpKind } from "./http-kind.js";
import { nativeCodecKind, versionAnswered } from "./native-codec.js";

export const TLS_ONLY =
  "this server speaks TLS only: connect with sockchat connect --tls, or openssl s_client";

const BYE = encodeServerMessage({ type: "bye", code: ErrorCode.TlsRequired, reason: TLS_ONLY });
const TEXT_REFUSAL = encodeUtf8(`* ${TLS_ONLY}\n`);

/** The registry of a port that speaks TLS only: `tls` takes ClientHellos, every other peer is refused. */
export function plaintextRefusal(tls: HandOffKind, closeGraceMs: number): CodecRegistry {
  const refuse = (stream: Duplex, last: Uint8Array) => {
    stream.on("error", () => stream.destroy());
    stream.end(last);
    // Whatever more it sends is dropped, so that its close is seen at once.
    stream.resume();
    const timer = setTimeout(() => stream.destroy(), closeGraceMs);
    stream.once("close", () => clearTimeout(timer));
  };
  const native: HandOffKind = {
    recognise: nativeCodecKind.recognise,
    take: (stream, firstBytes) =>
      refuse(stream, concatBytes([handshakeBytes(versionAnswered(firstBytes)), BYE])),
  };
  const text: HandOff = { take: (stream) => refuse(stream, TEXT_REFUSAL) };
  return { kinds: [tls, httpKind(httpsOnly()), native], fallback: text };
}

/** Answers every request, a WebSocket's too, with where to find it over https. */
function httpsOnly() {
  return createServer((request, response) => {
    const host = request.headers.host;
    const where = host === undefined ? "this address over https" : `https://${host}${request.url}`;
    // 426 names the protocol to use instead; the connection closes after the answer.
    response.writeHead(426, {
      "Content-Type": "text/plain; charset=utf-8",
      Upgrade: "TLS/1.3",
      Connection: "Upgrade, close",
    });
    response.end(`this server speaks TLS only: open ${where}\n`);
  });
}
