// The receiving side of `sockchat connect`: what it does when its disk fills,
// when two clients share a save directory, when a later process resumes what
// an earlier one left, and when a pipe asks for a file with /get.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { randomFile, tempDir } from "../helpers/files.js";
import { type ServerProcess, type Spawned, spawnCli, startServer } from "../helpers/processes.js";
import { smallDisk } from "../helpers/small-disk.js";

const MiB = 1024 * 1024;

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
      await close(full, healthy);
    } finally {
      await disk.remove();
    }
  });
});
