// Files between the page in Debian's Chromium and the terminal client, 20 MB
// each way: picked with "Send a file" and saved by the CLI byte-identical; sent
// by the CLI and downloaded by the page over HTTP, byte-identical, with the
// verified SHA-256 beside its link. A file shared before the page joined is in
// the room's history, between the lines said around it.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { ChatPage, startBrowser } from "../helpers/chat-page.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

const SIZE = 20 * 1024 * 1024;

describe("files between the page and the terminal client", { timeout: 240_000 }, () => {
  let browser: Browser;
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [browser, server, work] = await Promise.all([
      startBrowser(),
      startServer(["--quiet"]),
      tempDir("page-files"),
    ]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  it("a 20 MB file picked on the page is saved by the CLI byte-identical", async () => {
    const path = join(work.path, "from-page.bin");
    const digest = await randomFile(path, SIZE);
    const alice = await ChatPage.join(browser, server.port, "alice");
    const saveDir = join(work.path, "carol");
    const carol = spawnCli([
      "connect",
      `127.0.0.1:${server.port}`,
      "--nick",
      "carol",
      "--save-dir",
      saveDir,
    ]);
    await carol.stdout.waitFor(/^\* welcome/);

    await alice.page.getByLabel("Send a file").setInputFiles(path);
    await carol.stdout.waitFor(/^\* saved terima_from-page\.bin /, 120_000);
    assert.equal(await sha256File(join(saveDir, "terima_from-page.bin")), digest);
    const shared = alice.log("#lobby").locator("li.file", { hasText: "from-page.bin" });
    await shared.filter({ hasText: "SHA-256 verified" }).waitFor({ timeout: 30_000 });
    assert.match((await shared.textContent()) ?? "", new RegExp(`SHA-256 verified: ${digest}`));

    carol.child.stdin.end();
    assert.equal(await carol.exited, 0);
    assert.deepEqual(alice.problems, [], "no page errors");
    await alice.close();
  });

  it("a 20 MB file sent by the CLI downloads from its link on the page byte-identical", async () => {
    const path = join(work.path, "from-cli.bin");
    const digest = await randomFile(path, SIZE);
    const bob = await ChatPage.join(browser, server.port, "bob");
    const dave = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "dave"]);
    await dave.stdout.waitFor(/^\* welcome/);
    dave.child.stdin.end(`SEND ${path}\n`);
    assert.equal(await dave.exited, 0, "the CLI saw its file delivered");

    const shared = bob.log("#lobby").locator("li.file", { hasText: "from-cli.bin" });
    await shared.filter({ hasText: "SHA-256 verified" }).waitFor({ timeout: 30_000 });
    const text = (await shared.textContent()) ?? "";
    assert.match(text, /<dave> shared from-cli\.bin \(21\.0 MB, /);
    assert.match(text, new RegExp(`SHA-256 verified: ${digest}`), "the verified hash by the link");
    const link = shared.getByRole("link", { name: "from-cli.bin" });
    const [download] = await Promise.all([bob.page.waitForEvent("download"), link.click()]);
    assert.equal(download.suggestedFilename(), "from-cli.bin");
    const saved = join(work.path, "downloaded.bin");
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), digest);
    assert.deepEqual(bob.problems, [], "no page errors");
    await bob.close();
  });

  it("a file shared before the page joined is in the history between the lines around it, and downloads", async () => {
    const path = join(work.path, "earlier.txt");
    const digest = await randomFile(path, 64 * 1024);
    const erin = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "erin"]);
    await erin.stdout.waitFor(/^\* welcome/);
    // Each step once the one before is done: stored, then kept, then stored.
    erin.child.stdin.write("before the file\n");
    await erin.stdout.waitFor(/^<You> before the file$/);
    erin.child.stdin.write(`SEND ${path}\n`);
    await erin.stdout.waitFor(/^\* earlier\.txt delivered to \d+ of \d+ receivers/, 30_000);
    erin.child.stdin.end("after the file\n");
    await erin.stdout.waitFor(/^<You> after the file$/);
    assert.equal(await erin.exited, 0);

    const frank = await ChatPage.join(browser, server.port, "frank");
    const log = frank.log("#lobby");
    const shared = log.locator("li.file", { hasText: "earlier.txt" });
    await shared.filter({ hasText: "SHA-256 verified" }).waitFor({ timeout: 15_000 });
    const shown = await log
      .locator("li.chat, li.file")
      .evaluateAll((items) =>
        items.map((item) => (item.querySelector(":scope > .text")?.textContent ?? "").trim()),
      );
    const at = shown.indexOf("before the file");
    assert.ok(at >= 0, shown.join("\n"));
    assert.deepEqual(
      shown.slice(at, at + 3).map((text) => text.replace(/ \(.*/, "")),
      ["before the file", "shared earlier.txt", "after the file"],
      "line, file, line, as they were said and shared",
    );
    const text = (await shared.textContent()) ?? "";
    assert.match(text, /<erin> shared earlier\.txt \(65\.5 KB, /);
    assert.match(text, new RegExp(`SHA-256 verified: ${digest}`), "the verified hash by the link");
    assert.equal(await shared.count(), 1, "once");

    const link = shared.getByRole("link", { name: "earlier.txt" });
    const [download] = await Promise.all([frank.page.waitForEvent("download"), link.click()]);
    assert.equal(download.suggestedFilename(), "earlier.txt");
    const saved = join(work.path, "earlier-downloaded.txt");
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), digest);
    assert.deepEqual(frank.problems, [], "no page errors");
    await frank.close();
  });
});
