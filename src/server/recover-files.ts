// What survives a restart: the files the store keeps whose retention has not
// run out and whose spool file is whole. Everything else goes at start, before
// any new upload: the records of expired files and of uploads cut off by a
// restart or a crash, and every spool file no surviving record names.

import type { FileRecord, Store } from "../store/store.js";
import type { SpoolStorage } from "./spool.js";

/** Clears what did not survive, and returns the kept files to serve, oldest first. */
export async function recoverFiles(
  store: Store,
  spool: SpoolStorage,
  now: number,
): Promise<FileRecord[]> {
  // Forgotten here, their spool files are among those no record names.
  store.takeUnfinishedFiles();
  const unclaimed = await spool.list();
  const kept: FileRecord[] = [];
  for (const record of store.keptFiles()) {
    if (record.expiresAt > now && unclaimed.get(record.id) === record.size) {
      kept.push(record);
      unclaimed.delete(record.id);
    } else {
      store.dropFile(record.id);
    }
  }
  for (const id of unclaimed.keys()) await spool.remove(id);
  return kept;
}
