// The spool interface as the local disk implements it: what the relay relies
// on, whatever stores the bytes (an object store later runs the same checks).

import assert from "node:assert/strict";
import { readdir, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DiskSpool } from "../../src/server/disk-spool.js";
import type { SpoolStorage } from "../../src/server/spool.js";
import { tempDir } from "../helpers/files.js";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Descriptors this process has open on files under `dir` (Linux). */
async function openUnder(dir: string): Promise<number> {
  const fds = await readdir("/proc/self/fd");
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => "")),
  );
  return targets.filter((target) => target.startsWith(dir)).length;
}

describe("DiskSpool", () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let dirs = 0;

  before(async () => {
    scratch = await tempDir("disk-spool");
  });
  after(() => scratch.remove());

  async function opened(): Promise<{ spool: SpoolStorage; dir: string }> {
    dirs += 1;
    const dir = join(scratch.path, String(dirs), "spool");
    const spool = new DiskSpool(dir);
    await spool.open();
    return { spool, dir };
  }

  it("appends in order and reads any range back, before and after sealing", async () => {
    const { spool } = await opened();
    const writer = await spool.create(7);
    const appends = ["hello", ", ", "world"].map((part) => writer.append(bytes(part)));
    await writer.flushed();
    await Promise.all(appends);
    assert.equal(new TextDecoder().decode(await spool.read(7, 3, 6)), "lo, wo");
    await writer.seal();
    assert.equal(new TextDecoder().decode(await spool.read(7, 0, 12)), "hello, world");
    await assert.rejects(writer.append(bytes("!")), /sealed/);
    await assert.rejects(spool.read(7, 10, 5), /ends before 15/);
  });

  it("holds a descriptor only while a file is written, none once it is sealed", async () => {
    const { spool, dir } = await opened();
    const writer = await spool.create(1);
    await writer.append(bytes("data"));
    assert.equal(await openUnder(dir), 1);
    await writer.seal();
    await spool.read(1, 0, 4);
    assert.equal(await openUnder(dir), 0, "each read opens the file for itself");
  });

  it("never replaces a file, and removes one still being written", async () => {
    const { spool, dir } = await opened();
    const writer = await spool.create(3);
    await writer.append(bytes("abc"));
    await assert.rejects(spool.create(3), { code: "EEXIST" });
    await spool.remove(3);
    assert.equal(await openUnder(dir), 0, "its descriptor went with it");
    assert.deepEqual(await spool.list(), new Map());
    await spool.remove(3); // gone already: no error
  });

  it("lists what it stores with sizes, and keeps it across a reopening", async () => {
    const { spool, dir } = await opened();
    for (const [id, text] of [
      [2, "two"],
      [10, "ten bytes!"],
    ] as const) {
      const writer = await spool.create(id);
      await writer.append(bytes(text));
      await writer.seal();
    }
    await writeFile(join(dir, "notes"), "not one of its files");
    const again = new DiskSpool(dir);
    await again.open();
    assert.deepEqual(
      await again.list(),
      new Map([
        [2, 3],
        [10, 10],
      ]),
    );
    assert.deepEqual((await readdir(dir)).sort(), ["10", "2", "notes"]);
  });

  it("says how much room the disk has", async () => {
    const { spool } = await opened();
    const space = await spool.space();
    assert.ok(space.total > 0 && space.free >= 0 && space.free <= space.total, String(space));
  });
});
