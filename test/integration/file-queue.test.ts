// More files at once than the server takes from one client: the client queues
// the rest and sends each as a slot frees up.

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MAX_UPLOADS_PER_CLIENT } from "../../src/protocol/frame.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { spawnCli, startServer } from "../helpers/processes.js";

describe("sending more files than the server takes at once", { timeout: 60_000 }, () => {
  it("a script that SENDs 12 files exits 0 once all are delivered, and the receiver saves all 12 intact", async () => {
    const count = 12;
    assert.ok(count > MAX_UPLOADS_PER_CLIENT);
    const work = await tempDir("queue");
    const server = await startServer(["--quiet", "--data-dir", join(work.path, "server")]);
    const saveDir = join(work.path, "rx");
    const receiver = spawnCli([
      "connect",
      `127.0.0.1:${server.port}`,
      "--nick",
      "rx",
      "--save-dir",
      saveDir,
    ]);
    await receiver.stdout.waitFor(/^\* welcome/);

    const names = Array.from(
      { length: count },
      (_, i) => `song-${String(i + 1).padStart(2, "0")}.mp3`,
    );
    const digests = await Promise.all(
      names.map((name, i) => randomFile(join(work.path, name), 300_000 + i * 1000)),
    );
    const sender = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "many"]);
    sender.child.stdin.end(names.map((name) => `SEND ${join(work.path, name)}\n`).join(""));
    const code = await sender.exited;
    await sender.stdout.ended();
    const output = sender.stdout.lines.join("\n");
    assert.equal(code, 0, output);
    for (const name of names)
      assert.match(output, new RegExp(`^\\* ${name} delivered to 1 of 1 receivers$`, "m"));
    assert.doesNotMatch(output, /error/);
    // Those beyond the cap wait, said once each (fewer, if slots freed up while files were opened).
    const queued = sender.stdout.lines.filter((l) => l.startsWith("* queued "));
    assert.ok(queued.length <= count - MAX_UPLOADS_PER_CLIENT, output);
    for (const line of queued)
      assert.match(
        line,
        /^\* queued song-\d\d\.mp3 \(\d+\.\d KB\) until one of the 8 files being sent is through$/,
      );

    for (const [i, name] of names.entries()) {
      await receiver.stdout.waitFor(new RegExp(`^\\* saved terima_${name} `));
      assert.equal(await sha256File(join(saveDir, `terima_${name}`)), digests[i], name);
    }
    receiver.child.stdin.end();
    assert.equal(await receiver.exited, 0);
    assert.equal(await server.stop(), 0);
    await work.remove();
  });
});
