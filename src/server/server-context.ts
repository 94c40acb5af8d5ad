// The server's parts, wired together once: the directory and the rooms, the
// bus over the store, and the file relay that tells rooms through the bus.

import type { Store } from "../store/store.js";
import { LocalBus } from "./bus.js";
import type { ServerConfig } from "./config.js";
import { Directory } from "./directory.js";
import { FileRelay } from "./file-relay.js";
import type { Requester, ServerContext } from "./requester.js";
import { Rooms } from "./rooms.js";
import type { SpoolStorage } from "./spool.js";

/** The context every handler shares; the relay is not started yet. */
export function createContext(
  config: ServerConfig,
  store: Store,
  spool: SpoolStorage,
): ServerContext {
  const directory = new Directory();
  const rooms = new Rooms<Requester>(config.defaultRoom);
  const bus = new LocalBus(store, rooms);
  const relay = new FileRelay(
    {
      maxFileBytes: config.maxFileBytes,
      retentionMs: config.fileRetentionMs,
      transferTimeoutMs: config.transferTimeoutMs,
    },
    { store, spool, bus, audience: (room) => rooms.get(room)?.members ?? [] },
  );
  return { directory, rooms, bus, store, relay, config };
}
