// A data directory the server cannot use is refused at start, with one line
// saying why and exit 1, and whatever is there is left exactly as it was.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { APPLICATION_ID, LATEST_SCHEMA } from "../../src/store/migrations.js";
import { DATABASE_FILE } from "../../src/store/sqlite-file.js";
import { tempDir } from "../helpers/files.js";
import { spawnCli } from "../helpers/processes.js";

/** Runs `serve` on `dataDir`; resolves with its exit code and stderr lines once it has exited. */
async function serveOn(dataDir: string): Promise<{ code: number | string; stderr: string[] }> {
  const server = spawnCli(["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir]);
  const code = await server.exited;
  await server.stderr.ended();
  return { code, stderr: server.stderr.lines.filter((line) => line !== "") };
}

describe("an unusable data directory", () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    root = await tempDir("data-dir");
  });
  after(() => root.remove());

  it("one that cannot be created is refused", async () => {
    const file = join(root.path, "a-file");
    await writeFile(file, "not a folder");
    const { code, stderr } = await serveOn(join(file, "data"));
    assert.equal(code, 1);
    assert.equal(stderr.length, 1, stderr.join("\n"));
    assert.match(
      stderr[0] ?? "",
      /^sockchat: cannot write to the data directory .*a-file\/data: .*\(ENOTDIR\)$/,
    );
  });

  it("a database file that is not SQLite is refused and left as it was", async () => {
    const dir = join(root.path, "garbage");
    const path = join(dir, DATABASE_FILE);
    const bytes = randomBytes(8192);
    await mkdir(dir);
    await writeFile(path, bytes);
    const { code, stderr } = await serveOn(dir);
    assert.equal(code, 1);
    assert.deepEqual(stderr, [
      `sockchat: ${path} is not a sockchat database; move it away or use another data directory`,
    ]);
    assert.deepEqual(await readFile(path), bytes);
  });

  it("another program's SQLite database is refused and left as it was", async () => {
    const dir = join(root.path, "foreign");
    const path = join(dir, DATABASE_FILE);
    await mkdir(dir);
    const foreign = new Database(path);
    foreign.exec(
      "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)",
    );
    foreign.close();
    const before = await readFile(path);
    const { code, stderr } = await serveOn(dir);
    assert.equal(code, 1);
    assert.equal(stderr.length, 1);
    assert.match(stderr[0] ?? "", /is not a sockchat database/);
    assert.deepEqual(await readFile(path), before);
  });

  it("a database from a newer sockchat is refused and left as it was", async () => {
    const dir = join(root.path, "newer");
    const path = join(dir, DATABASE_FILE);
    await mkdir(dir);
    const newer = new Database(path);
    newer.pragma(`application_id = ${APPLICATION_ID}`);
    newer.pragma(`user_version = ${LATEST_SCHEMA + 1}`);
    newer.exec("CREATE TABLE from_the_future (x)");
    newer.close();
    const before = await readFile(path);
    const { code, stderr } = await serveOn(dir);
    assert.equal(code, 1);
    assert.deepEqual(stderr, [
      `sockchat: ${path} was written by a newer sockchat (schema ${LATEST_SCHEMA + 1}, this one knows up to ${LATEST_SCHEMA}); run that version or a later one`,
    ]);
    assert.deepEqual(await readFile(path), before);
  });
});
