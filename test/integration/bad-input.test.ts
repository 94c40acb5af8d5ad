// Hostile or broken input: each case gets a clear error or a close, and the
// server goes on serving everyone else.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { FrameType } from "../../src/protocol/frame.js";
import { encodeClientMessage } from "../../src/protocol/messages.js";
import { joinedTextPeer, type NativePeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

describe("bad input", () => {
  let server: ServerProcess;
  let watcher: NativePeer;
  let speaker: NativePeer;
  let round = 0;

  before(async () => {
    server = await startServer(["--quiet"]);
    watcher = await nativePeer(server.port, "watcher");
    speaker = await nativePeer(server.port, "speaker");
  });
  after(async () => {
    watcher.client.close();
    speaker.client.close();
    assert.equal(await server.stop(), 0);
  });

  /** After each case, the server still relays between two healthy clients. */
  beforeEach(async () => {
    round += 1;
    const text = `still here ${round}`;
    await speaker.client.send({ type: "say", text });
    await watcher.waitFor((m) => m.type === "message" && m.text === text);
  });

  it("1 MiB of random bytes: the connection is closed or told off, nothing is relayed", async () => {
    const raw = await rawNative(server.port);
    raw.socket.removeAllListeners("data");
    raw.socket.resume();
    raw.write(randomBytes(1024 * 1024));
    await raw.closed;
    assert.equal(
      watcher.received.filter((m) => m.type === "message" && m.from !== "speaker").length,
      0,
    );
  });

  it("1 MiB of random bytes from a connection without handshake (taken for text) is closed", async () => {
    const text = await joinedTextPeer(server.port);
    text.socket.write(randomBytes(1024 * 1024));
    await text.closed;
    assert.ok(
      text.lines.lines.some((l) => l.startsWith("* error: ")),
      "the peer was told why",
    );
  });

  it("a frame announcing 4 GiB is refused at once with CHAT_ERR_FRAME_TOO_LARGE and closed", async () => {
    const raw = await rawNative(server.port, "huge");
    raw.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, FrameType.Say));
    const bye = await raw.waitFor((m) => m.type === "bye");
    assert.equal(bye.type === "bye" && bye.code, "CHAT_ERR_FRAME_TOO_LARGE");
    await raw.closed;
    await watcher.waitFor((m) => m.type === "left" && m.nick === "huge");
  });

  it("before its hello, a peer may announce no frame over 4 KiB; after it, frames up to the limit", async () => {
    const nobody = await rawNative(server.port);
    nobody.write(Uint8Array.of(0x00, 0x00, 0x10, 0x01, FrameType.Say));
    const bye = await nobody.waitFor((m) => m.type === "bye");
    assert.equal(bye.type === "bye" && bye.code, "CHAT_ERR_FRAME_TOO_LARGE");
    assert.match(bye.type === "bye" ? bye.reason : "", /4097 bytes; the limit is 4096/);
    await nobody.closed;
    // Joined, a frame of 64 KiB (a long line, refused for its length but read whole) is taken.
    const somebody = await rawNative(server.port, "somebody");
    somebody.send({ type: "say", seq: 7, text: "x".repeat(65_536) });
    const refusal = await somebody.waitFor((m) => m.type === "error" && m.seq === 7);
    assert.equal(refusal.type === "error" && refusal.code, "CHAT_ERR_MESSAGE_TOO_LARGE");
    somebody.socket.destroy();
  });

  it("a truncated frame followed by a close relays nothing and the peer leaves", async () => {
    const raw = await rawNative(server.port, "cut");
    const frame = encodeClientMessage({ type: "say", seq: 1, text: "never whole" });
    raw.write(frame.subarray(0, frame.length - 3));
    raw.socket.end();
    await watcher.waitFor((m) => m.type === "left" && m.nick === "cut");
    assert.ok(!watcher.received.some((m) => m.type === "message" && m.text.includes("never")));
  });

  it("invalid UTF-8 in a native message is refused, and the connection goes on", async () => {
    const raw = await rawNative(server.port, "badutf");
    const frame = encodeClientMessage({ type: "say", seq: 7, text: "abcd", room: "" });
    // The last two bytes of the text, which the room's empty string (4 bytes) follows.
    frame.set([0xc3, 0x28], frame.length - 4 - 2);
    raw.write(frame);
    const error = await raw.waitFor((m) => m.type === "error");
    assert.equal(error.type === "error" && error.code, "CHAT_ERR_INVALID_UTF8");
    raw.send({ type: "say", seq: 8, text: "valid now" });
    await raw.waitFor((m) => m.type === "ack" && m.seq === 8);
    await watcher.waitFor((m) => m.type === "message" && m.text === "valid now");
    raw.socket.destroy();
  });

  it("invalid UTF-8 in a text line is refused, and the connection goes on", async () => {
    const text = await joinedTextPeer(server.port, "badline");
    text.socket.write(Buffer.from([0x68, 0xff, 0xfe, 0x0a]));
    await text.lines.waitFor(/^\* error: text is not valid UTF-8/);
    text.send("fine again");
    await watcher.waitFor((m) => m.type === "message" && m.text === "fine again");
    text.socket.destroy();
  });

  it("an over-long text line is refused and discarded; the next line is delivered", async () => {
    const text = await joinedTextPeer(server.port, "longline");
    text.socket.write(`${"x".repeat(100_000)}\nshort one\n`);
    await text.lines.waitFor(/^\* error: line too long/);
    await watcher.waitFor((m) => m.type === "message" && m.text === "short one");
    assert.ok(!watcher.received.some((m) => m.type === "message" && m.text.startsWith("xxx")));
    text.socket.destroy();
  });

  it("an oversize native message is refused with its sequence number", async () => {
    const error = await speaker.client.send({ type: "say", text: "é".repeat(3000) }).then(
      () => undefined,
      (e: { code: string }) => e.code,
    );
    assert.equal(error, "CHAT_ERR_MESSAGE_TOO_LARGE");
  });

  it("control characters in a message are refused", async () => {
    const error = await speaker.client.send({ type: "say", text: "\x1b[2Jgotcha" }).then(
      () => undefined,
      (e: { code: string }) => e.code,
    );
    assert.equal(error, "CHAT_ERR_CONTROL_CHARACTERS");
  });

  it("an unknown frame type gets a non-fatal error", async () => {
    const raw = await rawNative(server.port, "future");
    raw.write(Uint8Array.of(0, 0, 0, 2, 0x7e, 1, 2));
    const error = await raw.waitFor((m) => m.type === "error");
    assert.equal(error.type === "error" && error.code, "CHAT_ERR_UNKNOWN_FRAME");
    raw.send({ type: "say", seq: 1, text: "from the future" });
    await watcher.waitFor((m) => m.type === "message" && m.text === "from the future");
    raw.socket.destroy();
  });

  it("an unsupported protocol version is refused with a reason", async () => {
    const socket = connect({ host: "127.0.0.1", port: server.port });
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.write(Uint8Array.of(0x89, 0x53, 0x43, 0x48, 0x41, 0x54, 0x0d, 0x0a, 99));
    await new Promise((resolve) => socket.on("close", resolve));
    assert.match(Buffer.concat(chunks).toString("latin1"), /CHAT_ERR_UNSUPPORTED_VERSION/);
  });

  it("a client that quits and goes on writing is let go at once, not after the close grace", async () => {
    const raw = await rawNative(server.port, "talker");
    raw.send({ type: "file-offer", seq: 1, name: "unsent.bin", size: 1000 });
    const accepted = await raw.waitFor((m) => m.type === "file-accepted");
    raw.send({ type: "quit", seq: 2, reason: "bye" });
    await raw.waitFor((m) => m.type === "bye");
    // Bytes the server does not read kept it from seeing this side close until its
    // 2 s grace period ran out; until then its upload counted as under way.
    const wrote = Date.now();
    for (let token = 0; token < 20; token++) raw.send({ type: "ping", token });
    const id = accepted.type === "file-accepted" ? accepted.id : 0;
    await watcher.waitFor((m) => m.type === "file-cancelled" && m.id === id);
    const waited = Date.now() - wrote;
    assert.ok(waited < 1000, `the upload was given up ${waited} ms after the client closed`);
  });

  it("a message before hello is refused with CHAT_ERR_NOT_JOINED", async () => {
    const raw = await rawNative(server.port);
    raw.send({ type: "say", seq: 3, text: "who am I" });
    const error = await raw.waitFor((m) => m.type === "error");
    assert.equal(error.type === "error" && error.code, "CHAT_ERR_NOT_JOINED");
    raw.socket.destroy();
  });
});

