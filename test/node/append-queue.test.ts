import assert from "node:assert/strict";
import { open, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppendQueue } from "../../src/node/append-queue.js";
import { type SmallDisk, smallDisk } from "../helpers/small-disk.js";

const KiB = 1024;

describe("AppendQueue", () => {
  let disk: SmallDisk;
  before(async () => {
    disk = await smallDisk("appends", 1024 * KiB);
  });
  after(() => disk.remove());

  it("writes nothing more after a write fails, even once it could succeed again", async () => {
    const filler = join(disk.path, "filler");
    await writeFile(filler, new Uint8Array(512 * KiB));
    const path = join(disk.path, "appended");
    const handle = await open(path, "wx");
    try {
      const appends = new AppendQueue(handle);
      await assert.rejects(appends.append(new Uint8Array(1024 * KiB)), { code: "ENOSPC" });
      const sizeAfterFailure = (await stat(path)).size;
      await rm(filler);
      // There is room now, but the file no longer holds what was appended in order.
      await assert.rejects(appends.append(new Uint8Array(KiB)), { code: "ENOSPC" });
      await assert.rejects(appends.flushed(), { code: "ENOSPC" });
      assert.equal((await stat(path)).size, sizeAfterFailure);
    } finally {
      await handle.close();
    }
  });
});
