// What a finished file costs the server while it is kept: no descriptor, no
// memory of its data, whatever receivers do; and how long it is kept.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ChatClient } from "../../src/client/chat-client.js";
import { nodeFileSupport } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { spawnCli, startServer } from "../helpers/processes.js";
import { type RawNative, rawNative } from "../helpers/raw-native.js";
import { neverConfirm, rawUpload } from "../helpers/raw-upload.js";

const MIB = 1024 * 1024;

function verified(peer: RawNative, id: number): Promise<ServerMessage> {
  return peer.waitFor((m) => m.type === "file-verified" && m.id === id && m.ok, 30_000);
}

describe("finished files", { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    work = await tempDir("finished");
  });
  after(async () => {
    await work.remove();
  });

  it("hold no descriptor: 296 files leave the count where it was; a /get opens one only while it reads", async () => {
    const server = await startServer([
      "--quiet",
      "--rate-limit",
      "0",
      "--data-dir",
      join(work.path, "fds"),
    ]);
    const uploader = await rawNative(server.port, "flood");
    const baseline = await server.descriptors();
    const empty = new Uint8Array(0);
    // Eight at a time: as many as one client may have under way.
    for (let batch = 0; batch < 296; batch += 8) {
      const ids = await Promise.all(
        Array.from({ length: 8 }, (_, i) => rawUpload(uploader, `z${batch + i}.bin`, empty)),
      );
      await Promise.all(ids.map((id) => verified(uploader, id)));
    }
    const afterFlood = await server.descriptors();
    assert.ok(
      afterFlood - baseline <= 2,
      `${afterFlood - baseline} more descriptors after 296 files`,
    );

    const path = join(work.path, "kept.bin");
    const digest = await randomFile(path, 3 * MIB);
    const { readFile } = await import("node:fs/promises");
    const id = await rawUpload(uploader, "kept.bin", new Uint8Array(await readFile(path)));
    await verified(uploader, id);
    const saveDir = join(work.path, "late");
    const late = new ChatClient({
      dial: tcpDial("127.0.0.1", server.port),
      nick: "late",
      clientName: "test",
      files: nodeFileSupport(saveDir),
    });
    await late.connect();
    const saved = new Promise<void>((resolve) =>
      late.on("transfer", (e) => {
        if (e.type === "download-saved") resolve();
      }),
    );
    await late.getFile(id);
    await saved;
    assert.equal(await sha256File(join(saveDir, "terima_kept.bin")), digest);
    late.close();
    uploader.socket.destroy();
    await uploader.closed;
    const afterGet = await server.descriptors();
    assert.ok(afterGet - baseline <= 2, `${afterGet - baseline} more descriptors after the /get`);
    assert.equal(await server.stop(), 0);
  });

  it("hold none of their data in memory, though a receiver never confirms any of them", async () => {
    const server = await startServer(["--quiet", "--data-dir", join(work.path, "rss")]);
    const receiver = await rawNative(server.port, "silent");
    neverConfirm(receiver);
    const sender = await rawNative(server.port, "sender");
    const data = new Uint8Array(4 * MIB).fill(1);
    // Warm up first, so what the server allocates once is not counted per file.
    await verified(sender, await rawUpload(sender, "warm.bin", data));
    const before = (await server.memory()).rss;
    for (let i = 0; i < 50; i++) await verified(sender, await rawUpload(sender, `f${i}.bin`, data));
    const grown = (await server.memory()).rss - before;
    // Kept, 50 × 4 MiB would be 200 MiB; garbage not yet collected may account for some.
    assert.ok(grown < 100 * MIB, `RSS grew by ${(grown / MIB).toFixed(0)} MiB over 50 files`);
    receiver.socket.destroy();
    sender.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("are kept for --file-retention, also for longer than a timer can wait (1000 h)", async () => {
    const server = await startServer(["--quiet", "--file-retention", "1000"]);
    const sender = await rawNative(server.port, "keeper");
    const id = await rawUpload(sender, "long.txt", new Uint8Array(10));
    await verified(sender, id);
    sender.send({ type: "files", seq: 5 });
    const list = await sender.waitFor((m) => m.type === "file-list" && m.seq === 5);
    assert.deepEqual(list.type === "file-list" && list.files.map((f) => f.id), [id]);
    sender.socket.destroy();
    assert.equal(await server.stop(), 0);
    assert.ok(!server.stderr.lines.some((l) => l.includes("TimeoutOverflowWarning")));
  });

  it("go when their retention is over, from the list and from the disk", async () => {
    const dataDir = join(work.path, "expiry");
    // A second and a half.
    const server = await startServer([
      "--quiet",
      "--data-dir",
      dataDir,
      "--file-retention",
      "0.0004",
    ]);
    const sender = await rawNative(server.port, "brief");
    const id = await rawUpload(sender, "brief.txt", new Uint8Array(10));
    await verified(sender, id);
    let seq = 10;
    const listed = async () => {
      seq += 1;
      sender.send({ type: "files", seq });
      const list = await sender.waitFor((m) => m.type === "file-list" && m.seq === seq);
      return list.type === "file-list" ? list.files.length : -1;
    };
    assert.equal(await listed(), 1);
    // Expiry has no event a client could wait for: ask until it is gone.
    const deadline = Date.now() + 15_000;
    while ((await listed()) > 0) {
      assert.ok(Date.now() < deadline, "still listed 15 s after its retention");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const spool = join(dataDir, "spool");
    while ((await readdir(spool)).length > 0) {
      assert.ok(Date.now() < deadline, "still on disk 15 s after its retention");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    sender.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("say who sent them by the name the sender has now, and a /get calls it a file sent before", async () => {
    const server = await startServer(["--quiet"]);
    const sender = await rawNative(server.port, "alice");
    const id = await rawUpload(sender, "tune.mp3", new Uint8Array(100));
    await verified(sender, id);
    sender.send({ type: "nick", seq: 2, nick: "alicia" });
    await sender.waitFor((m) => m.type === "ack" && m.seq === 2);
    const late = await rawNative(server.port, "late");
    late.send({ type: "files", seq: 3 });
    const list = await late.waitFor((m) => m.type === "file-list" && m.seq === 3);
    assert.deepEqual(list.type === "file-list" && list.files.map((f) => f.from), ["alicia"]);
    late.send({ type: "file-get", seq: 4, id, offset: 0 });
    const offered = await late.waitFor((m) => m.type === "file-offered" && m.id === id);
    assert.deepEqual(offered.type === "file-offered" && [offered.from, offered.requested], [
      "alicia",
      true,
    ]);
    sender.socket.destroy();
    late.socket.destroy();
    assert.equal(await server.stop(), 0);
  });

  it("--file-retention says which values it takes", async () => {
    for (const value of ["0", "-1", "877000", "soon"]) {
      const cli = spawnCli(["serve", "--port", "0", "--file-retention", value]);
      assert.equal(await cli.exited, 1, value);
      await cli.stderr.ended();
      assert.match(cli.stderr.lines.join("\n"), /positive number of hours, at most 876000/);
    }
  });
});
