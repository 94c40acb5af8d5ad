// The file relay across restarts, in-process: a relay and its SQLite store are
// closed, and a new relay opens over the same spool directory and database, as
// a restarted server would. What was kept is served as before, under the same
// id and expiry; what was under way is gone from disk and index; no id returns.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ProtocolError } from "../../src/protocol/errors.js";
import type { FileEntry } from "../../src/protocol/messages.js";
import type { FileRelay, FileRelayConfig } from "../../src/server/file-relay.js";
import { roomConversation } from "../../src/store/conversations.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { tempDir } from "../helpers/files.js";
import { Peer, sendChunks, spoolDirOf, startRelay, upload } from "../helpers/relay-peers.js";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("FileRelay across restarts", () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let dirs = 0;
  /** Whatever a test left running: relays to stop, then stores to close. */
  const running: { relay: FileRelay; store: Store }[] = [];

  before(async () => {
    scratch = await tempDir("relay-restart");
  });
  after(async () => {
    for (const { relay, store } of running) {
      await relay.stop();
      store.close();
    }
    await scratch.remove();
  });

  /** A server's data directory: the database and the spool. */
  function dataDir(): string {
    dirs += 1;
    return join(scratch.path, String(dirs));
  }

  /** Starts a relay over `dir` as a server would, with everyone in every room. */
  async function boot(dir: string, peers: Peer[], config: Partial<FileRelayConfig> = {}) {
    const store = new SqliteStore(dir);
    const relay = await startRelay({ dir, store, audience: () => peers, config });
    const run = { relay, store };
    running.push(run);
    return run;
  }

  /** Stops a relay and closes its store, as a server shutting down does. */
  async function shutDown(run: { relay: FileRelay; store: Store }): Promise<void> {
    running.splice(running.indexOf(run), 1);
    await run.relay.stop();
    run.store.close();
  }

  const spooled = async (dir: string) => (await readdir(spoolDirOf(dir))).sort();

  it("serves the files kept before a restart under the same ids, until the same expiry", async () => {
    const dir = dataDir();
    const alice = new Peer("alice");
    const first = await boot(dir, [alice]);
    const said = first.store.append({
      conversation: roomConversation("#dev"),
      kind: "say",
      room: "#dev",
      from: "alice",
      to: "",
      text: "the big one comes next",
    });
    await said.stored;
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const big = await upload(first.relay, alice, data, { room: "#dev", name: "big.bin" });
    const small = await upload(first.relay, alice, randomBytes(10), { name: "small.txt" });
    const before = { dev: first.relay.list("#dev"), lobby: first.relay.list("#lobby") };
    // Where each sits in its room's history comes back with it.
    assert.deepEqual(
      [...before.dev.files, ...before.lobby.files].map((f) => f.afterLine),
      [said.line.id, 0],
    );
    await shutDown(first);

    const bob = new Peer("bob");
    const second = await boot(dir, [bob]);
    assert.deepEqual(second.relay.list("#dev"), before.dev);
    assert.deepEqual(second.relay.list("#lobby"), before.lobby);
    assert.equal(second.relay.newestNamed("#dev", "big.bin"), big.id);
    assert.equal(second.relay.newestNamed("#lobby", "small.txt"), small.id);

    assert.equal(second.relay.get(bob, big.id, 0), undefined);
    const offered = await bob.waitFor((m) => m.type === "file-offered" && m.id === big.id);
    assert.deepEqual(
      offered.type === "file-offered" && [offered.from, offered.name, offered.size],
      ["alice", "big.bin", data.length],
    );
    const end = await bob.waitFor((m) => m.type === "file-end" && m.id === big.id);
    assert.deepEqual(bob.bytesOf(big.id), data);
    assert.deepEqual(
      end.type === "file-end" && Buffer.from(end.sha256),
      Buffer.from(big.sha256 as Uint8Array),
    );
    second.relay.received(bob, big.id, true, "");

    const resumed = new Peer("resumed");
    assert.equal(second.relay.get(resumed, big.id, 1000), undefined, "a resumed /get too");
    await resumed.waitFor((m) => m.type === "file-end" && m.id === big.id);
    assert.deepEqual(resumed.bytesOf(big.id), data.subarray(1000));

    const later = await upload(second.relay, bob, randomBytes(5), { name: "later.txt" });
    assert.ok(later.id > Math.max(big.id, small.id), `new id ${later.id}`);
    await shutDown(second);
  });

  it("discards an upload cut off by a crash, from disk and from the index, and never reuses its id", async () => {
    const dir = dataDir();
    const alice = new Peer("alice");
    const first = await boot(dir, [alice], { transferTimeoutMs: 60_000 });
    const kept = await upload(first.relay, alice, randomBytes(100), { name: "kept.bin" });
    const cut = await first.relay.offer(alice, "#lobby", "cut.bin", 10_000_000);
    assert.ok(!(cut instanceof ProtocolError));
    await sendChunks(first.relay, alice, cut.id, randomBytes(1024 * 1024));
    await alice.waitFor((m) => m.type === "file-window" && m.id === cut.id);
    assert.deepEqual(await spooled(dir), [String(kept.id), String(cut.id)].sort());
    // The crash: the relay never stops; the database is left as it was.
    first.store.close();
    // Left by some other accident: a spool file no record names, and a file not the spool's.
    await writeFile(join(spoolDirOf(dir), "999999"), "orphan");
    await writeFile(join(spoolDirOf(dir), "README"), "not a spool file");

    const second = await boot(dir, [alice]);
    assert.deepEqual(await spooled(dir), [String(kept.id), "README"].sort());
    assert.deepEqual(
      second.store.keptFiles().map((f) => f.id),
      [kept.id],
    );
    assert.deepEqual(second.store.takeUnfinishedFiles(), [], "its record was taken at start");
    assert.deepEqual(
      second.relay.list("#lobby").files.map((f) => f.id),
      [kept.id],
    );
    assert.match(second.relay.get(alice, cut.id, 0)?.message ?? "", /no shared file/);
    const next = await upload(second.relay, alice, randomBytes(5), { name: "next.bin" });
    assert.ok(next.id > cut.id, `new id ${next.id} after ${cut.id}`);
    await shutDown(second);
    // The crashed relay, stopped only now, takes nothing from the one after it.
    running.splice(running.indexOf(first), 1);
    await first.relay.stop();
    assert.deepEqual(await spooled(dir), [String(kept.id), String(next.id), "README"].sort());
  });

  it("drops at start the files that expired while it was down, and retires the others on time", async () => {
    const dir = dataDir();
    const alice = new Peer("alice");
    const first = await boot(dir, [alice], { retentionMs: 300 });
    const early = await upload(first.relay, alice, randomBytes(10), { name: "early.txt" });
    await shutDown(first);
    await delay(400);

    const second = await boot(dir, [alice], { retentionMs: 1500 });
    assert.deepEqual(second.relay.list("#lobby"), { files: [], total: 0 });
    assert.deepEqual(await spooled(dir), []);
    const late = await upload(second.relay, alice, randomBytes(10), { name: "late.txt" });
    const expiresAt = late.expiresAt;
    await shutDown(second);

    // Kept longer by this run's retention, the file still expires when its own run said.
    const third = await boot(dir, [alice], { retentionMs: 60_000 });
    assert.deepEqual(
      third.relay.list("#lobby").files.map((f) => [f.id, f.expiresAt]),
      [[late.id, expiresAt]],
    );
    assert.ok(early.id < late.id);
    while (third.relay.list("#lobby").total > 0) {
      assert.ok(Date.now() < expiresAt + 2000, "still listed 2 s after it expired");
      await delay(20);
    }
    assert.ok(Date.now() >= expiresAt);
    assert.deepEqual(third.store.keptFiles(), []);
    while ((await spooled(dir)).length > 0) await delay(20);
    await shutDown(third);
  });

  it("drops a kept file whose spool file is no longer whole", async () => {
    const dir = dataDir();
    const alice = new Peer("alice");
    const first = await boot(dir, [alice]);
    const damaged = await upload(first.relay, alice, randomBytes(1000), { name: "damaged.bin" });
    const whole = await upload(first.relay, alice, randomBytes(1000), { name: "whole.bin" });
    await shutDown(first);
    await truncate(join(spoolDirOf(dir), String(damaged.id)), 500);

    const second = await boot(dir, [alice]);
    assert.deepEqual(
      second.relay.list("#lobby").files.map((f) => f.id),
      [whole.id],
    );
    assert.deepEqual(
      second.store.keptFiles().map((f) => f.id),
      [whole.id],
    );
    assert.deepEqual(await spooled(dir), [String(whole.id)]);
    await shutDown(second);
  });

  it("keeps the original client's upload with the size it had at its end marker", async () => {
    const dir = dataDir();
    const sender = new Peer("legacy", "10.0.0.1", false);
    const first = await boot(dir, [sender]);
    await first.relay.legacyStart(sender, "#lobby", "notes.txt");
    await first.relay.legacyData(sender, new TextEncoder().encode("hello, world"));
    await first.relay.legacyEnd(sender);
    const [listed] = first.relay.list("#lobby").files;
    assert.equal(listed?.size, 12);
    await shutDown(first);

    const second = await boot(dir, [sender]);
    // As hex: the hash read back from the database is a Buffer.
    const withHex = (f: FileEntry | undefined) =>
      f && { ...f, sha256: Buffer.from(f.sha256).toString("hex") };
    assert.deepEqual(second.relay.list("#lobby").files.map(withHex), [withHex(listed)]);
    const [record] = second.store.keptFiles();
    assert.deepEqual(record && [record.size, record.senderHash], [12, false]);
    const reader = new Peer("reader");
    assert.equal(second.relay.get(reader, listed?.id ?? 0, 0), undefined);
    await reader.waitFor((m) => m.type === "file-end");
    assert.equal(Buffer.from(reader.bytesOf(listed?.id ?? 0)).toString(), "hello, world");
    await shutDown(second);
  });
});
