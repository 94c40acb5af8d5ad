// A client that stops reading must not hold anyone back or grow the server's
// memory: it is disconnected with a reason while the others get everything.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nativePeer } from "../helpers/peers.js";
import { startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

const MESSAGE = "x".repeat(4000);

/**
 * Sends `count` messages of 4 KB. With `pace`, it waits before each as `pace`
 * says: the test keeps it no more than 512 KB ahead of a healthy receiver, which
 * on a busy machine could otherwise lag past the limit itself and be dropped.
 */
async function flood(
  port: number,
  count: number,
  pace: (sent: number) => Promise<void> = async () => {},
): Promise<void> {
  const sender = await nativePeer(port, "flooder");
  const confirmations: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    await pace(i);
    confirmations.push(sender.client.send({ type: "say", text: `${i} ${MESSAGE}` }));
  }
  await Promise.all(confirmations);
  sender.client.close();
}

describe("slow consumers", { timeout: 60_000 }, () => {
  it("one that stops reading is dropped with a reason; others get every message; memory stays bounded", async () => {
    const server = await startServer(["--quiet", "--rate-limit", "0"]);
    const stalled = await rawNative(server.port, "stalled");
    stalled.socket.pause();
    const fast = await nativePeer(server.port, "fast");
    const count = 16_000; // 64 MB, far beyond any socket buffer
    let delivered = 0;
    fast.client.on("server", (m) => {
      if (m.type === "message" && m.from === "flooder") delivered += 1;
    });

    await flood(server.port, count, async (sent) => {
      if (sent - delivered >= 128) await fast.waitFor(() => sent - delivered < 64, 30_000);
    });
    const left = await fast.waitFor((m) => m.type === "left" && m.nick === "stalled");
    assert.match(left.type === "left" ? left.reason : "", /stopped reading/);
    await fast.waitFor((m) => m.type === "left" && m.nick === "flooder");
    assert.equal(delivered, count);

    const { peak } = await server.memory();
    assert.ok(peak < 200 * 1024 * 1024, `server peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    stalled.socket.destroy();
    fast.client.close();
    assert.equal(await server.stop(), 0);
  });

  it("one that reads too slowly for longer than --slow-timeout is dropped", async () => {
    // A big queue limit so only the timeout can end it.
    const server = await startServer([
      "--quiet",
      "--rate-limit",
      "0",
      "--send-queue-limit",
      "67108864",
      "--slow-timeout",
      "0.5",
    ]);
    const stalled = await rawNative(server.port, "sluggish");
    stalled.socket.pause();
    const watcher = await nativePeer(server.port, "watcher");

    await flood(server.port, 8_000); // 32 MB: past socket buffers and a quarter of the limit
    const left = await watcher.waitFor((m) => m.type === "left" && m.nick === "sluggish");
    assert.match(left.type === "left" ? left.reason : "", /read too slowly/);
    stalled.socket.destroy();
    watcher.client.close();
    assert.equal(await server.stop(), 0);
  });
});
