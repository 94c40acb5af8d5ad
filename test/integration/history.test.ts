// History: the latest lines of a room are replayed on joining it, before live
// lines and without a gap or a duplicate; /history pages back; and what was
// acknowledged survives a restart, and a SIGKILL at once after it.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import { handshakeBytes, MAGIC } from "../../src/protocol/frame.js";
import { FrameDecoder } from "../../src/protocol/frame-decoder.js";
import {
  decodeServerMessage,
  encodeClientMessage,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import { roomConversation } from "../../src/store/conversations.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { tempDir } from "../helpers/files.js";
import { joinedTextPeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

/** A replayed line as pipe mode and netcat print it: its time first. */
const REPLAYED = /^\[\d\d:\d\d\] /;

describe("history", () => {
  const servers: ServerProcess[] = [];
  const start = async (args: string[]) => {
    const server = await startServer(args);
    servers.push(server);
    return server;
  };
  after(async () => {
    for (const server of servers) await server.stop();
  });

  it("joining replays the room's last lines, marked, then live lines follow once", async () => {
    const server = await start(["--history", "3"]);
    const ann = await joinedTextPeer(server.port, "ann");
    const watcher = await joinedTextPeer(server.port, "watcher");
    for (const n of [1, 2, 3, 4]) ann.send(`line ${n}`);
    // Seen live, so stored: the next to join must be shown it.
    await watcher.lines.waitFor(/^<ann> line 4$/);
    const echo = await joinedTextPeer(server.port, "echo");
    await echo.lines.waitFor(/^\[\d\d:\d\d\] <ann> line 4$/);
    const replayed = echo.lines.lines.filter((l) => REPLAYED.test(l));
    assert.deepEqual(
      replayed.map((l) => l.replace(REPLAYED, "")),
      ["<ann> line 2", "<ann> line 3", "<ann> line 4"],
    );
    await echo.lines.waitFor(/^\* 3 earlier lines of #lobby above; \/history shows more$/);
    ann.send("line 5");
    await echo.lines.waitFor(/^<ann> line 5$/);
    echo.send("/history 2");
    await echo.lines.waitFor(/^\[\d\d:\d\d\] <ann> line 1$/);
    await echo.lines.waitFor(/^\* 1 earlier line of #lobby above$/);
    echo.send("/history");
    await echo.lines.waitFor(/^\* no earlier lines of #lobby$/);
    assert.equal(echo.lines.lines.filter((l) => l.endsWith("<ann> line 5")).length, 1);
    ann.socket.destroy();
    echo.socket.destroy();
    watcher.socket.destroy();
  });

  it("/history nick pages a private conversation, the same for both people in it", async () => {
    const server = await start([]);
    const kim = await joinedTextPeer(server.port, "kim");
    const lee = await joinedTextPeer(server.port, "lee");
    kim.send("/msg lee are you there?");
    await lee.lines.waitFor(/^\[private\] <kim> are you there\?$/);
    lee.send("/msg kim yes");
    await kim.lines.waitFor(/^\[private\] <lee> yes$/);
    kim.send("/history lee");
    await kim.lines.waitFor(/^\* 2 earlier lines of lee above$/);
    const page = kim.lines.lines
      .filter((l) => REPLAYED.test(l))
      .map((l) => l.replace(REPLAYED, ""));
    assert.deepEqual(page, ["[private] <kim> are you there?", "[private] <lee> yes"]);
    kim.socket.destroy();
    lee.socket.destroy();
  });

  it("lines and rooms' histories are replayed after a restart on the same data directory", async () => {
    const data = await tempDir("history-restart");
    try {
      const first = await start(["--data-dir", data.path]);
      const sender = spawnCli(["connect", `127.0.0.1:${first.port}`, "--nick", "pat"]);
      sender.child.stdin.end("before the restart\n/join #dev\nin dev\n");
      assert.equal(await sender.exited, 0);
      assert.equal(await first.stop(), 0);

      const second = await start(["--data-dir", data.path]);
      const reader = await joinedTextPeer(second.port, "quinn");
      await reader.lines.waitFor(/^\[\d\d:\d\d\] <pat> before the restart$/);
      reader.send("/join #dev");
      await reader.lines.waitFor(/^\[\d\d:\d\d\] <pat> in dev$/);
      reader.socket.destroy();
    } finally {
      await data.remove();
    }
  });

  it("1,000 acknowledged lines survive a SIGKILL right after: replayed once each, in order", async () => {
    const data = await tempDir("history-kill");
    try {
      const first = await start(["--data-dir", data.path, "--rate-limit", "0", "--quiet"]);
      const sender = spawnCli(["connect", `127.0.0.1:${first.port}`, "--nick", "sam"]);
      const lines = Array.from({ length: 1000 }, (_, n) => `durable ${n}`);
      sender.child.stdin.end(`${lines.join("\n")}\n`);
      // Exit 0 means the server acknowledged every line: stored, it says.
      assert.equal(await sender.exited, 0);
      first.child.kill("SIGKILL");
      assert.equal(await first.exited, "SIGKILL");

      const second = await start(["--data-dir", data.path, "--history", "1000"]);
      const reader = spawnCli(["connect", `127.0.0.1:${second.port}`, "--nick", "tess"]);
      await reader.stdout.waitFor(/^\* 1000 earlier lines of #lobby above$/, 30_000);
      const replayed = reader.stdout.lines
        .filter((l) => REPLAYED.test(l))
        .map((l) => l.replace(REPLAYED, ""));
      assert.deepEqual(
        replayed,
        lines.map((l) => `<sam> ${l}`),
      );
      reader.child.stdin.end();
      assert.equal(await reader.exited, 0);
    } finally {
      await data.remove();
    }
  });

  it("a version 1 client is answered in version 1 and shown no replay, which it would take for new lines", async () => {
    const server = await start([]);
    const ann = await joinedTextPeer(server.port, "ann");
    const watcher = await joinedTextPeer(server.port, "watcher");
    ann.send("said before the old client came");
    await watcher.lines.waitFor(/^<ann> said before the old client came$/);

    const socket = connect({ host: "127.0.0.1", port: server.port });
    await once(socket, "connect");
    const old = encodeClientMessage({ type: "hello", nick: "old", client: "sockchat/0.1" });
    // A version 1 hello ends after the client's name: no history field.
    const v1Hello = old.subarray(0, old.length - 4);
    new DataView(v1Hello.buffer, v1Hello.byteOffset).setUint32(0, v1Hello.length - 5);
    socket.write(Buffer.concat([handshakeBytes(1), v1Hello]));
    const received: ServerMessage[] = [];
    let greeting: Buffer | undefined;
    const decoder = new FrameDecoder();
    const live = new Promise<void>((resolve) => {
      socket.on("data", (chunk: Buffer) => {
        let bytes: Uint8Array = chunk;
        if (greeting === undefined) {
          greeting = chunk.subarray(0, MAGIC.length + 1);
          bytes = chunk.subarray(MAGIC.length + 1);
        }
        decoder.push(bytes, (frame) => {
          const message = decodeServerMessage(frame);
          received.push(message);
          if (message.type === "message") resolve();
        });
      });
    });
    ann.send("said after");
    await live;
    assert.deepEqual([...(greeting ?? [])], [...handshakeBytes(1)]);
    const lines = received.filter((m) => m.type === "message");
    assert.deepEqual(
      lines.map((m) => m.type === "message" && m.text),
      ["said after"],
    );
    socket.destroy();
    ann.socket.destroy();
    watcher.socket.destroy();
  });

  it("--history-retention deletes lines older than it at start, and keeps the rest", async () => {
    const data = await tempDir("history-retention");
    try {
      const store = new SqliteStore(data.path);
      const day = 86_400_000;
      const line = (text: string) =>
        ({
          conversation: roomConversation("#lobby"),
          kind: "say",
          room: "#lobby",
          from: "old",
          to: "",
          text,
        }) as const;
      await store.append(line("ten days ago"), Date.now() - 10 * day).stored;
      await store.append(line("yesterday"), Date.now() - day).stored;
      store.close();

      const server = await start(["--data-dir", data.path, "--history-retention", "5"]);
      const reader = await joinedTextPeer(server.port, "reader");
      await reader.lines.waitFor(/^\* 1 earlier line of #lobby above$/);
      const replayed = reader.lines.lines.filter((l) => REPLAYED.test(l));
      assert.deepEqual(
        replayed.map((l) => l.replace(REPLAYED, "")),
        ["<old> yesterday"],
      );
      reader.socket.destroy();
    } finally {
      await data.remove();
    }
  });
});
