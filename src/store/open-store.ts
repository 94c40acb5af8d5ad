// The store `serve --store sqlite|memory` runs with.

import { MemoryStore } from "./memory-store.js";
import { SqliteStore } from "./sqlite-store.js";
import type { Store } from "./store.js";

export type StoreKind = "sqlite" | "memory";

/** Opens the store of `kind`; the memory store keeps nothing in `dataDir`. Throws StoreOpenError. */
export function openStore(kind: StoreKind, dataDir: string): Store {
  return kind === "sqlite" ? new SqliteStore(dataDir) : new MemoryStore();
}
