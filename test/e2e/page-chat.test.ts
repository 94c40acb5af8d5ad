// The browser page in Debian's Chromium, with the terminal's pipe client and
// netcat in the same rooms: lines once and in order everywhere, rooms, the
// history loaded on scrolling up, and a reconnect across a server restart.

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { ChatPage, startBrowser } from "../helpers/chat-page.js";
import { randomFile, tempDir } from "../helpers/files.js";
import { joinedTextPeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

/** Where the screenshots go: test-output/ at the package root (dist/test/e2e is three below it). */
const OUTPUT = fileURLToPath(new URL("../../../test-output/", import.meta.url));

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
    // From another machine: the pages' address waits longer before it welcomes a silent connection.
    const dave = await joinedTextPeer(port, "dave", "127.0.0.2");

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

describe("the page's rooms, history and reconnect in Chromium", { timeout: 240_000 }, () => {
  let browser: Browser;
  before(async () => {
    browser = await startBrowser();
  });

  it("joins, creates and leaves rooms, shows topics, counts unread lines elsewhere, and talks privately", async () => {
    const server = await startServer(["--quiet"]);
    const alice = await ChatPage.join(browser, server.port, "alice");
    const bob = await ChatPage.join(browser, server.port, "bob");
    const carol = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "carol"]);
    await carol.stdout.waitFor(/^\* welcome/);

    // alice creates #side from the sidebar's form; bob joins with the terminal's command.
    await alice.page.getByRole("textbox", { name: "Join or create a room" }).fill("#side");
    await alice.page.getByRole("button", { name: "Join", exact: true }).click();
    await alice.log("#side").waitFor();
    await bob.say("/join #side");
    await bob.log("#side").waitFor();
    await alice.say("/topic plans for friday");
    await bob.page.locator(".topic", { hasText: "plans for friday" }).waitFor();
    await alice.say("only in #side");
    await bob.waitForChatLines("#side", 1);
    assert.deepEqual(await bob.chatLines("#side"), ["<alice> only in #side"]);

    // A line in #lobby while bob looks at #side: counted, then read on opening it.
    carol.child.stdin.write("meanwhile in the lobby\n");
    const lobbyBadge = bob.conversation("#lobby").locator(".badge");
    await lobbyBadge.filter({ hasText: "1 unread" }).waitFor();
    await bob.conversation("#lobby").click();
    await bob.waitForChatLines("#lobby", 1);
    assert.deepEqual(await bob.chatLines("#lobby"), ["<carol> meanwhile in the lobby"]);
    assert.equal(await lobbyBadge.count(), 0, "opened: no unread count");

    await bob.page.getByRole("button", { name: "Leave #side" }).click();
    await alice
      .log("#side")
      .getByText(/bob left/)
      .waitFor();
    assert.equal(await bob.conversation("#side").count(), 0, "bob's sidebar lost #side");
    assert.ok(
      !carol.stdout.lines.some((line) => line.includes("only in #side")),
      "#side's line stayed in #side",
    );

    // A private talk, opened from the people online; the terminal's /msg lands in it too.
    await bob.person("alice").click();
    await bob.say("psst, alice");
    carol.child.stdin.write("/msg alice from the terminal\n");
    await alice.conversation("bob").locator(".badge").waitFor();
    await alice.conversation("bob").click();
    await alice.waitForChatLines("bob", 1);
    assert.deepEqual(await alice.chatLines("bob"), ["<bob> psst, alice"]);
    await alice.conversation("carol").click();
    await alice.waitForChatLines("carol", 1);
    assert.deepEqual(await alice.chatLines("carol"), ["<carol> from the terminal"]);
    carol.child.stdin.end();
    assert.equal(await carol.exited, 0);
    assert.deepEqual([...alice.problems, ...bob.problems], [], "no page errors");
    await Promise.all([alice.close(), bob.close()]);
    assert.equal(await server.stop(), 0);
  });

  it("works with the keyboard alone: joining, saying, joining a room and going between conversations", async () => {
    const server = await startServer(["--quiet"]);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    // The nickname box has the keyboard from the start, the message box once joined.
    const nickname = page.getByRole("textbox", { name: "Nickname" });
    await nickname.waitFor();
    assert.equal(await nickname.evaluate((box) => box === document.activeElement), true);
    await page.keyboard.type("kim");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "connected as kim" }).waitFor();
    await page.keyboard.type("hello from the keyboard");
    await page.keyboard.press("Enter");
    const lobby = page.getByRole("log", { name: "Chat in #lobby" });
    await lobby.locator("li.chat:not(.sending)", { hasText: "hello from the keyboard" }).waitFor();
    await page.keyboard.type("/join #keys");
    await page.keyboard.press("Enter");
    await page.getByRole("log", { name: "Chat in #keys" }).waitFor();
    // Alt+Up and Alt+Down go through the conversations, the message box keeping the keyboard.
    await page.keyboard.press("Alt+ArrowUp");
    await lobby.waitFor();
    await page.keyboard.type("back in the lobby");
    await page.keyboard.press("Enter");
    await lobby.locator("li.chat:not(.sending)", { hasText: "back in the lobby" }).waitFor();
    await context.close();
    assert.equal(await server.stop(), 0);
  });

  it("loads older lines as the log is scrolled up, to the room's first line, each once in order", async () => {
    const server = await startServer(["--quiet"]);
    const LINES = 180; // more than three of the join's replays (50 lines)
    const said = Array.from({ length: LINES }, (_, i) => `line ${String(i).padStart(3, "0")}`);
    const carol = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "carol"]);
    carol.child.stdin.end(said.map((text) => `${text}\n`).join(""));
    assert.equal(await carol.exited, 0, "every line stored");

    const alice = await ChatPage.join(browser, server.port, "alice");
    await alice.waitForChatLines("#lobby", 50);
    const start = alice.page.getByText("The start of #lobby");
    let shown = (await alice.chatLines("#lobby")).length;
    assert.ok(shown < LINES, `the join replays the newest lines only (${shown})`);
    while (!(await start.isVisible())) {
      await alice.page.locator(".log").evaluate((log) => {
        log.scrollTop = 0;
      });
      await alice.page.waitForFunction(
        (before) =>
          document.querySelectorAll("li.chat").length > before ||
          document.querySelector(".log-start") !== null,
        shown,
      );
      shown = (await alice.chatLines("#lobby")).length;
    }
    assert.deepEqual(
      await alice.chatLines("#lobby"),
      said.map((text) => `<carol> ${text}`),
    );
    assert.deepEqual(alice.problems, [], "no page errors");
    await alice.close();
    assert.equal(await server.stop(), 0);
  });

  it("reconnects after a server restart and shows what was said meanwhile: no gap, no duplicate", async () => {
    const data = await tempDir("restart");
    const first = await startServer(["--quiet", "--data-dir", data.path]);
    const { port } = first;
    const post = async (texts: string[]) => {
      const cli = spawnCli(["connect", `127.0.0.1:${port}`, "--nick", "carol"]);
      cli.child.stdin.end(texts.map((text) => `${text}\n`).join(""));
      assert.equal(await cli.exited, 0, "every line stored");
    };
    const lines = (label: string) => Array.from({ length: 5 }, (_, i) => `${label} ${i}`);
    const alice = await ChatPage.join(browser, port, "alice");
    await post(lines("before"));
    await alice.waitForChatLines("#lobby", 5);

    assert.equal(await first.stop(), 0);
    // Its retries back off; while it waits, the server comes back and lines are said.
    await alice
      .status()
      .filter({ hasText: /reconnecting in (4|8|10)\.0 s/ })
      .waitFor();
    const second = await startServer(["--quiet", "--data-dir", data.path, "--port", String(port)]);
    await post(lines("meanwhile"));
    assert.match(
      (await alice.status().textContent()) ?? "",
      /reconnecting/,
      "the lines were said while the page was away",
    );
    await alice.connected(30_000);
    await post(lines("after"));
    await alice.waitForChatLines("#lobby", 15);
    assert.deepEqual(
      await alice.chatLines("#lobby"),
      [...lines("before"), ...lines("meanwhile"), ...lines("after")].map(
        (text) => `<carol> ${text}`,
      ),
    );
    // Chromium logs each refused dial while the server is down; anything else is the page's.
    assert.deepEqual(
      alice.problems.filter((problem) => !problem.includes("net::ERR_CONNECTION_REFUSED")),
      [],
      "no page errors",
    );
    await alice.close();
    assert.equal(await second.stop(), 0);
    await data.remove();
  });
});

