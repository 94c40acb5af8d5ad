// The SQLite store: the shared contract, and what only a database on disk has
// to get right — ids that last across restarts, one transaction a turn,
// migrations, the files it refuses (leaving them as they were), a full disk.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { roomConversation } from "../../src/store/conversations.js";
import { APPLICATION_ID, LATEST_SCHEMA, migrate } from "../../src/store/migrations.js";
import { DATABASE_FILE } from "../../src/store/sqlite-file.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { StoreOpenError, StoreWriteError } from "../../src/store/store.js";
import { sha256File, tempDir } from "../helpers/files.js";
import { Random } from "../helpers/random.js";
import { type SmallDisk, smallDisk } from "../helpers/small-disk.js";
import { appendAll, comparable, say, storeSuite, upload, verified } from "./store-suite.js";

const MIB = 1024 * 1024;
const run = promisify(execFile);

storeSuite("SqliteStore", async () => {
  const dir = await tempDir("store");
  const store = new SqliteStore(dir.path);
  return {
    store,
    async remove() {
      store.close();
      await dir.remove();
    },
  };
});

/** Runs `test` on a fresh data directory, removed afterwards. */
const inDataDir = (test: (dataDir: string) => Promise<void>) => async () => {
  const dir = await tempDir("store");
  try {
    await test(dir.path);
  } finally {
    await dir.remove();
  }
};

