// Rooms separate their lines for native and netcat members alike, and someone
// who never joins a room sees the chat exactly as before rooms existed.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { joinedTextPeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

describe("rooms", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("a room's lines reach its members only, and members typing elsewhere see where they came from", async () => {
    const lobbyOnly = await joinedTextPeer(server.port, "carol");
    const bob = await joinedTextPeer(server.port, "bob");
    bob.send("/join #dev");
    await bob.lines.waitFor(/^\* now talking in #dev \(1 member\)$/);
    const alice = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "alice"]);
    await alice.stdout.waitFor(/^\* welcome/);
    alice.child.stdin.write("/join #DEV\n");
    await alice.stdout.waitFor(/^\* now talking in #dev \(2 members\)$/);
    await bob.lines.waitFor(/^\* alice joined$/);

    alice.child.stdin.write("hello dev\n");
    await alice.stdout.waitFor(/^<You> hello dev$/);
    await bob.lines.waitFor(/^<alice> hello dev$/);

    lobbyOnly.send("hello lobby");
    await bob.lines.waitFor(/^#lobby <carol> hello lobby$/);
    await alice.stdout.waitFor(/^#lobby <carol> hello lobby$/);

    bob.send("/part #dev");
    await alice.stdout.waitFor(/^\* bob left #dev$/);
    await bob.lines.waitFor(/^\* now talking in #lobby/);
    bob.send("back in the lobby");
    await lobbyOnly.lines.waitFor(/^<bob> back in the lobby$/);

    // carol never joined a room: not one line of #dev, and no room names anywhere.
    assert.ok(
      !lobbyOnly.lines.lines.some((l) => /dev|#/.test(l)),
      lobbyOnly.lines.lines.join("\n"),
    );
    alice.child.stdin.end();
    assert.equal(await alice.exited, 0);
    lobbyOnly.socket.destroy();
    bob.socket.destroy();
  });

  it("/rooms lists rooms with member counts and topics, /who #room its members; /topic sets and shows the topic", async () => {
    const dana = await joinedTextPeer(server.port, "dana");
    dana.send("/join #ops");
    await dana.lines.waitFor(/^\* now talking in #ops/);
    dana.send("/topic deploys at noon");
    await dana.lines.waitFor(/^\* topic of #ops set by dana: deploys at noon$/);
    const erin = await nativePeer(server.port, "erin");
    void erin.client.send({ type: "join", room: "#ops" });
    const topic = await erin.waitFor((m) => m.type === "topic-is");
    assert.deepEqual(topic, {
      type: "topic-is",
      room: "#ops",
      topic: "deploys at noon",
      by: "dana",
    });
    dana.send("/rooms");
    await dana.lines.waitFor(/^\* {3}#ops\s+2 members {2}deploys at noon$/);
    await dana.lines.waitFor(/^\* {3}#lobby\s+\d+ members?$/);
    dana.send("/who #ops");
    await dana.lines.waitFor(/^\* 2 users in #ops:$/);
    await dana.lines.waitFor(/^\* {3}dana /);
    await dana.lines.waitFor(/^\* {3}erin /);
    dana.send("/who #nowhere");
    await dana.lines.waitFor(/^\* error: there is no room #nowhere$/);
    erin.client.close();
    dana.socket.destroy();
  });

  it("bad room names, topics and unknown rooms get a clear error", async () => {
    const fay = await joinedTextPeer(server.port, "fay");
    fay.send("/join #no spaces");
    await fay.lines.waitFor(/^\* error: usage: \/join #room$/);
    fay.send(`/join #${"x".repeat(33)}`);
    await fay.lines.waitFor(/^\* error: a room name has at most 32 characters after the #$/);
    fay.send("/join #bad!name");
    await fay.lines.waitFor(/^\* error: a room name may contain letters, digits and - _ \. only/);
    fay.send("/part #nowhere");
    await fay.lines.waitFor(/^\* error: there is no room #nowhere$/);
    fay.send(`/topic ${"t".repeat(301)}`);
    await fay.lines.waitFor(/^\* error: the topic is 301 bytes; the limit is 300$/);
    fay.send("/history #bad!room");
    await fay.lines.waitFor(/^\* error: a room name may contain/);
    fay.send("still fine");
    const watcher = await joinedTextPeer(server.port, "gus");
    fay.send("still here");
    await watcher.lines.waitFor(/^<fay> still here$/);
    fay.socket.destroy();
    watcher.socket.destroy();
  });

  it("SEND shares a file with the room typed into, and /files lists the room's files", async () => {
    const work = await tempDir("room-files");
    try {
      const source = join(work.path, "plan.txt");
      const digest = await randomFile(source, 3 * 1024 * 1024);
      const outsider = await joinedTextPeer(server.port, "outsider");
      const member = spawnCli([
        "connect",
        `127.0.0.1:${server.port}`,
        "--nick",
        "member",
        "--save-dir",
        join(work.path, "member"),
      ]);
      await member.stdout.waitFor(/^\* welcome/);
      member.child.stdin.write("/join #plans\n");
      await member.stdout.waitFor(/^\* now talking in #plans/);
      const sender = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "planner"]);
      sender.child.stdin.end(`/join #plans\nSEND ${source}\n`);
      assert.equal(await sender.exited, 0, sender.stdout.lines.join("\n"));
      await member.stdout.waitFor(/^\* saved terima_plan\.txt/);
      assert.equal(await sha256File(join(work.path, "member", "terima_plan.txt")), digest);

      outsider.send("/files");
      await outsider.lines.waitFor(/^\* no shared files$/);
      assert.ok(!outsider.lines.lines.some((l) => l.includes("plan.txt")));
      member.child.stdin.end("/files\n");
      await member.stdout.waitFor(/^\* {3}\d+ {2}plan\.txt {2}3\.1 MB {2}from planner/);
      assert.equal(await member.exited, 0);
      outsider.socket.destroy();
    } finally {
      await work.remove();
    }
  });
});
