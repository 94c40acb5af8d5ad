// What a session acknowledges is in the database file: readable by a store
// opened afresh after the server closed, and by another connection to the file
// while the server still runs; a full disk refuses lines instead of losing them.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import { privateConversation } from "../../src/store/conversations.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { StoredLine } from "../../src/store/store.js";
import { tempDir } from "../helpers/files.js";
import { TestServer } from "../helpers/server-context.js";
import { smallDisk } from "../helpers/small-disk.js";

const summary = (lines: StoredLine[]) => lines.map((l) => `${l.id} ${l.from} ${l.text}`);

describe("durability with the SQLite store", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function dataDir(): Promise<string> {
    const dir = await tempDir("durable");
    cleanups.push(() => dir.remove());
    return dir.path;
  }

  it("lines acknowledged through a session are read back by a store opened after the server closed", async () => {
    const dir = await dataDir();
    const server = await TestServer.start({ store: new SqliteStore(dir) });
    const ana = await server.join("ana");
    const ben = await server.join("ben");
    ana.read(
      { type: "say", seq: 1, text: "one" },
      { type: "action", seq: 2, text: "two" },
      { type: "private", seq: 3, to: "ben", text: "three" },
    );
    await ana.acked(3);
    await ben.waitFor((m) => m.type === "message" && m.text === "three");
    const delivered = ben.lines.map((l) => `${l.id} ${l.from} ${l.text}`);
    await server.close();

    const reopened = new SqliteStore(dir);
    cleanups.push(() => reopened.close());
    const kept = [
      ...reopened.latest("#lobby", 10),
      ...reopened.latest(privateConversation("ana", "ben"), 10),
    ];
    assert.deepEqual(summary(kept), delivered);
    assert.deepEqual(
      reopened.latest("#lobby", 10).map((l) => l.kind),
      ["say", "action"],
    );
  });

  it("an acknowledged line is committed at once: another store opened on the file meanwhile reads it", async () => {
    const dir = await dataDir();
    const server = await TestServer.start({ store: new SqliteStore(dir) });
    cleanups.push(() => server.close());
    const ana = await server.join("ana");
    ana.send({ type: "say", seq: 1, text: "no close needed" });
    await ana.acked(1);
    const other = new SqliteStore(dir);
    cleanups.push(() => other.close());
    assert.deepEqual(
      other.latest("#lobby", 10).map((l) => l.text),
      ["no close needed"],
    );
  });

  it("after a restart, the replay shows the lines from before, and ids go on from the last", async () => {
    const dir = await dataDir();
    const first = await TestServer.start({ store: new SqliteStore(dir) });
    const ana = await first.join("ana");
    ana.read({ type: "say", seq: 1, text: "before" }, { type: "say", seq: 2, text: "restart" });
    await ana.acked(2);
    await first.close();

    const second = await TestServer.start({ store: new SqliteStore(dir) });
    cleanups.push(() => second.close());
    const ben = await second.join("ben");
    assert.deepEqual(
      ben.lines.map((l) => `${l.text}${l.replayed ? " (replayed)" : ""}`),
      ["before (replayed)", "restart (replayed)"],
    );
    const lastId = ben.lines.at(-1)?.id ?? Number.POSITIVE_INFINITY;
    ben.send({ type: "say", seq: 1, text: "after" });
    await ben.acked(1);
    const after = second.store.latest("#lobby", 1)[0];
    assert.ok(after !== undefined && after.id > lastId, `id ${after?.id} after ${lastId}`);
  });

  it("on a full disk, lines are refused with CHAT_ERR_NOT_STORED and the session goes on", async () => {
    const disk = await smallDisk("full-db", 2 * 1024 * 1024);
    cleanups.push(() => disk.remove());
    const server = await TestServer.start({ store: new SqliteStore(disk.path) });
    cleanups.push(() => server.close());
    const ana = await server.join("ana");
    const ben = await server.join("ben");
    ana.send({ type: "say", seq: 1, text: "while there is room" });
    await ana.acked(1);
    // Fill the disk to the last byte; the database has no room left to grow.
    await writeFile(join(disk.path, "filler"), Buffer.alloc(2 * 1024 * 1024)).catch(() => {});
    ana.send({ type: "say", seq: 2, text: "x".repeat(4000) });
    const refused = await ana.answer(2);
    assert.equal(refused.type === "error" && refused.code, ErrorCode.NotStored);
    assert.match(refused.type === "error" ? refused.message : "", /disk is full/);
    ana.send({ type: "who", seq: 3 });
    await ana.acked(3);
    await ben.roundTrip();
    assert.deepEqual(
      ben.lines.map((l) => l.text),
      ["while there is room"],
    );
  });
});
