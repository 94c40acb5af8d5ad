// The directory store: partial files that only their own client writes, and
// the rule for taking over one another client left behind.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { IncomingFile } from "../../../src/client/files.js";
import { DirectoryStore, sha256Hasher } from "../../../src/client/node/node-files.js";
import { tempDir } from "../../helpers/files.js";
import { LineCollector } from "../../helpers/lines.js";

const PARTIAL_HOLDER = fileURLToPath(new URL("../../fixtures/partial-holder.js", import.meta.url));

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("DirectoryStore", () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let dirs = 0;
  /** A fresh save directory per test. */
  const saveDir = () => join(work.path, `save-${++dirs}`);

  before(async () => {
    work = await tempDir("store");
  });
  after(() => work.remove());

  const parts = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith(".part"));

  it("never takes a partial another store is writing; takes it once that store has suspended it", async () => {
    const dir = saveDir();
    const content = new Uint8Array(10).map((_, i) => i);
    const file: IncomingFile = { id: 7, from: "x", name: "n.bin", size: content.length };
    const writing = await new DirectoryStore(dir).open(file, 0, sha256Hasher());
    await writing.write(content.subarray(0, 4));
    const other = new DirectoryStore(dir);
    assert.equal(await other.claimPartial(7), 0);
    await writing.write(content.subarray(4, 6));
    await writing.suspend();

    assert.equal(await other.claimPartial(7), 6);
    const hasher = sha256Hasher();
    const resumed = await other.open(file, 6, hasher);
    await resumed.write(content.subarray(6));
    hasher.update(content.subarray(6)); // as Downloads does with what it writes
    assert.equal(hex(hasher.digest()), sha256(content), "the kept bytes are hashed first");
    const path = await resumed.commit();
    assert.deepEqual(new Uint8Array(await readFile(path)), content);
    assert.deepEqual(await parts(dir), []);
  });

  it("never takes a partial of a process that is running; takes it once that process has exited", async () => {
    const dir = saveDir();
    const holder = spawn(process.execPath, [PARTIAL_HOLDER, dir, "3", "1000"]);
    try {
      await new LineCollector(holder.stdout).waitFor(/^holding$/);
      const store = new DirectoryStore(dir);
      assert.equal(await store.claimPartial(3), 0);
      holder.kill("SIGKILL");
      await once(holder, "exit");
      assert.equal(await store.claimPartial(3), 1000);
      assert.equal((await parts(dir)).length, 1);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("of two stores taking the same partial at once, one gets it and the other starts from 0", async () => {
    const dir = saveDir();
    const file: IncomingFile = { id: 4, from: "x", name: "raced.bin", size: 100 };
    const first = await new DirectoryStore(dir).open(file, 0, sha256Hasher());
    await first.write(new Uint8Array(50));
    await first.suspend();

    const sizes = await Promise.all([
      new DirectoryStore(dir).claimPartial(4),
      new DirectoryStore(dir).claimPartial(4),
      new DirectoryStore(dir).claimPartial(4),
    ]);
    assert.deepEqual(
      sizes.sort((a, b) => a - b),
      [0, 0, 50],
    );
    assert.equal((await parts(dir)).length, 1);
  });

  it("two stores receiving the same file at once each write their own partial and save a whole copy", async () => {
    const dir = saveDir();
    const content = new Uint8Array(300_000).map((_, i) => i * 7);
    const file: IncomingFile = { id: 9, from: "x", name: "twice.bin", size: content.length };
    const sinks = await Promise.all(
      [new DirectoryStore(dir), new DirectoryStore(dir)].map((s) =>
        s.open(file, 0, sha256Hasher()),
      ),
    );
    assert.equal((await parts(dir)).length, 2);
    for (let offset = 0; offset < content.length; offset += 100_000) {
      for (const sink of sinks) await sink.write(content.subarray(offset, offset + 100_000));
    }
    const saved = await Promise.all(sinks.map((s) => s.commit()));
    assert.deepEqual(saved.map((p) => p.slice(dir.length + 1)).sort(), [
      "terima_twice (1).bin",
      "terima_twice.bin",
    ]);
    for (const path of saved) assert.equal(sha256(await readFile(path)), sha256(content));
    assert.deepEqual(await parts(dir), []);
  });

  it("refuses to commit a file whose size on disk is not the size offered, and names nothing", async () => {
    const dir = saveDir();
    const sink = await new DirectoryStore(dir).open(
      { id: 5, from: "x", name: "short.bin", size: 10 },
      0,
      sha256Hasher(),
    );
    await sink.write(new Uint8Array(8));
    await assert.rejects(sink.commit(), /8 bytes on disk, not 10/);
    await sink.discard();
    assert.deepEqual(await readdir(dir), []);
  });
});
