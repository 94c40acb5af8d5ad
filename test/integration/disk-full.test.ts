// A full disk while the server runs: a line that cannot be stored is refused
// to its sender, never acknowledged and seen by nobody, and the server goes on;
// once there is room again, lines are stored and delivered as ever.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import { startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";
import { type SmallDisk, smallDisk } from "../helpers/small-disk.js";

/** Writes random blocks until the disk refuses one. */
async function fill(path: string): Promise<void> {
  const file = await open(path, "w");
  const block = randomBytes(64 * 1024);
  try {
    for (;;) await file.write(block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await file.close().catch(() => undefined);
  }
}

describe("a full disk", { timeout: 60_000 }, () => {
  let disk: SmallDisk;
  before(async () => {
    disk = await smallDisk("history-full", 8 * 1024 * 1024);
  });
  after(() => disk.remove());

  it("refuses the line it cannot store, delivers it to nobody, and keeps serving", async () => {
    const server = await startServer(["--quiet", "--data-dir", disk.path]);
    const sender = await rawNative(server.port, "writer");
    const watcher = await rawNative(server.port, "watcher");
    sender.send({ type: "say", seq: 1, text: "stored before" });
    await sender.waitFor((m) => m.type === "ack" && m.seq === 1);

    const filler = join(disk.path, "filler");
    await fill(filler);
    const text = "x".repeat(4000);
    let refused = 0;
    // The database's log may still hold a few pages of room: write until it has none.
    for (let seq = 2; refused === 0 && seq < 200; seq++) {
      sender.send({ type: "say", seq, text: `${seq} ${text}` });
      const reply = await sender.waitFor(
        (m) => (m.type === "ack" || m.type === "error") && m.seq === seq,
      );
      if (reply.type === "error") {
        assert.equal(reply.code, ErrorCode.NotStored);
        assert.match(reply.message, /the server's disk is full/);
        refused = seq;
      }
    }
    assert.ok(refused > 0, "the disk never filled");

    await rm(filler);
    sender.send({ type: "say", seq: 1000, text: "stored after" });
    await sender.waitFor((m) => m.type === "ack" && m.seq === 1000);
    await watcher.waitFor((m) => m.type === "message" && m.text === "stored after");
    // Every line the watcher saw was acknowledged; the refused one reached nobody.
    assert.ok(
      !watcher.received.some((m) => m.type === "message" && m.text.startsWith(`${refused} `)),
    );
    sender.socket.destroy();
    watcher.socket.destroy();
    assert.equal(await server.stop(), 0);
  });
});
