// A port that speaks TLS only, over an in-memory pair: each kind of plaintext
// peer is told so in its own protocol and closed, without ever becoming a chat
// connection (no hello reaches the server); a ClientHello goes on to TLS.

import assert from "node:assert/strict";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import { HANDSHAKE_BYTES, handshakeBytes } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import { decodeServerMessage, encodeClientMessage } from "../../src/protocol/messages.js";
import type { HandOffKind } from "../../src/transport/codec-registry.js";
import { plaintextRefusal } from "../../src/transport/plaintext-refusal.js";
import { StreamConnection } from "../../src/transport/stream-connection.js";
import { recogniseTls } from "../../src/transport/tls-kind.js";
import { duplexPair } from "../helpers/duplex-pair.js";
import { Recorder } from "./connection-conformance.js";

const TEXT_REFUSAL =
  "* this server speaks TLS only: connect with sockchat connect --tls, or openssl s_client\n";
const PATIENT_MS = 10_000;

function tlsOnlyPort({ fallbackDelayMs = PATIENT_MS, closeGraceMs = PATIENT_MS } = {}) {
  const [server, client] = duplexPair();
  const takenByTls: Uint8Array[] = [];
  const tls: HandOffKind = {
    recognise: recogniseTls,
    take: (_stream, firstBytes) => takenByTls.push(firstBytes),
  };
  const recorder = new Recorder();
  const connection = new StreamConnection(server, "memory", {
    codecs: plaintextRefusal(tls, closeGraceMs),
    fallbackDelayMs,
    closeGraceMs,
  });
  connection.attach(recorder);
  return { client, recorder, takenByTls };
}

/** Everything the peer is sent, once the server has closed its end. */
async function allSent(client: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  client.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(client, "end");
  client.end();
  return Buffer.concat(chunks);
}

describe("a port that speaks TLS only", () => {
  it("tells a text client in one line, and closes", async () => {
    const { client, recorder } = tlsOnlyPort();
    client.write("hello\n");
    assert.equal((await allSent(client)).toString(), TEXT_REFUSAL);
    assert.deepEqual(recorder.messages, []);
    assert.deepEqual(recorder.closes, ["handed over"]);
  });

  it("tells a silent peer once it has waited as a text client would", async () => {
    const { client, recorder } = tlsOnlyPort({ fallbackDelayMs: 5 });
    assert.equal((await allSent(client)).toString(), TEXT_REFUSAL);
    assert.deepEqual(recorder.messages, []);
  });

  it("answers a native client with its handshake and a bye it can show", async () => {
    const { client, recorder } = tlsOnlyPort();
    client.write(handshakeBytes(1));
    client.write(encodeClientMessage({ type: "hello", nick: "ana", client: "test" }));
    const sent = await allSent(client);
    // A version 1 client is answered as one, so that it reads the bye.
    assert.deepEqual(sent.subarray(0, HANDSHAKE_BYTES), Buffer.from(handshakeBytes(1)));
    const messages: unknown[] = [];
    new FrameDecoder().push(sent.subarray(HANDSHAKE_BYTES), (frame) =>
      messages.push(decodeServerMessage(frame)),
    );
    assert.deepEqual(messages, [
      {
        type: "bye",
        code: ErrorCode.TlsRequired,
        reason:
          "this server speaks TLS only: connect with sockchat connect --tls, or openssl s_client",
      },
    ]);
    assert.deepEqual(recorder.messages, []);
  });

  it("answers an HTTP request with 426 and where to find it over https", async () => {
    const { client } = tlsOnlyPort();
    client.write("GET /files/3?x=1 HTTP/1.1\r\nHost: chat.example.org:8081\r\n\r\n");
    const answer = (await allSent(client)).toString();
    assert.match(answer, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(answer, /\r\nUpgrade: TLS\/1\.3\r\n/);
    assert.match(
      answer,
      /this server speaks TLS only: open https:\/\/chat\.example\.org:8081\/files\/3\?x=1\n/,
    );
  });

  it("hands a ClientHello, every byte of it seen so far, to TLS", async () => {
    const { client, takenByTls } = tlsOnlyPort();
    client.write(Uint8Array.of(0x16));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(takenByTls, [], "one byte could still be anything");
    client.write(Uint8Array.of(0x03, 0x01, 0x02));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(takenByTls, [Uint8Array.of(0x16, 0x03, 0x01, 0x02)]);
    client.destroy();
  });

  it("cuts off a refused peer that never closes its end, after the grace period", async () => {
    const { client } = tlsOnlyPort({ closeGraceMs: 20 });
    client.on("data", () => {});
    client.write("hello\n");
    // The peer's end stays open: only the server's destroy closes the pair.
    await once(client, "close");
  });
});
