// The receiving side of `sockchat connect`: what it does when its disk fills,
// when two clients share a save directory, when a later process resumes what
// an earlier one left, and when a pipe asks for a file with /get.

import assert from "node:assert/strict";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { ChatClient, type OutgoingFile } from "../../src/client/chat-client.js";
import type { FileSource } from "../../src/client/files.js";
import { openFileSource, sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { type ServerProcess, type Spawned, spawnCli, startServer } from "../helpers/processes.js";
import { smallDisk } from "../helpers/small-disk.js";

const MiB = 1024 * 1024;

/** `source`, except that reads from `at` on wait until `open()` is called. */
function gated(source: FileSource, at: number): { source: FileSource; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open,
    source: {
      ...source,
      read: async (offset, length) => {
        if (offset + length > at) await opened;
        return source.read(offset, length);
      },
    },
  };
}

describe("saving received files", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;
  /** Clients a test started; a failed test's are killed, so the next has the server to itself. */
  const started: Spawned[] = [];

  before(async () => {
    work = await tempDir("saving");
    server = await startServer(["--quiet", "--data-dir", join(work.path, "server")]);
  });
  afterEach(async () => {
    for (const cli of started.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
      await cli.exited;
    }
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  /** A `sockchat connect` that keeps its stdin open, joined. */
  async function receiver(nick: string, saveDir: string, json = false): Promise<Spawned> {
    const args = ["connect", `127.0.0.1:${server.port}`, "--nick", nick, "--save-dir", saveDir];
    const cli = spawnCli(json ? [...args, "--json"] : args);
    started.push(cli);
    await cli.stdout.waitFor(json ? /"type":"welcome"/ : /^\* welcome/);
    return cli;
  }

  /** Runs a pipe-mode client on `input`; resolves with its exit code and output once it exits. */
  async function pipe(
    nick: string,
    input: string,
    extra: readonly string[] = [],
  ): Promise<{ code: number | string; lines: string[] }> {
    const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", nick, ...extra]);
    started.push(cli);
    cli.child.stdin.end(input);
    const code = await cli.exited;
    await cli.stdout.ended();
    return { code, lines: cli.stdout.lines };
  }

  /** Sends `path` from a pipe client; resolves with the transfer id and the sender's output. */
  async function send(path: string): Promise<{ id: number; lines: string[] }> {
    const { code, lines } = await pipe("sender", `SEND ${path}\n`, ["--save-dir", work.path]);
    assert.equal(code, 0, lines.join("\n"));
    const sending = lines.find((l) => /^\* sending .* \[file \d+\]$/.test(l)) ?? "";
    return { id: Number(/\[file (\d+)\]$/.exec(sending)?.[1]), lines };
  }

  /** Offers `path` from a client in this process that sends no further than `at` until opened. */
  async function gatedSender(
    path: string,
    at: number,
  ): Promise<{ outgoing: OutgoingFile; open(): void; close(): void }> {
    const gate = gated(await openFileSource(path), at);
    const client = new ChatClient({
      dial: tcpDial("127.0.0.1", server.port),
      nick: "gated",
      clientName: "test",
      files: { hasher: sha256Hasher },
    });
    await client.connect();
    return {
      outgoing: await client.sendFile(gate.source),
      open: gate.open,
      close: () => client.close(),
    };
  }

  /** Ends the stdin of each client and resolves with their exit codes. */
  function close(...clients: Spawned[]): Promise<(number | string)[]> {
    for (const cli of clients) cli.child.stdin.end();
    return Promise.all(clients.map((c) => c.exited));
  }

  it("a receiver whose disk fills says so, removes the partial, declines the file and keeps chatting", async () => {
    const disk = await smallDisk("full", 8 * MiB);
    try {
      const full = await receiver("full", disk.path);
      const healthy = await receiver("healthy", join(work.path, "healthy"));
      const path = join(work.path, "too-big-for-the-disk.bin");
      await randomFile(path, 20_000_000);

      const { lines } = await send(path);
      assert.ok(
        lines.includes(
          "* too-big-for-the-disk.bin delivered to 1 of 2 receivers (full: could not save it: disk full)",
        ),
        lines.join("\n"),
      );
      await full.stdout.waitFor(/^\* could not save too-big-for-the-disk\.bin: disk full$/);
      assert.deepEqual(await readdir(disk.path), []);

      // Still up, and still chatting both ways.
      assert.equal(full.child.exitCode, null);
      healthy.child.stdin.write("are you still there?\n");
      await full.stdout.waitFor(/^<healthy> are you still there\?$/);
      full.child.stdin.write("still here\n");
      await healthy.stdout.waitFor(/^<full> still here$/);
      // A file this client could not save is a failure on its side: exit 1.
      assert.deepEqual(await close(full, healthy), [1, 0]);
    } finally {
      await disk.remove();
    }
  });

  it("two receivers sharing a save directory each save their own byte-identical copy", async () => {
    const shared = join(work.path, "shared");
    const first = await receiver("first", shared, true);
    const second = await receiver("second", shared, true);
    const path = join(work.path, "both.bin");
    const digest = await randomFile(path, 24_000_000);
    const sender = await gatedSender(path, 8 * MiB);
    try {
      // The second stops mid-way, with its partial open, while the first finishes.
      await second.stdout.waitFor(/"type":"download-progress"/);
      second.child.kill("SIGSTOP");
      sender.open();
      const saved = JSON.parse(await first.stdout.waitFor(/"type":"download-saved"/)) as {
        path: string;
      };
      assert.equal(await sha256File(saved.path), digest, "the first copy, as it is saved");
      second.child.kill("SIGCONT");
      const outcome = await second.stdout.waitFor(/"type":"download-(saved|failed)"/);
      assert.match(outcome, /"type":"download-saved"/);

      const result = await sender.outgoing.delivered;
      assert.deepEqual([result.delivered, result.failed], [2, 0], result.detail);
      assert.deepEqual((await readdir(shared)).sort(), ["terima_both (1).bin", "terima_both.bin"]);
      assert.equal(await sha256File(join(shared, "terima_both.bin")), digest);
      assert.equal(await sha256File(join(shared, "terima_both (1).bin")), digest);
      assert.deepEqual(await close(first, second), [0, 0]);
    } finally {
      sender.close();
    }
  });

  it("a partial left by a process that has exited is resumed by a later process's /get", async () => {
    const saveDir = join(work.path, "resumed");
    const path = join(work.path, "resumed.bin");
    const digest = await randomFile(path, 30_000_000);
    const first = await receiver("first", saveDir, true);
    const sender = await gatedSender(path, 8 * MiB);
    try {
      // Killed with part of the file on disk: it leaves its partial behind.
      await first.stdout.waitFor(/"type":"download-progress"/);
      first.child.kill("SIGKILL");
      await first.exited;
      const parts = (await readdir(saveDir)).filter((f) => f.endsWith(".part"));
      assert.equal(parts.length, 1, parts.join(", "));
      const kept = (await stat(join(saveDir, parts[0] as string))).size;
      assert.ok(kept > 0);
      sender.open();
      await sender.outgoing.delivered;

      const second = await receiver("second", saveDir, true);
      second.child.stdin.write(`/get ${sender.outgoing.id}\n`);
      const offered = JSON.parse(await second.stdout.waitFor(/"type":"file-offered"/)) as {
        offset: number;
      };
      assert.equal(offered.offset, kept, "resumed from the kept bytes");
      await second.stdout.waitFor(/"type":"download-saved"/);
      assert.deepEqual(await close(second), [0]);
      assert.deepEqual(await readdir(saveDir), ["terima_resumed.bin"]);
      assert.equal(await sha256File(join(saveDir, "terima_resumed.bin")), digest);
    } finally {
      sender.close();
    }
  });

  describe("/get in pipe mode", () => {
    let id: number;
    let digest: string;
    before(async () => {
      const path = join(work.path, "wanted.bin");
      digest = await randomFile(path, 5_000_000);
      ({ id } = await send(path));
    });

    it("waits for the download, saves the file byte-identical and exits 0", async () => {
      const saveDir = join(work.path, "got");
      const { code, lines } = await pipe("getter", `/get ${id}\n`, ["--save-dir", saveDir]);
      assert.equal(code, 0, lines.join("\n"));
      // A file sent before, not a new offer: in the past tense, by its sender.
      assert.ok(
        lines.some((l) =>
          /^\* fetching wanted\.bin \(5\.0 MB\), sent by \S+ \[file \d+\]$/.test(l),
        ),
        lines.join("\n"),
      );
      assert.ok(!lines.some((l) => / is sending wanted\.bin/.test(l)), lines.join("\n"));
      assert.ok(
        lines.some((l) => /^\* saved terima_wanted\.bin \(.*SHA-256 verified\)$/.test(l)),
        lines.join("\n"),
      );
      assert.equal(await sha256File(join(saveDir, "terima_wanted.bin")), digest);
    });

    it("with --json too, printing the download's events", async () => {
      const saveDir = join(work.path, "got-json");
      const { code, lines } = await pipe("jsongetter", `/get ${id}\n`, [
        "--save-dir",
        saveDir,
        "--json",
      ]);
      assert.equal(code, 0, lines.join("\n"));
      const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
      assert.ok(types.includes("download-started"), types.join(", "));
      assert.equal(types.at(-1), "download-saved", types.join(", "));
      assert.equal(await sha256File(join(saveDir, "terima_wanted.bin")), digest);
    });

    it("exits 1 when the file cannot be saved, saying why", async () => {
      const notADirectory = join(work.path, "a-regular-file");
      await writeFile(notADirectory, "");
      const { code, lines } = await pipe("nowhere", `/get ${id}\n`, ["--save-dir", notADirectory]);
      assert.equal(code, 1, lines.join("\n"));
      assert.ok(
        lines.includes(`* could not save wanted.bin: ${notADirectory} is not a directory`),
        lines.join("\n"),
      );
    });

    it("exits 1 when the disk fills, and leaves nothing behind", async () => {
      const disk = await smallDisk("get-full", 1 * MiB);
      try {
        const { code, lines } = await pipe("cramped", `/get ${id}\n`, ["--save-dir", disk.path]);
        assert.equal(code, 1, lines.join("\n"));
        assert.ok(lines.includes("* could not save wanted.bin: disk full"), lines.join("\n"));
        assert.deepEqual(await readdir(disk.path), []);
      } finally {
        await disk.remove();
      }
    });

    it("exits 1 for a file the server does not have", async () => {
      const { code, lines } = await pipe("hopeful", "/get 999\n", [
        "--save-dir",
        join(work.path, "none"),
      ]);
      assert.equal(code, 1, lines.join("\n"));
      assert.ok(
        lines.some((l) => /^\* error: .*999/.test(l)),
        lines.join("\n"),
      );
    });
  });
});
