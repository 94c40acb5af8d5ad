// Shared files outlive the server process: a file sent before a restart is
// listed by /files after it, under the same id, and fetched by its name.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomFile, sha256File, tempDir } from "../helpers/files.js";
import { spawnCli, startServer } from "../helpers/processes.js";

const MIB = 1024 * 1024;

describe("files across a restart", { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    work = await tempDir("files-restart");
  });
  after(() => work.remove());

  it("a file shared before a restart is listed after it and fetched with /get <name>", async () => {
    const data = join(work.path, "data");
    const source = join(work.path, "report.pdf");
    const digest = await randomFile(source, 3 * MIB);
    const first = await startServer(["--quiet", "--data-dir", data]);
    const sender = spawnCli(["connect", `127.0.0.1:${first.port}`, "--nick", "ana"]);
    sender.child.stdin.end(`SEND ${source}\n`);
    assert.equal(await sender.exited, 0);
    const sent = sender.stdout.lines.find((l) => /^\* sending report\.pdf/.test(l)) ?? "";
    const id = /\[file (\d+)\]/.exec(sent)?.[1];
    assert.ok(id !== undefined, sender.stdout.lines.join("\n"));
    assert.equal(await first.stop(), 0);

    const second = await startServer(["--quiet", "--data-dir", data]);
    const saveDir = join(work.path, "saved");
    const fetcher = spawnCli([
      "connect",
      `127.0.0.1:${second.port}`,
      "--nick",
      "ben",
      "--save-dir",
      saveDir,
    ]);
    fetcher.child.stdin.end("/files\n/get report.pdf\n");
    assert.equal(await fetcher.exited, 0, fetcher.stdout.lines.join("\n"));
    assert.ok(
      fetcher.stdout.lines.some((l) =>
        new RegExp(`^\\*   ${id}  report\\.pdf  3\\.1 MB  from ana`).test(l),
      ),
      fetcher.stdout.lines.join("\n"),
    );
    assert.equal(await sha256File(join(saveDir, "terima_report.pdf")), digest);
    assert.equal(await second.stop(), 0);
  });
});
