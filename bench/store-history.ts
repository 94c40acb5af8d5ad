// History out of the SQLite store, timed in this process, where the server
// would run the same calls: a fresh store in a temporary directory is filled
// through the Store API (each turn's lines committed together, as the
// server's are), then the two reads a client waits on — the replay on joining
// a room, latest(room, 50), and a /history page, before(room, id, 100) — are
// timed one by one over random rooms and ids.

import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { roomConversation } from "../src/store/conversations.js";
import { DATABASE_FILE } from "../src/store/sqlite-file.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import type { StoredLine } from "../src/store/store.js";
import { Random } from "../test/helpers/random.js";
import { Histogram } from "./histogram.js";
import type { LatencyMs, StoreHistoryConfig, StoreHistoryResult } from "./results.js";

const REPLAY_LINES = 50;
const HISTORY_PAGE_LINES = 100;
const WORDS = "the a to and of is it you that in we for on be this my so just not what"
  .concat(" meeting deploy build coffee later tomorrow review merge server room bug fixed")
  .split(" ");

/** A chat line of 2 to 16 words: some 10 to 100 characters, as people type them. */
function chatText(random: Random): string {
  return Array.from({ length: random.range(2, 16) }, () => random.pick(WORDS)).join(" ");
}

function latency(histogram: Histogram): LatencyMs {
  return {
    p50: histogram.quantileUs(0.5) / 1000,
    p99: histogram.quantileUs(0.99) / 1000,
    max: histogram.maxUs / 1000,
  };
}

/** Times `read` `times` times; it returns how many lines it got, which `check` vets. */
function timeReads(times: number, read: () => StoredLine[], check: (got: number) => void) {
  const histogram = new Histogram();
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const got = read().length;
    histogram.record((performance.now() - started) * 1000);
    check(got);
  }
  return latency(histogram);
}

export async function runStoreHistory(config: StoreHistoryConfig): Promise<StoreHistoryResult> {
  const unmeasured = { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const result: StoreHistoryResult = {
    kind: "store-history",
    config,
    fillSeconds: 0,
    linesPerSecond: 0,
    bytesOnDisk: 0,
    bytesPerLine: 0,
    joinReplayMs: unmeasured,
    historyPageMs: unmeasured,
  };
  const dataDir = await mkdtemp(join(tmpdir(), "sockchat-bench-store-"));
  let store: SqliteStore | undefined;
  try {
    store = new SqliteStore(dataDir);
    const random = new Random(1);
    const rooms = Array.from({ length: config.rooms }, (_, i) => `#room-${i}`);
    const nicks = Array.from({ length: 500 }, (_, i) => `user${i}`);
    const started = performance.now();
    let lastId = 0;
    for (let appended = 0; appended < config.lines; ) {
      const turnEnd = Math.min(config.lines, appended + config.linesPerTurn);
      let turn: ReturnType<SqliteStore["append"]> | undefined;
      for (; appended < turnEnd; appended++) {
        const room = random.pick(rooms);
        turn = store.append({
          conversation: roomConversation(room),
          kind: "say",
          room,
          from: random.pick(nicks),
          to: "",
          text: chatText(random),
        });
      }
      // Every line of the turn shares this commit.
      await turn?.stored;
      lastId = turn?.line.id ?? lastId;
    }
    result.fillSeconds = (performance.now() - started) / 1000;
    result.linesPerSecond = config.lines / result.fillSeconds;

    const live = store;
    const randomRoom = () => roomConversation(random.pick(rooms));
    result.joinReplayMs = timeReads(
      config.queries,
      () => live.latest(randomRoom(), REPLAY_LINES),
      (got) => {
        if (got !== REPLAY_LINES)
          throw new Error(`a replay gave ${got} lines, not ${REPLAY_LINES}`);
      },
    );
    result.historyPageMs = timeReads(
      config.queries,
      () => live.before(randomRoom(), random.range(1, lastId), HISTORY_PAGE_LINES),
      (got) => {
        if (got > HISTORY_PAGE_LINES) throw new Error(`a /history page gave ${got} lines`);
      },
    );

    // Closing checkpoints the WAL into the database (and removes it).
    store.close();
    store = undefined;
    const path = join(dataDir, DATABASE_FILE);
    const wal = `${path}-wal`;
    result.bytesOnDisk = statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0);
    result.bytesPerLine = result.bytesOnDisk / config.lines;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    store?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return result;
}
