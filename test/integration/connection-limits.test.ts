// Caps on open connections: per address and in all. Each loopback address
// stands for another machine.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { joinedTextPeer, nativePeer, textPeer } from "../helpers/peers.js";
import { startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

describe("connection limits", { timeout: 60_000 }, () => {
  it("tells a connection past its address's cap why in a line and closes it; other addresses are served", async () => {
    const server = await startServer(["--quiet", "--max-connections-per-ip", "3"]);
    const watcher = await joinedTextPeer(server.port, "watcher", "127.0.0.5");
    const held = await Promise.all(
      ["one", "two", "three"].map((nick) => joinedTextPeer(server.port, nick, "127.0.0.4")),
    );
    const over = await textPeer(server.port, "127.0.0.4");
    await over.lines.waitFor(
      /^\* too many connections from 127\.0\.0\.4 \(at most 3\); close one and try again$/,
    );
    await over.closed;
    assert.ok(!over.lines.lines.some((line) => line.startsWith("* welcome")), "never joined");

    // One closes; its place is free again.
    held[0]?.socket.destroy();
    await watcher.lines.waitFor(/^\* one left/);
    const again = await joinedTextPeer(server.port, "again", "127.0.0.4");
    for (const peer of [watcher, again, ...held]) peer.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("tells a connection past the cap in all that the server is full", async () => {
    const server = await startServer(["--quiet", "--max-connections", "2"]);
    const first = await joinedTextPeer(server.port, "first", "127.0.0.7");
    const second = await joinedTextPeer(server.port, "second", "127.0.0.8");
    const over = await textPeer(server.port, "127.0.0.9");
    await over.lines.waitFor(/^\* the server is full \(2 connections\); try again later$/);
    await over.closed;
    for (const peer of [first, second]) peer.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("goes on serving others while one address opens hundreds of connections", async () => {
    const server = await startServer(["--quiet", "--max-connections-per-ip", "16"]);
    const chatter = await nativePeer(server.port, "chatter");
    const FLOOD = 300;
    const flood = Array.from({ length: FLOOD }, () =>
      connect({ host: "127.0.0.1", port: server.port, localAddress: "127.0.0.6" }),
    );
    const refused = flood.map(async (socket) => {
      let said = "";
      socket.setEncoding("latin1");
      socket.on("data", (text: string) => {
        said += text;
      });
      socket.on("error", () => {});
      await once(socket, "connect");
      // Refused ones are told at once; admitted ones are welcomed, as silent text clients.
      await new Promise<void>((resolve) => {
        const check = () => {
          if (said.includes("\n")) resolve();
        };
        socket.on("data", check);
      });
      return said.startsWith("* too many connections");
    });
    const lines = Array.from({ length: 20 }, (_, i) =>
      chatter.client.send({ type: "say", text: `still here ${i}` }),
    );
    await Promise.all(lines);
    const outcomes = await Promise.all(refused);
    assert.equal(outcomes.filter(Boolean).length, FLOOD - 16, "all but 16 refused");
    for (const socket of flood) socket.destroy();
    await chatter.client.close();
    assert.equal(await server.stop(), 0);
  });

  it("lets go of a peer that drips a line or a frame and never finishes it, past --input-deadline", async () => {
    const server = await startServer(["--quiet", "--heartbeat", "1", "--input-deadline", "2"]);
    const watcher = await nativePeer(server.port, "watcher");
    const quiet = await joinedTextPeer(server.port, "quiet", "127.0.0.11");
    // A line begun and dripped a byte at a time, as slowloris does.
    const dripper = await joinedTextPeer(server.port, "dripper", "127.0.0.10");
    const started = Date.now();
    const drip = setInterval(() => dripper.socket.write("x"), 300);
    // Half a frame: a header announcing 100 bytes, and 3 of them.
    const halfway = await rawNative(server.port, "halfway");
    halfway.write(Uint8Array.of(0, 0, 0, 100, 0x02, 1, 2, 3));
    await Promise.all([dripper.closed, halfway.closed]);
    clearInterval(drip);
    assert.ok(Date.now() - started >= 2000, "not before the deadline");
    assert.ok(
      dripper.lines.lines.some((line) => /^\* disconnected by server: too slow: /.test(line)),
      dripper.lines.lines.join("\n"),
    );
    const bye = halfway.received.find((m) => m.type === "bye");
    assert.equal(bye?.type === "bye" && bye.code, "CHAT_ERR_INPUT_TIMEOUT");
    // Those who finish what they send, or send nothing, stay.
    quiet.socket.write("hel");
    quiet.socket.write("lo\n");
    await watcher.waitFor((m) => m.type === "message" && m.from === "quiet" && m.text === "hello");
    await watcher.client.send({ type: "say", text: "still here" });
    for (const peer of [quiet, dripper]) peer.socket.destroy();
    await watcher.client.close();
    assert.equal(await server.stop(), 0);
  });
});
