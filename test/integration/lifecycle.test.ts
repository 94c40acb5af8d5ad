// Heartbeats, rate limits, idle cost and shutdown of a real server process.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { tempDir } from "../helpers/files.js";
import { joinedTextPeer, nativePeer } from "../helpers/peers.js";
import { startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

describe("server lifecycle", () => {
  it("drops a native peer that stops answering pings, and keeps one that answers", async () => {
    // Short enough to test quickly, long enough that a busy CI machine still answers in time.
    const server = await startServer(["--quiet", "--heartbeat", "1"]);
    const alive = await nativePeer(server.port, "alive");
    const mute = await rawNative(server.port, "mute");
    mute.socket.pause(); // reads nothing, so never answers a ping

    const left = await alive.waitFor((m) => m.type === "left" && m.nick === "mute");
    assert.match(left.type === "left" ? left.reason : "", /^ping timeout/);
    // `alive` went through the same silent intervals and answered.
    await alive.client.send({ type: "say", text: "still connected" });
    alive.client.close();
    mute.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("delays a client past its burst instead of dropping anything", async () => {
    const server = await startServer(["--quiet", "--rate-limit", "10", "--rate-burst", "5"]);
    const sender = await nativePeer(server.port, "chatty");
    const listener = await nativePeer(server.port, "listener");
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => sender.client.send({ type: "say", text: `line ${i}` })),
    );
    const elapsed = Date.now() - started;
    await listener.waitFor((m) => m.type === "message" && m.text === "line 14");
    const lines = listener.received
      .filter((m) => m.type === "message")
      .map((m) => (m.type === "message" ? m.text : ""));
    assert.deepEqual(
      lines,
      Array.from({ length: 15 }, (_, i) => `line ${i}`),
    );
    // 5 at once, then 10 more at 10 per second: about a second of delay, not a drop.
    assert.ok(elapsed >= 800, `all confirmed after only ${elapsed} ms`);
    sender.client.close();
    listener.client.close();
    assert.equal(await server.stop(), 0);
  });

  it("uses almost no CPU when nobody is talking, including after clients leave", async () => {
    const server = await startServer(["--quiet"]);
    const natives = await Promise.all(
      Array.from({ length: 10 }, (_, i) => nativePeer(server.port, `n${i}`)),
    );
    const texts = await Promise.all(Array.from({ length: 10 }, () => joinedTextPeer(server.port)));
    await natives[0]?.client.send({ type: "say", text: "hello all" });
    for (const p of natives.slice(5)) p.client.close();
    for (const p of texts.slice(5)) p.socket.destroy();
    await natives[0]?.waitFor((m) => m.type === "left" && m.nick === "n9");

    const before = await server.cpuSeconds();
    await delay(2000); // the measurement window itself
    const used = (await server.cpuSeconds()) - before;
    assert.ok(used < 0.1, `server used ${used.toFixed(2)} s of CPU in 2 s of silence`);

    for (const p of natives.slice(0, 5)) p.client.close();
    for (const p of texts.slice(0, 5)) p.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("SIGTERM in the middle of uploads leaves no spool file behind", async () => {
    const dataDir = await tempDir("sigterm");
    const server = await startServer(["--quiet", "--rate-limit", "0", "--data-dir", dataDir.path]);
    const senders = await Promise.all([rawNative(server.port, "s1"), rawNative(server.port, "s2")]);
    const data = new Uint8Array(256 * 1024).fill(3);
    for (const sender of senders) {
      for (let seq = 1; seq <= 8; seq++) {
        sender.send({ type: "file-offer", seq, name: `part${seq}.bin`, size: 10_000_000 });
      }
    }
    for (const sender of senders) {
      for (let seq = 1; seq <= 8; seq++) {
        const accepted = await sender.waitFor((m) => m.type === "file-accepted" && m.seq === seq);
        const id = accepted.type === "file-accepted" ? accepted.id : 0;
        sender.send({ type: "file-chunk", id, offset: 0, data });
      }
    }
    const spool = join(dataDir.path, "spool");
    assert.equal((await readdir(spool)).length, 16, "every upload has its spool file");
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    assert.deepEqual(await readdir(spool), []);
    await dataDir.remove();
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`shuts down gracefully on ${signal}: clients are told, the server exits 0`, async () => {
      const server = await startServer(["--quiet"]);
      const native = await nativePeer(server.port, "stayer");
      const text = await joinedTextPeer(server.port);
      server.child.kill(signal);
      const bye = await native.waitFor((m) => m.type === "bye");
      assert.equal(bye.type === "bye" && bye.code, "CHAT_ERR_SHUTDOWN");
      await text.lines.waitFor(/^\* disconnected by server: server shutting down$/);
      await Promise.all([native.closed, text.closed]);
      assert.equal(await server.exited, 0);
    });
  }
});
