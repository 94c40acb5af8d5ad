// A client that stops reading must not hold anyone back or grow the server's
// memory: it is disconnected with a reason while the others get everything.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { floodPastStalled, floodUntil } from "../helpers/flood.js";
import { nativePeer } from "../helpers/peers.js";
import { startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

describe("slow consumers", { timeout: 60_000 }, () => {
  it("one that stops reading is dropped with a reason; others get every message; memory stays bounded", async () => {
    const server = await startServer(["--quiet", "--rate-limit", "0"]);
    const stalled = await rawNative(server.port, "stalled");
    stalled.socket.pause();
    const fast = await nativePeer(server.port, "fast");
    const { sent, outcome, delivered } = await floodPastStalled(server.port, fast, "stalled");
    assert.match(outcome.type === "left" ? outcome.reason : "", /stopped reading/);
    await fast.waitFor((m) => m.type === "left" && m.nick === "flooder");
    assert.equal(delivered(), sent);

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

    const { outcome } = await floodUntil(
      server.port,
      watcher,
      (m) => m.type === "left" && m.nick === "sluggish",
    );
    assert.match(outcome.type === "left" ? outcome.reason : "", /read too slowly/);
    stalled.socket.destroy();
    watcher.client.close();
    assert.equal(await server.stop(), 0);
  });
});
