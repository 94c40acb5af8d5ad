// The SQLite schema as an ordered list of migrations: the database's
// PRAGMA user_version is how many of them it has had. A release that changes
// the schema appends one; none is ever edited once released.

import type Database from "better-sqlite3";

/** Marks a file as ours (PRAGMA application_id): "sock" in ASCII. */
export const APPLICATION_ID = 0x736f636b;

/** Migration n (1-based) takes a database from user_version n - 1 to n. */
export const MIGRATIONS: readonly string[] = [
  // 1: lines and the file index. AUTOINCREMENT keeps the highest id ever used
  // in sqlite_sequence, so no id is given twice even once every row is gone.
  `
  CREATE TABLE lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    kind TEXT NOT NULL,
    room TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX lines_by_conversation ON lines (conversation, id);
  CREATE INDEX lines_by_ts ON lines (ts);
  CREATE TABLE files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    sender TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    -- NULL until the upload is kept.
    sha256 BLOB,
    sender_hash INTEGER,
    shared_at INTEGER,
    expires_at INTEGER
  );
  `,
  // 2: where each kept file sits in its room's history: after line after_line
  // (0: before every line). Files kept before it read as before every line.
  `
  ALTER TABLE files ADD COLUMN after_line INTEGER NOT NULL DEFAULT 0;
  `,
];

export const LATEST_SCHEMA = MIGRATIONS.length;

/** The schema version of an open database. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Brings `db` up to schema `target`, each migration in a transaction of its own. */
export function migrate(db: Database.Database, target = LATEST_SCHEMA): void {
  for (let version = schemaVersion(db) + 1; version <= target; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1] as string);
      // With the first tables, in their transaction: no database has one without the other.
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