/** Opening `dataDir` is refused with a message matching `reason`, on one line, and `file` is left as it was. */
async function assertRefused(dataDir: string, file: string, reason: RegExp): Promise<void> {
  const before = await sha256File(file);
  assert.throws(
    () => new SqliteStore(dataDir),
    (error) => {
      assert.ok(error instanceof StoreOpenError, String(error));
      assert.match(error.message, reason);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
  assert.equal(await sha256File(file), before, "the file is unchanged");
}

/** The database of `dataDir` as a sockchat that knew only schema `version` left it, data and all. */
const WRITTEN_AT: Record<number, (db: Database.Database) => void> = {
  1(db) {
    db.prepare(
      "INSERT INTO lines VALUES (7, 1000, ?, 'say', '#Old', 'alice', '', 'from before')",
    ).run(roomConversation("#Old"));
    db.prepare(
      `INSERT INTO files (id, room, sender, name, size, sha256, sender_hash, shared_at, expires_at)
       VALUES
         (3, '#Old', 'alice', 'kept.txt', 5, ?, 1, ?, ?),
         (4, '#Old', 'bob', 'unfinished.bin', 9, NULL, NULL, NULL, NULL)`,
    ).run(verified.sha256, verified.sharedAt, verified.expiresAt);
  },
  2(db) {
    WRITTEN_AT[1]?.(db);
    db.prepare("UPDATE files SET after_line = 7 WHERE id = 3").run();
  },
};

describe("SqliteStore", () => {
  it(
    "never gives a line or file id again, across restarts and once every line expired",
    inDataDir(async (dataDir) => {
      let store = new SqliteStore(dataDir);
      const [, last] = await appendAll(store, [say("one"), say("two")]);
      const dropped = store.beginFile(upload);
      store.dropFile(dropped);
      const unfinished = store.beginFile(upload);
      assert.equal(store.expireLines(Number.POSITIVE_INFINITY), 2);
      store.close();

      store = new SqliteStore(dataDir);
      try {
        assert.deepEqual(store.takeUnfinishedFiles(), [unfinished]);
        const { line, stored } = store.append(say("three"));
        assert.ok(line.id > (last?.id ?? Number.POSITIVE_INFINITY), `${line.id} after ${last?.id}`);
        await stored;
        assert.ok(store.beginFile(upload) > unfinished);
      } finally {
        store.close();
      }
    }),
  );

  it(
    "keeps across a restart what was committed, the lines pending at close included",
    inDataDir(async (dataDir) => {
      let store = new SqliteStore(dataDir);
      const [first] = await appendAll(store, [say("committed")]);
      const pending = store.append(say("pending at close"));
      const file = store.beginFile(upload);
      store.keepFile(file, verified);
      store.close();
      await pending.stored;

      store = new SqliteStore(dataDir);
      try {
        assert.deepEqual(store.latest(roomConversation("#lobby"), 10), [first, pending.line]);
        assert.deepEqual(store.keptFiles().map(comparable), [
          comparable({ id: file, ...upload, ...verified, afterLine: first?.id ?? 0 }),
        ]);
      } finally {
        store.close();
      }
    }),
  );

  it(
    "keeps a committed line when the process is killed right after `stored`",
    inDataDir(async (dataDir) => {
      const writer = fileURLToPath(new URL("killed-writer.js", import.meta.url));
      const child = spawn(process.execPath, [writer, dataDir, "before the kill"], {
        stdio: "inherit",
      });
      const [code, signal] = await once(child, "exit");
      assert.deepEqual({ code, signal }, { code: null, signal: "SIGKILL" });
      assert.ok(existsSync(join(dataDir, `${DATABASE_FILE}-wal`)), "the line is in the WAL only");
      const store = new SqliteStore(dataDir);
      try {
        assert.deepEqual(
          store.latest(roomConversation("#lobby"), 10).map((line) => line.text),
          ["before the kill"],
        );
      } finally {
        store.close();
      }
    }),
  );

  it(
    "commits the lines of one turn in one transaction: when one fails, all of them do",
    inDataDir(async (dataDir) => {
      const store = new SqliteStore(dataDir);
      try {
        const side = new Database(join(dataDir, DATABASE_FILE));
        side.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON lines WHEN NEW.text = 'poison'
                   BEGIN SELECT RAISE(ABORT, 'poisoned line'); END`);
        side.close();
        const [earlier] = await appendAll(store, [say("an earlier turn")]);
        const turn = [say("first"), say("poison"), say("third")].map((d) => store.append(d));
        for (const { stored } of turn) {
          await assert.rejects(stored, (error) => {
            assert.ok(error instanceof StoreWriteError);
            assert.equal(error.diskFull, false);
            return true;
          });
        }
        const [later] = await appendAll(store, [say("a later turn")]);
        assert.deepEqual(store.latest(roomConversation("#lobby"), 10), [earlier, later]);
        assert.ok((later?.id ?? 0) > (turn[2]?.line.id ?? Number.POSITIVE_INFINITY));
      } finally {
        store.close();
      }
    }),
  );

  describe("schema", () => {
    const openedAtLatest = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        assert.equal(db.pragma("user_version", { simple: true }), LATEST_SCHEMA);
        assert.equal(db.pragma("application_id", { simple: true }), APPLICATION_ID);
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      } finally {
        db.close();
      }
    };

    // Schema 0 is an empty database; every later one holds data in its own tables.
    for (let version = 0; version <= LATEST_SCHEMA; version++) {
      it(
        `brings a database at schema ${version} to schema ${LATEST_SCHEMA}, keeping what it held`,
        inDataDir(async (dataDir) => {
          const path = join(dataDir, DATABASE_FILE);
          if (version > 0) {
            const write = WRITTEN_AT[version];
            assert.ok(write, `WRITTEN_AT has no data for schema ${version}`);
            const db = new Database(path);
            migrate(db, version);
            write(db);
            db.close();
          }
          const store = new SqliteStore(dataDir);
          try {
            if (version > 0) {
              const [line] = store.latest(roomConversation("#old"), 10);
              assert.deepEqual(line, {
                id: 7,
                ts: 1000,
                conversation: roomConversation("#Old"),
                kind: "say",
                room: "#Old",
                from: "alice",
                to: "",
                text: "from before",
              });
              assert.deepEqual(store.keptFiles().map(comparable), [
                comparable({
                  id: 3,
                  room: "#Old",
                  from: "alice",
                  name: "kept.txt",
                  ...verified,
                  size: 5,
                  // Schema 1 had no place for files: they read as before every line.
                  afterLine: version >= 2 ? 7 : 0,
                }),
              ]);
              assert.deepEqual(store.takeUnfinishedFiles(), [4]);
              assert.ok(store.beginFile(upload) > 4);
              const next = store.append(say("new"));
              assert.ok(next.line.id > 7);
              await next.stored;
            }
          } finally {
            store.close();
          }
          openedAtLatest(path);
        }),
      );
    }

    it(
      "takes an empty file for a new database",
      inDataDir(async (dataDir) => {
        const path = join(dataDir, DATABASE_FILE);
        await writeFile(path, "");
        const store = new SqliteStore(dataDir);
        store.close();
        openedAtLatest(path);
      }),
    );
  });

  describe("refuses what it cannot use, changing nothing", () => {
    it(
      "a data directory that cannot be created",
      inDataDir(async (dataDir) => {
        const file = join(dataDir, "a-file");
        await writeFile(file, "not a directory");
        await assertRefused(
          join(file, "data"),
          file,
          /^cannot write to the data directory .*a-file\/data: not a directory \(ENOTDIR\)$/,
        );
        await assertRefused(
          file,
          file,
          /^cannot write to the data directory .*a-file: it is a file, not a directory$/,
        );
      }),
    );

    // chmod stops no one who runs as root, as CI does: there it is a read-only file system.
    const asRoot = process.getuid?.() === 0;
    it(`a data directory it cannot write (${asRoot ? "read-only mount" : "mode 0555"})`, async () => {
      const dir = asRoot ? await smallDisk("read-only", MIB) : await tempDir("store");
      try {
        new SqliteStore(dir.path).close();
        const path = join(dir.path, DATABASE_FILE);
        if (asRoot) await run("mount", ["-o", "remount,ro", dir.path]);
        else await chmod(dir.path, 0o555);
        await assertRefused(
          dir.path,
          path,
          asRoot
            ? /^cannot write to the data directory .*: read-only file system \(EROFS\)$/
            : /^cannot write to the data directory .*: permission denied \(EACCES\)$/,
        );
      } finally {
        if (!asRoot) await chmod(dir.path, 0o755);
        await dir.remove();
      }
    });

    it(
      "a database from a newer sockchat",
      inDataDir(async (dataDir) => {
        new SqliteStore(dataDir).close();
        const path = join(dataDir, DATABASE_FILE);
        const db = new Database(path);
        db.pragma(`user_version = ${LATEST_SCHEMA + 41}`);
        db.close();
        await assertRefused(
          dataDir,
          path,
          new RegExp(
            `^${path} was written by a newer sockchat \\(schema ${LATEST_SCHEMA + 41}, this one knows up to ${LATEST_SCHEMA}\\)`,
          ),
        );
      }),
    );

    it(
      "a file that is not SQLite",
      inDataDir(async (dataDir) => {
        const path = join(dataDir, DATABASE_FILE);
        await writeFile(path, new Random(9).bytes(8192));
        await assertRefused(dataDir, path, /^.*sockchat\.db is not a sockchat database/);
      }),
    );

    it(
      "a tiny file that is not SQLite",
      inDataDir(async (dataDir) => {
        const path = join(dataDir, DATABASE_FILE);
        await writeFile(path, "hello\n");
        await assertRefused(dataDir, path, /is not a sockchat database/);
      }),
    );

    for (const [what, prepare] of [
      [
        "another application's SQLite database",
        "PRAGMA application_id = 1234567; CREATE TABLE lines (id INTEGER PRIMARY KEY)",
      ],
      ["an unmarked SQLite database with tables", "CREATE TABLE notes (text TEXT)"],
    ] as const) {
      it(
        what,
        inDataDir(async (dataDir) => {
          const path = join(dataDir, DATABASE_FILE);
          const db = new Database(path);
          db.exec(prepare);
          db.close();
          await assertRefused(dataDir, path, /is not a sockchat database/);
          assert.deepEqual(await readdir(dataDir), [DATABASE_FILE]);
        }),
      );
    }
  });

  describe("on a full disk", { timeout: 30_000 }, () => {
    let disk: SmallDisk;
    before(async () => {
      disk = await smallDisk("store-full", MIB);
    });
    after(() => disk.remove());

    it("rejects the turn's lines as disk full, writes none of them, and recovers once there is room", async () => {
      let store = new SqliteStore(disk.path);
      const filler = join(disk.path, "filler");
      try {
        const [before] = await appendAll(store, [say("before the disk filled")]);
        await writeFile(filler, new Uint8Array(2 * MIB)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOSPC") throw error;
        });
        const big = "x".repeat(64 * 1024);
        const turn = [say(big), say(big), say(big)].map((draft) => store.append(draft));
        for (const { stored } of turn) {
          await assert.rejects(stored, (error) => {
            assert.ok(error instanceof StoreWriteError, String(error));
            assert.equal(error.diskFull, true);
            return true;
          });
        }
        assert.throws(() => store.beginFile(upload), { name: "StoreWriteError", diskFull: true });
        assert.deepEqual(store.latest(roomConversation("#lobby"), 10), [before]);

        await rm(filler);
        const [after] = await appendAll(store, [say(big)]);
        assert.deepEqual(store.latest(roomConversation("#lobby"), 10), [before, after]);
        store.close();

        store = new SqliteStore(disk.path);
        assert.deepEqual(store.latest(roomConversation("#lobby"), 10), [before, after]);
        const db = new Database(join(disk.path, DATABASE_FILE), { readonly: true });
        assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
        db.close();
      } finally {
        store.close();
        await rm(filler, { force: true });
      }
    });
  });
});
