// The Store in SQLite, in <dataDir>/sockchat.db (opened, or refused, by
// sqlite-file.ts). Lines get their ids at append and are committed once a turn
// in one transaction; the file index is written as each call comes.

import type Database from "better-sqlite3";
import { roomConversation } from "./conversations.js";
import { openDatabase } from "./sqlite-file.js";
import {
  type FileDraft,
  type FileRecord,
  type KeptFile,
  type LineDraft,
  type Store,
  type StoredLine,
  StoreWriteError,
} from "./store.js";
import { TurnBatch } from "./turn-batch.js";

const LINE_COLUMNS = `id, ts, conversation, kind, room, sender AS "from", recipient AS "to", text`;

/** What SQLite and the system say when there is no room left. */
const DISK_FULL_CODES = new Set(["SQLITE_FULL", "ENOSPC", "EDQUOT"]);

function writeError(error: unknown): StoreWriteError {
  const code = (error as { code?: unknown }).code;
  const diskFull = typeof code === "string" && DISK_FULL_CODES.has(code);
  const message = diskFull
    ? "the disk holding the database is full"
    : `writing the database failed: ${(error as Error).message}`;
  return new StoreWriteError(message, diskFull, { cause: error });
}

/** Runs a write, turning what it throws into a StoreWriteError. */
function writing<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw writeError(error);
  }
}

type FileRow = Omit<FileRecord, "senderHash"> & { senderHash: number };

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #lines: TurnBatch;
  readonly #latest: Database.Statement<[string, number], StoredLine>;
  readonly #before: Database.Statement<[string, number, number], StoredLine>;
  readonly #after: Database.Statement<[string, number, number], StoredLine>;
  readonly #expire: Database.Statement<[number]>;
  readonly #beginFile: Database.Statement<[FileDraft]>;
  readonly #keepFile: (id: number, kept: KeptFile) => number;
  readonly #dropFile: Database.Statement<[number]>;
  readonly #keptFiles: Database.Statement<[], FileRow>;
  readonly #takeUnfinished: () => number[];

  constructor(dataDir: string) {
    const db = openDatabase(dataDir);
    this.#db = db;
    const insertLine = db.prepare<[StoredLine]>(
      `INSERT INTO lines (id, ts, conversation, kind, room, sender, recipient, text)
       VALUES (@id, @ts, @conversation, @kind, @room, @from, @to, @text)`,
    );
    const insertLines = db.transaction((lines: StoredLine[]) => {
      for (const line of lines) insertLine.run(line);
    });
    // sqlite_sequence holds the highest id ever committed, even once its line is gone.
    const lastId = db
      .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'lines'")
      .pluck()
      .get();
    this.#lines = new TurnBatch((lastId ?? 0) + 1, (lines) => writing(() => insertLines(lines)));

    this.#latest = db.prepare(
      `SELECT ${LINE_COLUMNS} FROM lines WHERE conversation = ? ORDER BY id DESC LIMIT ?`,
    );
    this.#before = db.prepare(
      `SELECT ${LINE_COLUMNS} FROM lines WHERE conversation = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    );
    this.#after = db.prepare(
      `SELECT ${LINE_COLUMNS} FROM lines WHERE conversation = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.#expire = db.prepare("DELETE FROM lines WHERE ts < ?");

    this.#beginFile = db.prepare(
      "INSERT INTO files (room, sender, name, size) VALUES (@room, @from, @name, @size)",
    );
    const fileRoom = db.prepare<[number], string>("SELECT room FROM files WHERE id = ?").pluck();
    // Committed lines only: those of this turn are delivered after the file's notice.
    const newestLine = db
      .prepare<[string], number>("SELECT coalesce(max(id), 0) FROM lines WHERE conversation = ?")
      .pluck();
    const keep = db.prepare<[number, Uint8Array, number, number, number, number, number]>(
      `UPDATE files SET size = ?, sha256 = ?, sender_hash = ?, shared_at = ?, expires_at = ?,
                        after_line = ?
       WHERE id = ?`,
    );
    this.#keepFile = db.transaction((id: number, kept: KeptFile) => {
      const room = fileRoom.get(id);
      if (room === undefined) return 0;
      const afterLine = newestLine.get(roomConversation(room)) ?? 0;
      const { size, sha256, senderHash, sharedAt, expiresAt } = kept;
      keep.run(size, sha256, senderHash ? 1 : 0, sharedAt, expiresAt, afterLine, id);
      return afterLine;
    });
    this.#dropFile = db.prepare("DELETE FROM files WHERE id = ?");
    this.#keptFiles = db.prepare(
      `SELECT id, room, sender AS "from", name, size, sha256, sender_hash AS senderHash,
              shared_at AS sharedAt, expires_at AS expiresAt, after_line AS afterLine
       FROM files WHERE sha256 IS NOT NULL ORDER BY id`,
    );
    const unfinished = db
      .prepare<[], number>("SELECT id FROM files WHERE sha256 IS NULL ORDER BY id")
      .pluck();
    const dropUnfinished = db.prepare("DELETE FROM files WHERE sha256 IS NULL");
    this.#takeUnfinished = db.transaction(() => {
      const ids = unfinished.all();
      dropUnfinished.run();
      return ids;
    });
  }

  append(draft: LineDraft, now?: number): { line: StoredLine; stored: Promise<void> } {
    return this.#lines.append(draft, now);
  }

  latest(conversation: string, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    return this.#latest.all(conversation, limit).reverse();
  }

  before(conversation: string, before: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    return this.#before.all(conversation, before, limit).reverse();
  }

  after(conversation: string, after: number, limit: number): StoredLine[] {
    if (limit <= 0) return [];
    return this.#after.all(conversation, after, limit);
  }

  expireLines(cutoff: number): number {
    return writing(() => this.#expire.run(cutoff).changes);
  }

  beginFile(draft: FileDraft): number {
    return writing(() => Number(this.#beginFile.run(draft).lastInsertRowid));
  }

  keepFile(id: number, kept: KeptFile): number {
    return writing(() => this.#keepFile(id, kept));
  }

  dropFile(id: number): void {
    writing(() => this.#dropFile.run(id));
  }

  keptFiles(): FileRecord[] {
    return this.#keptFiles.all().map((row) => ({ ...row, senderHash: row.senderHash === 1 }));
  }

  takeUnfinishedFiles(): number[] {
    return writing(this.#takeUnfinished);
  }

  close(): void {
    this.#lines.close();
    this.#db.close();
  }
}
