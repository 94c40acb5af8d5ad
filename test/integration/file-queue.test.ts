// More files at once than the server takes from one client: the client queues
// the rest and sends each as a slot frees up, or drops them when cancelled.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ChatClient } from "../../src/client/chat-client.js";
import type { FileSource } from "../../src/client/files.js";
import { sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { MAX_UPLOADS_PER_CLIENT } from "../../src/protocol/frame.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { nativePeer } from "../helpers/peers.js";
import { type Receiver, spawnCli, startReceivers, startServer } from "../helpers/processes.js";

describe("sending more files than the server takes at once", { timeout: 60_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    work = await tempDir("queue");
  });
  after(() => work.remove());

  it("a script that SENDs 12 files exits 0 once all are delivered, and the receiver saves all 12 intact", async () => {
    const count = 12;
    assert.ok(count > MAX_UPLOADS_PER_CLIENT);
    const server = await startServer(["--quiet", "--data-dir", join(work.path, "server")]);
    const [rx] = await startReceivers(server.port, work.path, ["rx"]);
    const { cli: receiver, dir: saveDir } = rx as Receiver;

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
  });

  it("cancelUploads stops those under way and drops those waiting, which are never offered", async () => {
    const server = await startServer(["--quiet"]);
    const watcher = await nativePeer(server.port, "watcher");
    const sender = new ChatClient({
      dial: tcpDial("127.0.0.1", server.port),
      nick: "hoarder",
      clientName: "test",
      files: { hasher: sha256Hasher },
    });
    await sender.connect();
    const queued: string[] = [];
    sender.on("transfer", (e) => {
      if (e.type === "upload-queued") queued.push(e.name);
    });
    // Sources that never deliver a byte: every upload stays under way.
    const closed: string[] = [];
    const stuck = (name: string): FileSource => ({
      name,
      size: 1000,
      read: () => new Promise(() => {}),
      close: async () => {
        closed.push(name);
      },
    });
    const names = Array.from({ length: MAX_UPLOADS_PER_CLIENT + 2 }, (_, i) => `stuck-${i}`);
    const sends = names.map((name) => sender.sendFile(stuck(name)));
    const accepted = await Promise.all(sends.slice(0, MAX_UPLOADS_PER_CLIENT));
    assert.deepEqual(queued, names.slice(MAX_UPLOADS_PER_CLIENT));

    assert.deepEqual(sender.cancelUploads("changed my mind").sort(), [...names].sort());
    const outcomes = [...sends.slice(MAX_UPLOADS_PER_CLIENT), ...accepted.map((a) => a.delivered)];
    await Promise.all(
      outcomes.map((outcome) => assert.rejects(outcome, { message: "cancelled: changed my mind" })),
    );
    for (const { id } of accepted) {
      const cancelled = await watcher.waitFor((m) => m.type === "file-cancelled" && m.id === id);
      assert.equal(cancelled.type === "file-cancelled" && cancelled.reason, "changed my mind");
    }
    assert.deepEqual(closed.sort(), [...names].sort(), "every source is closed");
    // A line sent after them is seen after any offer they made: there were none.
    await sender.send({ type: "say", text: "done" });
    await watcher.waitFor((m) => m.type === "message" && m.text === "done");
    const offers = watcher.received.filter((m) => m.type === "file-offered");
    assert.equal(offers.length, MAX_UPLOADS_PER_CLIENT);
    await sender.close();
    watcher.client.close();
    assert.equal(await server.stop(), 0);
  });
});
