// The original Python chat client, from which sockchat began: its SEND uploads
// a file raw on the chat connection, up to an end marker. sockchat relays it to
// its own clients, byte for byte, and the chat around it stays chat.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LEGACY_END_MARKER } from "../../src/protocol/legacy-upload.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { type OriginalClient, originalClient } from "../helpers/original-client.js";
import { type NativePeer, nativePeer } from "../helpers/peers.js";
import {
  type Receiver,
  type ServerProcess,
  startReceivers,
  startServer,
} from "../helpers/processes.js";
import { smallDisk } from "../helpers/small-disk.js";

const END_MARKER = Buffer.from(LEGACY_END_MARKER).toString("latin1");

/** A text client as the original one is welcomed: its nickname, from the welcome line. */
async function welcomed(client: OriginalClient): Promise<string> {
  const line = await client.lines.waitFor(/^\* welcome to .*, you are (\S+);/);
  return /you are (\S+);/.exec(line)?.[1] as string;
}

/**
 * Waits until the spool holds the listed files and nothing else: a dropped
 * upload's removal has no event a client sees, so this looks until it is gone.
 */
async function spoolHoldsOnlyListed(dir: string, peer: NativePeer): Promise<void> {
  const seen = peer.received.length;
  await peer.client.send({ type: "files" });
  const list = peer.received.slice(seen).find((m) => m.type === "file-list");
  const listed = list?.type === "file-list" ? list.files.map((f) => String(f.id)).sort() : [];
  const deadline = Date.now() + 15_000;
  const spooled = async () => (await readdir(dir)).sort().join(", ");
  while ((await spooled()) !== listed.join(", ")) {
    assert.ok(Date.now() < deadline, `spooled: ${await spooled()}; listed: ${listed.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the original chat client", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let receivers: Receiver[];

  before(async () => {
    work = await tempDir("original");
    server = await startServer([
      "--quiet",
      "--data-dir",
      join(work.path, "server"),
      "--max-file-size",
      "20000000",
      "--transfer-timeout",
      "1",
    ]);
    receivers = await startReceivers(server.port, work.path, ["rx1", "rx2"]);
  });
  after(async () => {
    for (const { cli } of receivers) cli.child.stdin.end();
    await Promise.all(receivers.map((r) => r.cli.exited));
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  /** Resolves once both receivers have saved `name` byte-identical to `digest`. */
  async function bothSaved(name: string, digest: string): Promise<void> {
    for (const { cli, dir } of receivers) {
      const saved = await cli.stdout.waitFor(
        new RegExp(`^\\* saved (terima_${name}.*) \\(`),
        30_000,
      );
      const file = (/^\* saved (.+) \(/.exec(saved) as RegExpExecArray)[1] as string;
      assert.equal(await sha256File(join(dir, file)), digest, `${dir}/${file}`);
    }
  }

  it("SEND uploads a file both sockchat receivers save byte-identical; the chat around it stays chat, once", async () => {
    const path = join(work.path, "See-Saw.mp3");
    const digest = await randomFile(path, 3_500_000);
    const original = await originalClient(server.port);
    const nick = await welcomed(original);
    await original.say("before the file");
    await original.sendFile(path);
    await original.say("after the file");
    await bothSaved("See-Saw.mp3", digest);
    for (const { cli } of receivers) {
      await cli.stdout.waitFor(new RegExp(`^<${nick}> after the file$`));
      const fromIt = cli.stdout.lines.filter((l) => l.startsWith(`<${nick}> `));
      assert.deepEqual(fromIt, [`<${nick}> before the file`, `<${nick}> after the file`]);
    }
    const arrived = await original.lines.waitFor(/^\* See-Saw\.mp3 arrived: /);
    assert.match(
      arrived,
      new RegExp(`3500000 bytes\\), SHA-256 computed by the server ${digest}$`),
    );
    await original.lines.waitFor(
      /^\* See-Saw\.mp3 from \S+ arrived complete, SHA-256 computed by the server/,
    );
    await original.lines.waitFor(/^\* See-Saw\.mp3 delivered to 2 of 2 receivers$/);
    // The original client takes any text holding the word in capitals for a file coming.
    for (const line of original.lines.lines) assert.doesNotMatch(line, /SEND/, line);
    original.socket.destroy();
  });

  it("takes the SEND line, the file and the marker however they are cut into writes", async () => {
    type Cut = (line: Buffer, file: Buffer, end: Buffer) => Buffer[];
    // Each write is its own segment (no Nagle, each awaited), though the server
    // may still read two as one: every cut of every read is the unit tests' part
    // (text-codec.test.ts, marker-scanner.test.ts).
    const variants: { name: string; cut: Cut }[] = [
      { name: "one-write.bin", cut: (line, file, end) => [Buffer.concat([line, file, end])] },
      {
        name: "line-and-start.bin",
        cut: (line, file, end) => [
          Buffer.concat([line, file.subarray(0, 5)]),
          file.subarray(5),
          end,
        ],
      },
      // The SEND line itself cut: in its word, after it, in the path, before its newline.
      ...[1, 4, 5, 9, -1].map((at) => ({
        name: `line-cut-${at < 0 ? "before-newline" : at}.bin`,
        cut: (line: Buffer, file: Buffer, end: Buffer) => [
          line.subarray(0, at),
          Buffer.concat([line.subarray(at), file, end]),
        ],
      })),
      // The marker cut at every point, with chat right behind it in the same write.
      ...Array.from({ length: LEGACY_END_MARKER.length - 1 }, (_, i) => i + 1).map((at) => ({
        name: `marker-cut-${at}.bin`,
        cut: (line: Buffer, file: Buffer, end: Buffer) => [
          line,
          Buffer.concat([file, end.subarray(0, at)]),
          Buffer.concat([end.subarray(at), Buffer.from("chat right after\n")]),
        ],
      })),
    ];
    for (const { name, cut } of variants) {
      const path = join(work.path, name);
      const digest = await randomFile(path, 20_000);
      const seen = receivers.map(({ cli }) => cli.stdout.lines.length);
      // As the original client does, it writes at once: the SEND line is the connection's first bytes.
      const original = await originalClient(server.port);
      const pieces = cut(
        Buffer.from(`SEND ${path}\n`),
        await readFile(path),
        Buffer.from(LEGACY_END_MARKER),
      );
      for (const piece of pieces) await original.write(piece);
      await original.say("and then this");
      const nick = await welcomed(original);
      await bothSaved(name, digest);
      const chat = [
        ...(name.startsWith("marker-cut-") ? ["chat right after"] : []),
        "and then this",
      ];
      for (const [i, { cli }] of receivers.entries()) {
        await cli.stdout.waitFor(new RegExp(`^<${nick}> and then this$`), 15_000, seen[i]);
        const fromIt = cli.stdout.lines.slice(seen[i]).filter((l) => l.startsWith(`<${nick}> `));
        assert.deepEqual(
          fromIt,
          chat.map((text) => `<${nick}> ${text}`),
          name,
        );
      }
      original.socket.destroy();
    }
  });

  it("a file that holds the marker is cut there, and the sender is told the size and hash it got", async () => {
    const head = randomBytes(30_000);
    const tail = Buffer.from("the rest of the file\n");
    const path = join(work.path, "holds-marker.bin");
    await writeFile(path, Buffer.concat([head, LEGACY_END_MARKER, tail]));
    const digest = createHash("sha256").update(head).digest("hex");
    const original = await originalClient(server.port);
    const nick = await welcomed(original);
    const seen = receivers.map(({ cli }) => cli.stdout.lines.length);
    await original.sendFile(path);
    await original.say("after it");
    await bothSaved("holds-marker.bin", digest);
    await original.lines.waitFor(
      new RegExp(
        `^\\* holds-marker\\.bin arrived: 30\\.0 KB \\(30000 bytes\\), SHA-256 computed by the server ${digest}$`,
      ),
    );
    // What followed the marker in the file is lines: then its real marker, and the next line.
    const chat = ["the rest of the file", `${END_MARKER.slice(1)}after it`];
    for (const [i, { cli }] of receivers.entries()) {
      await cli.stdout.waitFor(new RegExp(`^<${nick}> ${chat[1]}$`), 15_000, seen[i]);
      const fromIt = cli.stdout.lines.slice(seen[i]).filter((l) => l.startsWith(`<${nick}> `));
      assert.deepEqual(
        fromIt,
        chat.map((text) => `<${nick}> ${text}`),
      );
    }
    original.socket.destroy();
  });

  describe("when an upload cannot be taken", () => {
    let watcher: NativePeer;
    before(async () => {
      watcher = await nativePeer(server.port, "watcher");
    });
    after(() => watcher.client.close());

    it("over --max-file-size: the sender is told in one line, nothing is offered, what follows is chat", async () => {
      const path = join(work.path, "huge.bin");
      await randomFile(path, 25_000_000);
      const since = watcher.received.length;
      const original = await originalClient(server.port);
      const nick = await welcomed(original);
      await original.sendFile(path);
      await original.say("still here");
      await watcher.waitFor(
        (m) => m.type === "message" && m.from === nick && m.text === "still here",
        30_000,
      );
      const refusals = original.lines.lines.filter((l) =>
        l.startsWith("* error: huge.bin was not sent"),
      );
      assert.equal(refusals.length, 1, original.lines.lines.join("\n"));
      assert.match(
        refusals[0] as string,
        /it is over the 20\.0 MB this server takes; what is left of it is dropped, up to its end marker/,
      );
      assert.ok(
        !watcher.received
          .slice(since)
          .some((m) => m.type === "file-offered" && m.name === "huge.bin"),
      );
      assert.ok(
        !watcher.received
          .slice(since)
          .some((m) => m.type === "message" && m.from === nick && m.text !== "still here"),
      );
      await spoolHoldsOnlyListed(join(work.path, "server", "spool"), watcher);
      original.socket.destroy();
    });

    it("silent for --transfer-timeout: given up, its spool file deleted; its late bytes still stay out of chat until the marker", async () => {
      const since = watcher.received.length;
      const original = await originalClient(server.port);
      const nick = await welcomed(original);
      await original.write("SEND stalled.bin\nsome bytes of it, then nothing");
      await original.lines.waitFor(
        /^\* error: stalled\.bin was not sent: nothing arrived for 1 s; /,
      );
      await original.write(
        Buffer.concat([Buffer.from("late bytes\n"), Buffer.from(LEGACY_END_MARKER)]),
      );
      await original.say("back to chat");
      await watcher.waitFor(
        (m) => m.type === "message" && m.from === nick && m.text === "back to chat",
      );
      assert.ok(
        !watcher.received
          .slice(since)
          .some((m) => m.type === "message" && m.from === nick && m.text !== "back to chat"),
      );
      assert.ok(
        !watcher.received
          .slice(since)
          .some((m) => m.type === "file-offered" && m.name === "stalled.bin"),
      );
      // Still connected, the sender does not clean it up by leaving: giving up did.
      await spoolHoldsOnlyListed(join(work.path, "server", "spool"), watcher);
      original.socket.destroy();
    });

    it("cut off before the marker: nothing is offered and the spool is cleaned", async () => {
      const since = watcher.received.length;
      const original = await originalClient(server.port);
      const nick = await welcomed(original);
      await original.write(`SEND cut.bin\n${"x".repeat(100_000)}`);
      await original.lines.waitFor(/^\* receiving cut\.bin from you/);
      original.socket.destroy();
      await watcher.waitFor((m) => m.type === "left" && m.nick === nick);
      await spoolHoldsOnlyListed(join(work.path, "server", "spool"), watcher);
      assert.ok(
        !watcher.received
          .slice(since)
          .some((m) => m.type === "file-offered" && m.name === "cut.bin"),
      );
    });

    it("over the uploads one address may have under way: the sender is told in one line, nothing is offered, what follows is chat", async () => {
      // A text connection has one upload at a time, so its own cap of 8 is never
      // reached: the cap a legacy upload meets is its address's, 16.
      const capped = await startServer(["--quiet", "--data-dir", join(work.path, "capped")]);
      const held: OriginalClient[] = [];
      try {
        const onlooker = await nativePeer(capped.port, "onlooker");
        for (let i = 0; i < 16; i++) {
          const client = await originalClient(capped.port);
          held.push(client);
          await client.write(`SEND held-${i}.bin\nits first bytes, and no marker yet`);
          await client.lines.waitFor(new RegExp(`^\\* receiving held-${i}\\.bin from you`));
        }
        const path = join(work.path, "one-too-many.bin");
        const digest = await randomFile(path, 200_000);
        const original = await originalClient(capped.port);
        const nick = await welcomed(original);
        await original.sendFile(path);
        await original.say("chat after the refusal");
        await onlooker.waitFor(
          (m) => m.type === "message" && m.from === nick && m.text === "chat after the refusal",
        );
        const told = original.lines.lines.filter((l) => l.includes("one-too-many.bin"));
        assert.deepEqual(told, [
          `* error: one-too-many.bin was not sent: 16 files are already being sent from your address; wait for one to finish; what is left of it is dropped, up to its end marker ${END_MARKER}`,
        ]);
        assert.ok(!onlooker.received.some((m) => m.type === "file-offered"));
        const fromIt = onlooker.received.filter((m) => m.type === "message" && m.from === nick);
        assert.equal(fromIt.length, 1, JSON.stringify(fromIt).slice(0, 500));

        // One held upload ends: its slot is free, and the same SEND is taken.
        await (held[0] as OriginalClient).write(LEGACY_END_MARKER);
        await onlooker.waitFor((m) => m.type === "file-offered" && m.name === "held-0.bin");
        await original.sendFile(path);
        await original.lines.waitFor(
          new RegExp(
            `^\\* one-too-many\\.bin arrived: .*SHA-256 computed by the server ${digest}$`,
          ),
        );
        await onlooker.waitFor((m) => m.type === "file-offered" && m.name === "one-too-many.bin");
        for (const client of held) client.socket.destroy();
        original.socket.destroy();
        await spoolHoldsOnlyListed(join(work.path, "capped", "spool"), onlooker);
        onlooker.client.close();
      } finally {
        for (const client of held) client.socket.destroy();
        assert.equal(await capped.stop(), 0);
      }
    });

    it("larger than the disk has room for: refused, and the rest dropped up to the marker", async () => {
      const disk = await smallDisk("legacy-full", 4 * 1024 * 1024);
      const small = await startServer(["--quiet", "--data-dir", disk.path]);
      try {
        const path = join(work.path, "too-big.bin");
        await randomFile(path, 6_000_000);
        const onlooker = await nativePeer(small.port, "onlooker");
        const original = await originalClient(small.port);
        const nick = await welcomed(original);
        await original.sendFile(path);
        await original.say("after all that");
        await onlooker.waitFor(
          (m) => m.type === "message" && m.from === nick && m.text === "after all that",
          30_000,
        );
        await original.lines.waitFor(
          /^\* error: too-big\.bin was not sent: the server has room for .* of it; what is left of it is dropped/,
        );
        assert.ok(!onlooker.received.some((m) => m.type === "file-offered"));
        onlooker.client.close();
        original.socket.destroy();
      } finally {
        assert.equal(await small.stop(), 0);
        await disk.remove();
      }
    });
  });
});