describe("the page on a phone and on a desktop", { timeout: 120_000 }, () => {
  it("fits a 375 px phone with its sidebars behind buttons, shows both beside the chat on a desktop, and follows the system's dark scheme", async () => {
    const browser = await startBrowser();
    const server = await startServer(["--quiet"]);
    const work = await tempDir("looks");
    const carol = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "carol"]);
    await carol.stdout.waitFor(/^\* welcome/);
    const desktop = await ChatPage.join(browser, server.port, "alice");
    const phone = await ChatPage.join(browser, server.port, "bob", {
      viewport: { width: 375, height: 740 },
      phone: true,
    });
    const dark = await ChatPage.join(browser, server.port, "dana", { colorScheme: "dark" });
    await desktop.say("/topic the weekly call, Fridays at 10");
    carol.child.stdin.write("morning! agenda attached\n");
    const agenda = join(work.path, "agenda.pdf");
    await randomFile(agenda, 300_000);
    carol.child.stdin.write(`SEND ${agenda}\n`);
    await desktop.say("thanks carol, reading it now");
    await phone.say("same here, on the train, bob");
    await desktop.say("/me waves at bob");
    await desktop.say("/join #side");
    await desktop.say("a quieter room");
    await desktop.conversation("#lobby").click();
    carol.child.stdin.write("see you at 10, alice\n");
    for (const page of [desktop, phone, dark]) {
      await page.waitForChatLines("#lobby", 5);
      await page.log("#lobby").locator("li.file.verified").waitFor();
    }

    await mkdir(OUTPUT, { recursive: true });
    await desktop.page.screenshot({ path: join(OUTPUT, "page-desktop.png") });
    await phone.page.screenshot({ path: join(OUTPUT, "page-phone.png") });
    await dark.page.screenshot({ path: join(OUTPUT, "page-desktop-dark.png") });

    // An action is said by its sender, never in the server's "* …" form.
    assert.ok((await desktop.chatLines("#lobby")).includes("<alice> *waves at bob*"));
    // The room's members, with the count in the header.
    await desktop.page.getByRole("heading", { name: "In #lobby (4)" }).waitFor();
    await desktop.page.locator(".topic", { hasText: "4 members" }).waitFor();
    // Desktop: rooms, the chat and the people side by side.
    for (const region of ["navigation", "complementary"] as const) {
      assert.ok(
        await desktop.page.getByRole(region).isVisible(),
        `${region} shown beside the chat`,
      );
    }
    // Phone: nothing wider than the screen; the sidebars open on a button.
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the phone's page is ${width} px wide`);
    assert.ok(await phone.messageBox().isVisible());
    const box = await phone.messageBox().boundingBox();
    assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 375, "the message box fits");
    assert.equal(await phone.page.getByRole("navigation").isVisible(), false, "rooms hidden");
    await phone.page.getByRole("button", { name: "Rooms" }).click();
    await phone.page.getByRole("navigation").waitFor();
    await phone.page.screenshot({ path: join(OUTPUT, "page-phone-rooms.png") });
    await phone.page.getByRole("button", { name: "Back to the chat" }).first().click();
    // Dark: the system's scheme, not a page setting.
    const background = (page: ChatPage) =>
      page.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(await background(dark), await background(desktop), "dark differs from light");

    carol.child.stdin.end();
    assert.equal(await carol.exited, 0);
    assert.deepEqual([...desktop.problems, ...phone.problems, ...dark.problems], []);
    await Promise.all([desktop.close(), phone.close(), dark.close()]);
    assert.equal(await server.stop(), 0);
    await work.remove();
  });
});
