// Starts a fresh server of the named kind; every scenario run gets its own, so
// peak memory and CPU belong to that run alone.

import type { StoreKind } from "../src/store/open-store.js";
import type { ServerName } from "./plan.js";
import { startNgircd } from "./targets/ngircd.js";
import { startSockchat } from "./targets/sockchat.js";
import { startSocketIo } from "./targets/socketio.js";
import type { Target } from "./targets/target.js";

export interface TargetOptions {
  connections: number;
  /** sockchat and Socket.IO: where to write a CPU profile. */
  cpuProfileDir?: string;
  /** sockchat only: `--store`; the server's default (SQLite, in a fresh data directory) when absent. */
  store?: StoreKind;
  /** sockchat only: `--tls self-signed`, the target's certificate given as its `ca`. */
  tls?: boolean;
}

export function startTarget(server: ServerName, options: TargetOptions): Promise<Target> {
  const openFiles = options.connections + 1024;
  if (server === "ngircd") return startNgircd(openFiles);
  if (server === "socketio") return startSocketIo(openFiles, options.cpuProfileDir);
  return startSockchat({
    openFiles,
    cpuProfileDir: options.cpuProfileDir,
    ...(options.store === undefined ? {} : { store: options.store }),
    tls: options.tls === true,
  });
}
