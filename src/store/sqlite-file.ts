// Finds, checks and opens <dataDir>/sockchat.db. What it cannot use it refuses
// with one line for the operator, before writing a byte: a data directory it
// cannot write, a file that is not a sockchat database, a schema from a newer
// sockchat. An absent or empty file becomes a new database.

import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { getSystemErrorMap } from "node:util";
import Database from "better-sqlite3";
import { APPLICATION_ID, LATEST_SCHEMA, migrate, schemaVersion } from "./migrations.js";
import { StoreOpenError } from "./store.js";

export const DATABASE_FILE = "sockchat.db";

/** How long a statement waits for a lock another connection (a backup, the sqlite3 shell) holds. */
const BUSY_TIMEOUT_MS = 5000;

/** Opens the database of `dataDir`, creating both as needed, at the latest schema. */
export function openDatabase(dataDir: string): Database.Database {
  const path = join(dataDir, DATABASE_FILE);
  checkWritable(dataDir, path);
  if (existsSync(path)) checkOurs(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    // WAL with synchronous=NORMAL: by the time `stored` resolves the commit is
    // written to the WAL file (if not yet flushed to the disk), so it survives
    // the process being killed, kill -9 included; only an OS crash or a power
    // loss can lose the last commits, and never corrupts the database. FULL
    // would flush the disk on every commit, that is, every turn.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw openError(path, error);
  }
}

function checkWritable(dataDir: string, path: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    // mkdir says EEXIST for a file in the way, which reads as if all were well.
    const reason =
      (error as NodeJS.ErrnoException).code === "EEXIST"
        ? "it is a file, not a directory"
        : systemReason(error);
    throw new StoreOpenError(`cannot write to the data directory ${dataDir}: ${reason}`, {
      cause: error,
    });
  }
  try {
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (error) {
    throw new StoreOpenError(`cannot write to ${path}: ${systemReason(error)}`, { cause: error });
  }
}

/** Reads (only reads) an existing file: ours at a schema we know, or empty. */
function checkOurs(path: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const applicationId = db.pragma("application_id", { simple: true });
    const version = schemaVersion(db);
    const objects = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get();
    const empty = applicationId === 0 && version === 0 && objects === 0;
    if (!empty && applicationId !== APPLICATION_ID) throw notOurs(path);
    if (version > LATEST_SCHEMA) {
      throw new StoreOpenError(
        `${path} was written by a newer sockchat (schema ${version}, this one knows up to ${LATEST_SCHEMA}); run that version or a later one`,
      );
    }
  } catch (error) {
    throw openError(path, error);
  } finally {
    db?.close();
  }
}

function notOurs(path: string, cause?: unknown): StoreOpenError {
  return new StoreOpenError(
    `${path} is not a sockchat database; move it away or use another data directory`,
    { cause },
  );
}

function openError(path: string, error: unknown): StoreOpenError {
  if (error instanceof StoreOpenError) return error;
  if (error instanceof Database.SqliteError && error.code === "SQLITE_NOTADB") {
    return notOurs(path, error);
  }
  return new StoreOpenError(`cannot open the database ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** "permission denied (EACCES)" rather than Node's message with the call and path in it. */
function systemReason(error: unknown): string {
  const { errno, code, message } = error as NodeJS.ErrnoException;
  const text = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  return text === undefined ? message : `${text} (${code})`;
}
