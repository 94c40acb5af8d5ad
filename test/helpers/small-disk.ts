// A real, small file system for tests about a full disk: a tmpfs of a given
// size mounted on a fresh directory. Mounting needs root, which CI has; without
// it the test fails saying so rather than pretending the disk was full.

import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { tempDir } from "./files.js";

const run = promisify(execFile);

export interface SmallDisk {
  readonly path: string;
  remove(): Promise<void>;
}

export async function smallDisk(label: string, bytes: number): Promise<SmallDisk> {
  const dir = await tempDir(label);
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", dir.path]);
  } catch (error) {
    await dir.remove();
    throw new Error(
      `this test needs a small tmpfs, and mounting one failed (run the tests as root, as CI does): ${(error as Error).message}`,
    );
  }
  return {
    path: dir.path,
    async remove() {
      // Lazy, so a file a dying process still holds open cannot keep the mount.
      await run("umount", ["-l", dir.path]);
      await rm(dir.path, { recursive: true, force: true });
    },
  };
}
