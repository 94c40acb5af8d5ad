// Partial files of downloads, named so that no two clients ever write the same
// one: `.terima-<id>-<pid>-<n>-<name>.part`, where <pid> is the process and <n>
// counts the partial files the process has named. Clients sharing a save
// directory (two terminals in one folder) would otherwise truncate each
// other's bytes under a hash each computed of its own.
//
// A partial kept from an interrupted download may be claimed for a resume only
// when nobody is writing it: its process has exited, or it is this process's
// and no store in it holds it. Claiming renames it to a name of this process,
// so of two clients claiming one at once exactly one succeeds.

import { type FileHandle, open, readdir, rename, stat } from "node:fs/promises";
import { basename, join } from "node:path";

const PART_NAME = /^\.terima-(\d+)-(\d+)-\d+-(.*)\.part$/;

/** Partial files a store in this process has open or has claimed. */
const held = new Set<string>();
let named = 0;

function partName(id: number, name: string): string {
  named += 1;
  return `.terima-${id}-${process.pid}-${named}-${name}.part`;
}

/** Creates a partial file for file `id` in `dir`, held until released. */
export async function createPart(
  dir: string,
  id: number,
  name: string,
): Promise<{ path: string; handle: FileHandle }> {
  for (;;) {
    const entry = partName(id, name);
    const path = join(dir, entry);
    // Held before it exists, so that no store in this process ever sees it unheld.
    held.add(entry);
    try {
      return { path, handle: await open(path, "wx") };
    } catch (error) {
      held.delete(entry);
      // A name left by an earlier process that had this pid: take the next.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * Claims the largest partial of file `id` in `dir` that nobody is writing,
 * held until released; undefined if there is none.
 */
export async function claimPart(
  dir: string,
  id: number,
): Promise<{ path: string; size: number } | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return undefined;
  }
  const unused: { entry: string; name: string; size: number }[] = [];
  for (const entry of entries) {
    const part = PART_NAME.exec(entry);
    if (part === null || Number(part[1]) !== id || inUse(entry, Number(part[2]))) continue;
    const size = await stat(join(dir, entry)).then(
      (info) => info.size,
      () => undefined, // claimed by another client meanwhile
    );
    if (size !== undefined) unused.push({ entry, name: part[3] as string, size });
  }
  for (const { entry, name } of unused.sort((a, b) => b.size - a.size)) {
    const claimed = partName(id, name);
    const path = join(dir, claimed);
    held.add(claimed);
    try {
      await rename(join(dir, entry), path);
    } catch (error) {
      held.delete(claimed);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // another client was first
      throw error;
    }
    return { path, size: (await stat(path)).size };
  }
  return undefined;
}

/** The partial at `path` is no longer held: it is gone, or kept for whoever resumes it. */
export function releasePart(path: string): void {
  held.delete(basename(path));
}

function inUse(entry: string, pid: number): boolean {
  if (pid === process.pid) return held.has(entry);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
