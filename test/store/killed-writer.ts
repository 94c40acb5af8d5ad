// Run as a process by sqlite-store.test.ts: appends one line to the store in
// argv[2] and, once `stored` has resolved, kills itself with SIGKILL, so that
// nothing (no close, no checkpoint) runs after the commit.

import { SqliteStore } from "../../src/store/sqlite-store.js";
import { say } from "./store-suite.js";

const [dataDir, text] = process.argv.slice(2) as [string, string];
const store = new SqliteStore(dataDir);
await store.append(say(text)).stored;
process.kill(process.pid, "SIGKILL");
