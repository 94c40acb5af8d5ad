// Files on a Node host: sources read from disk, and a store that saves each
// received file as terima_<name> in one directory, never overwriting.

import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, link, mkdir, open, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { AppendQueue } from "../../node/append-queue.js";
import { safeFileName } from "../../protocol/file-names.js";
import type {
  FileSink,
  FileSource,
  FileStore,
  FileSupport,
  Hasher,
  IncomingFile,
} from "../files.js";
import { claimPart, createPart, releasePart } from "./part-files.js";

const RECEIVED_PREFIX = "terima_";
const HASH_READ_BYTES = 1024 * 1024;

export function nodeFileSupport(saveDir: string): FileSupport {
  return { hasher: sha256Hasher, store: new DirectoryStore(saveDir) };
}

export function sha256Hasher(): Hasher {
  const hash = createHash("sha256");
  return {
    update: (data) => hash.update(data),
    digest: () => new Uint8Array(hash.digest()),
  };
}

/** Opens `path` for sending; rejects with a one-line reason when it cannot be sent. */
export async function openFileSource(path: string): Promise<FileSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY);
  } catch (error) {
    throw new Error(`cannot send ${path}: ${describeFsError(error)}`);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new Error(
      `cannot send ${path}: ${info.isDirectory() ? "it is a directory" : "not a regular file"}`,
    );
  }
  return {
    name: basename(path),
    size: info.size,
    read: async (offset, length) => {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${path} changed while being sent`);
      return buffer;
    },
    close: () => handle.close(),
  };
}

/**
 * Saves each received file as terima_<name> in one directory, never replacing a
 * file; meanwhile it is written to a partial file no other client writes
 * (part-files.ts).
 */
export class DirectoryStore implements FileStore {
  readonly #dir: string;
  /** Partials this store has claimed for a resume, by file id, until it opens them. */
  readonly #claimed = new Map<number, string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  claimPartial(id: number): Promise<number> {
    return explained(this.#claim(id));
  }

  open(file: IncomingFile, offset: number, hasher: Hasher): Promise<FileSink> {
    return explained(this.#open(file, offset, hasher));
  }

  async #claim(id: number): Promise<number> {
    const claimed = this.#claimed.get(id);
    if (claimed !== undefined) return (await stat(claimed)).size;
    const part = await claimPart(this.#dir, id);
    if (part === undefined) return 0;
    this.#claimed.set(id, part.path);
    return part.size;
  }

  async #open(file: IncomingFile, offset: number, hasher: Hasher): Promise<FileSink> {
    await this.#makeDir();
    const name = safeFileName(file.name);
    const claimed = this.#claimed.get(file.id);
    this.#claimed.delete(file.id);
    if (claimed === undefined && offset > 0)
      throw new Error(`nothing of ${name} was kept to resume from`);
    const { path, handle } =
      claimed === undefined
        ? await createPart(this.#dir, file.id, name)
        : { path: claimed, handle: await reopen(claimed) };
    try {
      if (claimed !== undefined) await resumeFrom(handle, offset, hasher);
    } catch (error) {
      await handle.close();
      await rm(path, { force: true });
      releasePart(path);
      throw error;
    }
    const appends = new AppendQueue(handle, offset);
    const commit = async () => {
      await appends.flushed();
      // The hash is of what this client wrote to a file only it has open; is all of it there?
      const { size } = await handle.stat();
      if (size !== file.size) throw new Error(`${size} bytes on disk, not ${file.size}`);
      await handle.close();
      const saved = await linkUnique(path, this.#dir, `${RECEIVED_PREFIX}${name}`);
      await rm(path, { force: true });
      releasePart(path);
      return saved;
    };
    return {
      write: (data) => explained(appends.append(data)),
      commit: () => explained(commit()),
      suspend: async () => {
        await appends.flushed().catch(() => {});
        try {
          await handle.close();
        } finally {
          releasePart(path);
        }
      },
      discard: async () => {
        await appends.flushed().catch(() => {});
        await handle.close().catch(() => {});
        try {
          await rm(path, { force: true });
        } finally {
          releasePart(path);
        }
      },
    };
  }

  async #makeDir(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST")
        throw new Error(`${this.#dir} is not a directory`);
      throw error;
    }
  }
}

async function reopen(claimed: string): Promise<FileHandle> {
  try {
    return await open(claimed, "r+");
  } catch (error) {
    releasePart(claimed);
    throw error;
  }
}

/** Continues a claimed partial after its first `offset` bytes, which it must hold; hashes them. */
async function resumeFrom(handle: FileHandle, offset: number, hasher: Hasher): Promise<void> {
  const { size } = await handle.stat();
  if (size < offset) throw new Error(`only ${size} bytes were kept, not ${offset}`);
  await handle.truncate(offset);
  await hashPrefix(handle, offset, hasher);
}

async function hashPrefix(handle: FileHandle, length: number, hasher: Hasher): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_BYTES, length));
  for (let offset = 0; offset < length; ) {
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.length, length - offset),
      offset,
    );
    if (bytesRead === 0) throw new Error("kept part ended early");
    hasher.update(buffer.subarray(0, bytesRead));
    offset += bytesRead;
  }
}

/** Gives `path` the name `wanted`, or "stem (1).ext", "stem (2).ext", …: never replacing a file. */
async function linkUnique(path: string, dir: string, wanted: string): Promise<string> {
  const dot = wanted.lastIndexOf(".");
  const hasExtension = dot > RECEIVED_PREFIX.length;
  const stem = hasExtension ? wanted.slice(0, dot) : wanted;
  const extension = hasExtension ? wanted.slice(dot) : "";
  for (let n = 0; ; n++) {
    const candidate = join(dir, n === 0 ? wanted : `${stem} (${n})${extension}`);
    try {
      await link(path, candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** `work`, failing with a short reason a person can act on rather than an errno. */
async function explained<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(describeFsError(error), { cause: error });
  }
}

function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "not a directory";
    case "ENOSPC":
      return "disk full";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EROFS":
      return "read-only file system";
    case "EFBIG":
      return "too large for this file system";
    case "EIO":
      return "input/output error";
    default:
      return (error as Error).message;
  }
}
