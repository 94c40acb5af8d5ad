// SEND: files relayed through the server, verified end to end. The original
// chat cut files short and split them at its end marker; these must arrive whole.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { LineCollector } from "../helpers/lines.js";
import { joinedTextPeer } from "../helpers/peers.js";
import {
  type Receiver,
  type ServerProcess,
  spawnCli,
  startReceivers,
  startServer,
} from "../helpers/processes.js";

const STALLING_SENDER = fileURLToPath(new URL("../fixtures/stalling-sender.js", import.meta.url));

describe("file relay", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let receivers: Receiver[];

  before(async () => {
    work = await tempDir("files");
    server = await startServer([
      "--quiet",
      "--data-dir",
      join(work.path, "server"),
      "--max-file-size",
      "200000000",
    ]);
    receivers = await startReceivers(server.port, work.path, ["rx1", "rx2"]);
  });
  after(async () => {
    for (const { cli } of receivers) cli.child.stdin.end();
    assert.deepEqual(await Promise.all(receivers.map((r) => r.cli.exited)), [0, 0]);
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  /** Sends `path` with SEND from a pipe-mode client; resolves with its exit code and output. */
  async function send(
    path: string,
    line = `SEND ${path}`,
  ): Promise<{ code: number | string; lines: string[] }> {
    const sender = spawnCli([
      "connect",
      `127.0.0.1:${server.port}`,
      "--nick",
      "sender",
      "--save-dir",
      work.path,
    ]);
    sender.child.stdin.end(`${line}\n`);
    const code = await sender.exited;
    await sender.stdout.ended();
    return { code, lines: sender.stdout.lines };
  }

  const cases = [
    { name: "song-3MB.mp3", size: 3_000_000 },
    { name: "build-100MB.bin", size: 100_000_000 },
    { name: "empty.txt", size: 0 },
    { name: "marker.bin", size: 200_000, marker: "//AGUEL//TAMTAM//" },
  ];
  for (const { name, size, marker } of cases) {
    it(`${name}: reaches both receivers byte-identical as terima_${name}; the sender exits 0 after delivery`, async () => {
      const path = join(work.path, name);
      const digest = await randomFile(path, size, marker);
      const from = receivers.map((r) => r.cli.stdout.lines.length);

      const { code, lines } = await send(path);
      assert.equal(code, 0, lines.join("\n"));
      assert.ok(
        lines.some((l) => new RegExp(`^\\* ${name} delivered to 2 of 2 receivers$`).test(l)),
        lines.join("\n"),
      );

      for (const [i, { cli, dir }] of receivers.entries()) {
        await cli.stdout.waitFor(
          new RegExp(`^\\* saved terima_${name} \\(.*SHA-256 verified\\)$`),
          30_000,
          from[i],
        );
        assert.equal(await sha256File(join(dir, `terima_${name}`)), digest);
      }
    });
  }

  it("never overwrites: a second copy is saved as terima_name (1).ext", async () => {
    const path = join(work.path, "song-3MB.mp3");
    const from = receivers[0]?.cli.stdout.lines.length ?? 0;
    assert.equal((await send(path)).code, 0);
    await receivers[0]?.cli.stdout.waitFor(/^\* saved terima_song-3MB \(1\)\.mp3 /, 30_000, from);
  });

  it("a path with spaces works when quoted, also with /send", async () => {
    const path = join(work.path, "my holiday photo.jpg");
    const digest = await randomFile(path, 50_000);
    const from = receivers[1]?.cli.stdout.lines.length ?? 0;
    assert.equal((await send(path, `/send "${path}"`)).code, 0);
    await receivers[1]?.cli.stdout.waitFor(/^\* saved terima_my holiday photo\.jpg /, 30_000, from);
    assert.equal(
      await sha256File(join(receivers[1]?.dir ?? "", "terima_my holiday photo.jpg")),
      digest,
    );
  });

  it("a missing path or a directory is a one-line error and nothing is sent", async () => {
    const missing = await send(join(work.path, "no-such-file"));
    assert.equal(missing.code, 1);
    assert.ok(
      missing.lines.some((l) => /^\* error: cannot send .*no-such-file: no such file$/.test(l)),
      missing.lines.join("\n"),
    );
    const directory = await send(work.path);
    assert.equal(directory.code, 1);
    assert.ok(directory.lines.some((l) => /^\* error: cannot send .*: it is a directory$/.test(l)));
    assert.ok(!directory.lines.some((l) => l.includes("sending")));
  });

  it("an offer above the size limit is refused up front", async () => {
    const path = join(work.path, "too-big.bin");
    await writeFile(path, "");
    const { truncate } = await import("node:fs/promises");
    await truncate(path, 200_000_001);
    const { code, lines } = await send(path);
    assert.equal(code, 1);
    assert.ok(
      lines.some((l) =>
        /^\* error: the file is 200\.0 MB; this server takes files up to 200\.0 MB$/.test(l),
      ),
      lines.join("\n"),
    );
  });

  it("text clients get notices of offers and outcomes, never file bytes", async () => {
    const text = await joinedTextPeer(server.port);
    const path = join(work.path, "for-text.bin");
    await randomFile(path, 500_000);
    assert.equal((await send(path)).code, 0);
    const offered = await text.lines.waitFor(
      /^\* sender is sending for-text\.bin \(500\.0 KB\) \[file \d+\]$/,
    );
    const id = /\[file (\d+)\]/.exec(offered)?.[1];
    await text.lines.waitFor(
      new RegExp(
        `^\\*   to save it, use the sockchat client: npx sockchat connect, then /get ${id}$`,
      ),
    );
    await text.lines.waitFor(/^\* for-text\.bin from sender arrived complete, SHA-256 verified/);
    for (const line of text.lines.lines) assert.doesNotMatch(line, /\p{Cc}|\ufffd/u);
    text.send("/get 1");
    await text.lines.waitFor(/^\* error: files need the sockchat client/);
    text.socket.destroy();
  });

  it("a sender killed mid-transfer leaves no terima_ file behind, and the server keeps serving", async () => {
    const before = receivers.map((r) => r.cli.stdout.lines.length);
    const sender = spawn(process.execPath, [
      STALLING_SENDER,
      String(server.port),
      "half.bin",
      "50000000",
      "5000000",
    ]);
    const output = new LineCollector(sender.stdout);
    await output.waitFor(/^stalled$/);
    sender.kill("SIGKILL");
    await once(sender, "exit");
    for (const [i, { cli, dir }] of receivers.entries()) {
      await cli.stdout.waitFor(
        /^\* half\.bin \[file \d+\] was cancelled: staller disconnected/,
        15_000,
        before[i],
      );
      await cli.stdout.waitFor(
        /^\* half\.bin \[file \d+\] was not saved: staller disconnected/,
        15_000,
        before[i],
      );
      const left = await readdir(dir);
      assert.ok(!left.some((f) => f.includes("half")), left.join(", "));
    }
    // Counted, not opened: the cancelled upload's spool file may be going right now.
    const kept = (await readdir(join(work.path, "server", "spool"))).length;
    assert.ok(kept <= cases.length + 4, "only verified files stay spooled");
    // Still serving: a chat line goes through.
    receivers[0]?.cli.child.stdin.write("after the crash\n");
    await receivers[1]?.cli.stdout.waitFor(/^<rx1> after the crash$/);
  });
});
