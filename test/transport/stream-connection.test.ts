// The byte-stream connection over an in-memory pair: the Connection contract
// with each codec, and how it chooses the codec from the peer's first bytes.

import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode } from "../../src/protocol/errors.js";
import { handshakeBytes, MAGIC, PROTOCOL_VERSION } from "../../src/protocol/frame.js";
import { encodeClientMessage } from "../../src/protocol/messages.js";
import type { CodecRegistry } from "../../src/transport/codec-registry.js";
import { nativeCodecKind } from "../../src/transport/native-codec.js";
import { StreamConnection } from "../../src/transport/stream-connection.js";
import { TextCodec } from "../../src/transport/text-codec.js";
import { duplexPair } from "../helpers/duplex-pair.js";
import { eventually } from "../helpers/eventually.js";
import { connectionConformance, type OpenPair, Recorder } from "./connection-conformance.js";
import { nativeStreamPeer, textStreamPeer } from "./stream-peers.js";

const codecs: CodecRegistry = {
  kinds: [nativeCodecKind],
  fallback: { create: () => new TextCodec(4096) },
};

/** Long enough that no test here sees a peer taken for silent by accident. */
const PATIENT_MS = 10_000;

function connected(fallbackDelayMs: number, closeGraceMs = PATIENT_MS) {
  const [server, client] = duplexPair();
  const recorder = new Recorder();
  const connection = new StreamConnection(server, "memory", {
    codecs,
    fallbackDelayMs,
    closeGraceMs,
  });
  connection.attach(recorder);
  return { connection, recorder, client };
}

function openWith(speaks: "native" | "text"): OpenPair {
  return async (recorder, { closeGraceMs }) => {
    const [server, client] = duplexPair();
    const connection = new StreamConnection(server, "memory", {
      codecs,
      fallbackDelayMs: speaks === "native" ? PATIENT_MS : 5,
      closeGraceMs,
    });
    connection.attach(recorder);
    if (speaks === "native") return { connection, peer: await nativeStreamPeer(client) };
    const peer = textStreamPeer(client);
    await eventually(() => recorder.messages.find((m) => m.type === "hello"), "the text hello");
    return { connection, peer };
  };
}

connectionConformance("StreamConnection, native", openWith("native"), {
  heartbeat: true,
  files: true,
});
connectionConformance("StreamConnection, text", openWith("text"), {
  heartbeat: false,
  files: false,
});

/** Everything the peer has been sent, as it arrives. */
function collect(stream: Duplex): Buffer[] {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

const hello = encodeClientMessage({ type: "hello", nick: "ana", client: "test" });

describe("StreamConnection: choosing the codec", () => {
  it("takes the magic split over several reads for native", async () => {
    const { connection, recorder, client } = connected(PATIENT_MS);
    const received = collect(client);
    for (const byte of [...handshakeBytes(), ...hello]) {
      client.write(Uint8Array.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => recorder.messages[0], "the hello");
    assert.deepEqual(recorder.messages, [{ type: "hello", nick: "ana", client: "test" }]);
    assert.equal(connection.capabilities.heartbeat, true);
    await eventually(() => (Buffer.concat(received).length > 0 ? true : undefined), "a handshake");
    assert.deepEqual(Buffer.concat(received), Buffer.from(handshakeBytes()));
    client.end();
  });

  it("takes a first line for text at once, without waiting out the silence", async () => {
    const { connection, recorder, client } = connected(PATIENT_MS);
    client.write("hi there\n");
    await eventually(() => recorder.messages[1], "the line", 1000);
    assert.deepEqual(recorder.messages, [
      { type: "hello", nick: "", client: "text" },
      { type: "say", text: "hi there", seq: 0 },
    ]);
    assert.equal(connection.capabilities.files, false);
    client.end();
  });

  it("takes bytes that differ from the magic only at its last byte for text", async () => {
    const { recorder, client } = connected(PATIENT_MS);
    const nearMiss = Uint8Array.from([...MAGIC.subarray(0, 7), 0x41, 0x0a]);
    client.write(nearMiss);
    await eventually(() => recorder.errors[0], "an error");
    assert.equal(recorder.messages[0]?.type, "hello");
    assert.equal(recorder.errors[0]?.code, ErrorCode.InvalidUtf8);
    client.end();
  });

  it("welcomes a silent peer as text, and keeps it text when a line follows", async () => {
    const { connection, recorder, client } = connected(5);
    const received = collect(client);
    await eventually(() => recorder.messages[0], "the text hello");
    connection.send({ type: "notice", text: "welcome" });
    client.write("hi\n");
    await eventually(() => recorder.messages[1], "the line");
    assert.deepEqual(recorder.messages, [
      { type: "hello", nick: "", client: "text" },
      { type: "say", text: "hi", seq: 0 },
    ]);
    await eventually(() => (received.length > 0 ? true : undefined), "the welcome");
    assert.deepEqual(Buffer.concat(received).toString(), "* welcome\n");
    client.end();
  });

  it("upgrades a peer welcomed as text once its magic comes, however late and cut", async () => {
    const { connection, recorder, client } = connected(5);
    const received = collect(client);
    const handshake = handshakeBytes();
    // Part of the magic before the welcome: it is held, not read as text.
    client.write(handshake.subarray(0, 3));
    await eventually(() => recorder.messages[0], "the text hello");
    assert.equal(connection.capabilities.heartbeat, false);
    connection.send({ type: "notice", text: "welcome" });
    await sleep(20);
    client.write(handshake.subarray(3, 7));
    client.write(Uint8Array.from([...handshake.subarray(7), ...hello]));
    await eventually(() => recorder.messages[1], "the native hello");
    assert.deepEqual(recorder.messages, [
      { type: "hello", nick: "", client: "text" },
      { type: "hello", nick: "ana", client: "test" },
    ]);
    assert.equal(connection.capabilities.heartbeat, true);
    await eventually(
      () => (Buffer.concat(received).length >= 10 + handshake.length ? true : undefined),
      "the server's handshake",
    );
    // The text already sent stays, and the server's handshake follows it.
    assert.deepEqual(
      Buffer.concat(received),
      Buffer.concat([Buffer.from("* welcome\n"), Buffer.from(handshake)]),
    );
    client.end();
  });

  it("refuses a native handshake of another version, fatally", async () => {
    const { connection, recorder, client } = connected(PATIENT_MS);
    client.write(Uint8Array.from([...handshakeBytes(PROTOCOL_VERSION + 1), ...hello]));
    const error = await eventually(() => recorder.errors[0], "the refusal");
    assert.equal(error.code, ErrorCode.UnsupportedVersion);
    assert.equal(error.fatal, true);
    assert.deepEqual(recorder.messages, []);
    assert.equal(connection.capabilities.numberedRequests, true);
    client.end();
  });

  it("takes garbage for text, which then refuses its lines", async () => {
    const { recorder, client } = connected(PATIENT_MS);
    client.write(Uint8Array.of(0xff, 0xfe, 0x00, 0x0a, 0x89, 0x0a));
    await eventually(() => recorder.errors[1], "two refusals");
    assert.deepEqual(recorder.messages, [{ type: "hello", nick: "", client: "text" }]);
    assert.deepEqual(
      recorder.errors.map((e) => e.code),
      [ErrorCode.InvalidUtf8, ErrorCode.InvalidUtf8],
    );
    client.end();
  });
});