describe("heartbeats before hello", () => {
  it("a ping before hello gets CHAT_ERR_NOT_JOINED, not a pong, and pays the rate limit", async () => {
    // 3 at once, then 2 a second: the last 3 of 6 pings must take about 1.5 s.
    const server = await startServer(["--quiet", "--rate-limit", "2", "--rate-burst", "3"]);
    const raw = await rawNative(server.port);
    const answered: number[] = [];
    raw.socket.on("data", () => {
      while (answered.length < raw.received.length) answered.push(Date.now());
    });
    for (let token = 1; token <= 6; token++) raw.send({ type: "ping", token });
    await raw.waitFor(() => raw.received.length === 6);
    for (const m of raw.received) {
      assert.equal(m.type === "error" && m.seq === 0 && m.code, "CHAT_ERR_NOT_JOINED");
    }
    const heldBack = (answered[5] as number) - (answered[2] as number);
    assert.ok(heldBack >= 1000, `the last three came ${heldBack} ms after the first three`);
    raw.socket.destroy();
    assert.equal(await server.stop(), 0);
  });
});

describe("file offers from a hostile client", () => {
  it("at most 8 uploads may be under way per client; the 9th offer is refused", async () => {
    const server = await startServer(["--quiet"]);
    const raw = await rawNative(server.port, "hoarder");
    for (let seq = 1; seq <= 9; seq++)
      raw.send({ type: "file-offer", seq, name: `f${seq}`, size: 1000 });
    const refusal = await raw.waitFor((m) => m.type === "error" && m.seq === 9);
    assert.match(refusal.type === "error" ? refusal.message : "", /already sending 8 files/);
    const accepted = () => raw.received.filter((m) => m.type === "file-accepted").length;
    await raw.waitFor(() => accepted() === 8);
    // Every offer has been answered by now (each gets an ack or an error); no ninth acceptance.
    await raw.waitFor(() => raw.received.filter((m) => m.type === "ack").length === 8);
    assert.equal(accepted(), 8);
    raw.socket.destroy();
    assert.equal(await server.stop(), 0);
  });
});
