// The server's disk, promised to uploads before their bytes arrive: never all
// of it to one address, never for long to an upload that sends nothing, and a
// small disk still takes small files.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { startServer } from "../helpers/processes.js";
import { type RawNative, rawNative } from "../helpers/raw-native.js";
import { rawUpload } from "../helpers/raw-upload.js";
import { type SmallDisk, smallDisk } from "../helpers/small-disk.js";

const MIB = 1024 * 1024;

/** Offers a file of `size` and resolves with the reply: accepted (with its id) or the error. */
async function offer(
  peer: RawNative,
  seq: number,
  size: number,
): Promise<{ id: number } | { error: ServerMessage }> {
  peer.send({ type: "file-offer", seq, name: `f${seq}.bin`, size });
  const reply = await peer.waitFor(
    (m) => (m.type === "file-accepted" || m.type === "error") && m.seq === seq,
  );
  return reply.type === "file-accepted" ? { id: reply.id } : { error: reply };
}

describe("spool space", { timeout: 60_000 }, () => {
  const disks: SmallDisk[] = [];
  let tiny: SmallDisk;
  let small: SmallDisk;
  before(async () => {
    tiny = await smallDisk("tiny", MIB);
    small = await smallDisk("small", 64 * MIB);
    disks.push(tiny, small);
  });
  after(async () => {
    for (const disk of disks) await disk.remove();
  });

  it("a data directory on a 1 MiB disk still takes a 10-byte file", async () => {
    const server = await startServer(["--quiet", "--data-dir", tiny.path]);
    const sender = await rawNative(server.port, "small");
    const id = await rawUpload(sender, "note.txt", new Uint8Array(10).fill(65));
    await sender.waitFor((m) => m.type === "file-verified" && m.id === id && m.ok);
    sender.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("one address may promise itself at most half the free space, until an upload that sends nothing is given up", async () => {
    const server = await startServer([
      "--quiet",
      "--data-dir",
      small.path,
      "--transfer-timeout",
      "0.5",
    ]);
    const hoarder = await rawNative(server.port, "hoarder");
    const watcher = await rawNative(server.port, "watcher");
    // About 60 MiB are free for uploads on this disk: half is about 30.
    const first = await offer(hoarder, 1, 25 * MIB);
    assert.ok("id" in first, JSON.stringify(first));
    const second = await offer(hoarder, 2, 25 * MIB);
    assert.ok("error" in second, "the second 25 MiB would be over half");
    assert.equal(second.error.type === "error" && second.error.code, "CHAT_ERR_NO_SPACE");
    assert.match(
      second.error.type === "error" ? second.error.message : "",
      /up to half the server's free space/,
    );
    // The first sends nothing: given up after the deadline, its space promised to no one.
    const cancelled = await watcher.waitFor(
      (m) => m.type === "file-cancelled" && m.id === first.id,
    );
    assert.match(
      cancelled.type === "file-cancelled" ? cancelled.reason : "",
      /^no data from hoarder for 0\.5 s$/,
    );
    const third = await offer(hoarder, 3, 25 * MIB);
    assert.ok("id" in third, JSON.stringify(third));
    hoarder.socket.destroy();
    watcher.socket.destroy();
    assert.equal(await server.stop(), 0);
  });
});
