// The browser page in Debian's Chromium, with the terminal's pipe client and
// netcat in the same rooms: lines once and in order everywhere, rooms, the
// history loaded on scrolling up, and a reconnect across a server restart.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { ChatPage, startBrowser } from "../helpers/chat-page.js";
import { joinedTextPeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

const CHAT_LINE = /^<(\S+)> (.*)$/;

/** The chat lines among `lines` (a pipe client's or netcat's), `<You>` read as `nick`. */
function chatOf(lines: readonly string[], nick: string): string[] {
  return lines.flatMap((line) => {
    const match = CHAT_LINE.exec(line);
    if (match === null) return [];
    return [`<${match[1] === "You" ? nick : match[1]}> ${match[2]}`];
  });
}

describe("the page in Chromium", { timeout: 240_000 }, () => {
  let browser: Browser;
  let server: ServerProcess | undefined;
  before(async () => {
    browser = await startBrowser();
  });
  after(async () => {
    await server?.stop();
  });

  it("two pages, a pipe client and netcat in one room see each other's lines, once, in the same order", async () => {
    server = await startServer(["--quiet"]);
    const { port } = server;
    const alice = await ChatPage.join(browser, port, "alice");
    const bob = await ChatPage.join(browser, port, "bob");
    const carol = spawnCli(["connect", `127.0.0.1:${port}`, "--nick", "carol"]);
    await carol.stdout.waitFor(/^\* welcome/);
    const dave = await joinedTextPeer(port, "dave");

    // Everyone talks at once; each one's lines in the order typed.
    const nicks = ["alice", "bob", "carol", "dave"];
    const PER_SPEAKER = 6;
    const linesOf = (nick: string) =>
      Array.from({ length: PER_SPEAKER }, (_, i) => `${nick} says ${i}`);
    await Promise.all([
      (async () => {
        for (const text of linesOf("alice")) await alice.say(text);
      })(),
      (async () => {
        for (const text of linesOf("bob")) await bob.say(text);
      })(),
      (async () => {
        for (const text of linesOf("carol")) carol.child.stdin.write(`${text}\n`);
      })(),
      (async () => {
        for (const text of linesOf("dave")) dave.send(text);
      })(),
    ]);
    const total = nicks.length * PER_SPEAKER;
    const last = (nick: string) => new RegExp(`^<\\S+> ${nick} says ${PER_SPEAKER - 1}$`);
    await Promise.all([
      alice.waitForChatLines("#lobby", total),
      bob.waitForChatLines("#lobby", total),
      ...nicks.map((nick) => carol.stdout.waitFor(last(nick))),
      ...nicks.filter((nick) => nick !== "dave").map((nick) => dave.lines.waitFor(last(nick))),
    ]);

    const order = await alice.chatLines("#lobby");
    assert.equal(order.length, total, `alice's page shows each line once:\n${order.join("\n")}`);
    assert.deepEqual(
      [...order].sort(),
      nicks.flatMap((nick) => linesOf(nick).map((text) => `<${nick}> ${text}`)).sort(),
      "every line, once",
    );
    for (const nick of nicks) {
      assert.deepEqual(
        order.filter((line) => line.startsWith(`<${nick}>`)),
        linesOf(nick).map((text) => `<${nick}> ${text}`),
        `${nick}'s lines in the order typed`,
      );
    }
    assert.deepEqual(
      await bob.chatLines("#lobby"),
      order,
      "bob's page: the same lines, same order",
    );
    carol.child.stdin.end();
    assert.equal(await carol.exited, 0, "the pipe client had every line confirmed");
    assert.deepEqual(chatOf(carol.stdout.lines, "carol"), order, "the pipe client: the same");
    // netcat shows what its user types as they type it; the server sends it the others' lines.
    assert.deepEqual(
      chatOf(dave.lines.lines, "dave"),
      order.filter((line) => !line.startsWith("<dave>")),
      "netcat: the same",
    );
    assert.deepEqual([...alice.problems, ...bob.problems], [], "no page errors");
    dave.socket.destroy();
    await Promise.all([alice.close(), bob.close()]);
    assert.equal(await server.stop(), 0);
  });
});
