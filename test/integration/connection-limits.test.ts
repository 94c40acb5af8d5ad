// Caps on open connections: per address and in all. Each loopback address
// stands for another machine.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { joinedTextPeer, nativePeer, textPeer } from "../helpers/peers.js";
import { startServer } from "../helpers/processes.js";

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
});
