// What a benchmark run measures: the fan-out configurations, which servers and
// protocols each runs against (over TCP against ngIRCd, over WebSocket
// against Socket.IO, over TLS against plain TCP), the idle test, the file
// relays (over TLS too), the hardening scenarios, the store's durable ingest
// and its history reads, and the page's load in Chromium. --quick shrinks
// everything.

import { DEFAULTS } from "../src/server/config.js";
import type { StoreKind } from "../src/store/open-store.js";
import type { Protocol } from "./load/messages.js";
import type {
  FileRelayConfig,
  HardeningConfig,
  IngestConfig,
  PageLoadConfig,
  StoreHistoryConfig,
} from "./results.js";

/**
 * Which comparison a fan-out configuration belongs to, and so which contenders
 * run it: over TCP (sockchat native and text, ngIRCd), over WebSocket
 * (sockchat over its WebSocket and Socket.IO, with sockchat native beside
 * them), or over TLS (sockchat native over TLS and over plain TCP).
 */
export type Comparison = "tcp" | "websocket" | "tls";

export interface FanoutConfig {
  id: string;
  label: string;
  comparison: Comparison;
  receivers: number;
  senders: number;
  /** Messages per sender. */
  messages: number;
  /** Lines per second per sender; 0 bursts everything at once. */
  pacePerSecond: number;
  /** Load processes the receivers are spread over. */
  receiverProcesses: number;
}

export type ServerName = "sockchat" | "ngircd" | "socketio";

export interface Contender {
  server: ServerName;
  protocol: Protocol;
  /** The comparisons whose configurations it runs. */
  comparisons: readonly Comparison[];
  /** sockchat only: the store it runs with (`serve --store`). */
  store?: StoreKind;
  /** Runs the burst configurations only (the paced one measures latency, not the store's cost). */
  burstsOnly?: boolean;
}

export interface IdleConfig {
  server: ServerName;
  clients: number;
  /**
   * sockchat only: besides the room everyone is in on arrival, each client
   * joins one of this many rooms (client i the (i mod rooms)-th); 0 for none.
   */
  rooms: number;
  /** Quiet time between the clients having joined and the measurements. */
  restMs: number;
  windowMs: number;
  /** Load processes the clients are spread over. */
  processes: number;
}

export interface BenchPlan {
  fanout: FanoutConfig[];
  contenders: Contender[];
  idle: IdleConfig[];
  files: FileRelayConfig[];
  /** File relays run through sockchat twice, over plain TCP and over TLS, for what TLS costs. */
  tlsFiles: FileRelayConfig[];
  hardening: HardeningConfig[];
  ingest: IngestConfig[];
  storeHistory: StoreHistoryConfig[];
  pageLoad: PageLoadConfig[];
  /** Rounds of the runs that are compared with a reference (fan-out, file relays but the slow and chat ones). */
  repeats: number;
}

/** 1 MB/s: a receiver on a slow link, against which the others must not slow down. */
const SLOW_RECEIVER_BYTES_PER_SECOND = 1_000_000;
/** A lively conversation: the chat-during-transfer runs time each line. */
const CHAT_LINES_PER_SECOND = 50;

function files(
  bytes: number,
  receivers: number,
  slowReceivers = 0,
  chatDuring = 0,
): FileRelayConfig {
  const size = bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3}GiB` : `${bytes / 1024 ** 2}MiB`;
  return {
    id: `file-${size}-to-${receivers}${slowReceivers > 0 ? `+${slowReceivers}slow` : ""}${chatDuring > 0 ? "+chat" : ""}`,
    chatDuring,
    bytes,
    receivers,
    slowReceivers,
    slowBytesPerSecond: SLOW_RECEIVER_BYTES_PER_SECOND,
  };
}

/** A plain file relay's configuration, run through sockchat over plain TCP and over TLS. */
function tlsFiles(bytes: number, receivers: number): FileRelayConfig {
  const plain = files(bytes, receivers);
  return { ...plain, id: `tls-${plain.id}` };
}

export const CONTENDERS: Contender[] = [
  // In the WebSocket and TLS comparisons too: what either costs against sockchat's own TCP path.
  {
    server: "sockchat",
    protocol: "native",
    store: "sqlite",
    comparisons: ["tcp", "websocket", "tls"],
  },
  // What storing every line costs a burst: the same load, the store in memory.
  {
    server: "sockchat",
    protocol: "native",
    store: "memory",
    burstsOnly: true,
    comparisons: ["tcp"],
  },
  { server: "sockchat", protocol: "text", store: "sqlite", comparisons: ["tcp"] },
  { server: "ngircd", protocol: "irc", comparisons: ["tcp"] },
  // The page's way in, and the Node convention for a chat over WebSocket.
  { server: "sockchat", protocol: "websocket", store: "sqlite", comparisons: ["websocket"] },
  { server: "socketio", protocol: "socketio", comparisons: ["websocket"] },
  // The native protocol with `serve --tls self-signed`.
  { server: "sockchat", protocol: "tls", store: "sqlite", comparisons: ["tls"] },
];

/** The contenders that run `config`. */
export function contendersOf(plan: BenchPlan, config: FanoutConfig): Contender[] {
  return plan.contenders.filter(
    (c) =>
      c.comparisons.includes(config.comparison) && (!c.burstsOnly || config.pacePerSecond === 0),
  );
}

/** How tables and step ids name a contender's server: "sockchat (memory store)" for the memory store. */
export function serverLabel(server: ServerName, store: StoreKind | undefined): string {
  if (server === "socketio") return "Socket.IO";
  return store === "memory" ? "sockchat (memory store)" : server;
}

/** How a configuration's id and label begin, naming its comparison (none for TCP's). */
const COMPARISON_ID: Record<Comparison, string> = { tcp: "", websocket: "websocket-", tls: "tls-" };
const COMPARISON_LABEL: Record<Comparison, string> = {
  tcp: "",
  websocket: "WebSocket ",
  tls: "TLS ",
};

function burst(
  receivers: number,
  senders: number,
  messages: number,
  comparison: Comparison = "tcp",
): FanoutConfig {
  return {
    id: `${COMPARISON_ID[comparison]}burst-${receivers}x${senders}x${messages}`,
    label: `${COMPARISON_LABEL[comparison]}burst ${receivers} recv × ${senders} send × ${messages}`,
    comparison,
    receivers,
    senders,
    messages,
    pacePerSecond: 0,
    // Two processes let the receivers use both cores when the server leaves one free.
    receiverProcesses: 2,
  };
}

function paced(
  receivers: number,
  senders: number,
  perSecond: number,
  seconds: number,
): FanoutConfig {
  return {
    id: `paced-${receivers}x${senders}x${perSecond}ps`,
    label: `paced ${receivers} recv × ${senders} send × ${perSecond}/s for ${seconds} s`,
    comparison: "tcp",
    receivers,
    senders,
    messages: perSecond * seconds,
    pacePerSecond: perSecond,
    receiverProcesses: 1,
  };
}

/** Rooms the idle clients of the rooms variant are spread over, one each besides the lobby. */
const IDLE_ROOMS = 100;
/** Durable ingest: native senders, and the lines each keeps unacknowledged. */
const INGEST_SENDERS = 64;
const INGEST_WINDOW = 64;

function idle(server: ServerName, clients: number, windowMs: number, rooms = 0): IdleConfig {
  return {
    server,
    clients,
    rooms,
    // V8 returns the garbage of the join storm to the system some 10-15 s after
    // the server goes quiet; measuring before that would count it per connection.
    restMs: server === "sockchat" ? 20_000 : 0,
    windowMs,
    processes: Math.ceil(clients / 2500),
  };
}

/** Join costs at `clients` and twice as many: growing with the crowd, the ratio is 4, not 2. */
function joins(protocol: "text" | "native", clients: number): HardeningConfig[] {
  return [clients, 2 * clients].map((n) => ({
    id: `hardening-${protocol}-joins-${n}`,
    scenario: "joins",
    protocol,
    clients: n,
  }));
}

/** As many uploads under way at once as the server lets one client have. */
const SERVER_UPLOAD_CAP = 8;

/** Empty files at `files` and twice as many: a per-file cost that grows with the files kept shows as 4, not 2. */
function zeroByteFiles(files: number): HardeningConfig[] {
  return [files, 2 * files].map((n) => ({
    id: `hardening-zero-byte-files-${n}`,
    scenario: "zero-byte-files",
    files: n,
    fileBytes: 0,
    atOnce: SERVER_UPLOAD_CAP,
  }));
}

/**
 * Empty files at `files` and twice as many, while `receivers` clients that
 * never confirm one are in the room: each file leaves a copy per receiver
 * unsettled, and a cost that grows with those shows as 4, not 2.
 */
function unconfirmedCrowd(receivers: number, files: number): HardeningConfig[] {
  return [files, 2 * files].map((n) => ({
    id: `hardening-unconfirmed-crowd-${receivers}-${n}`,
    scenario: "unconfirmed-crowd",
    files: n,
    fileBytes: 0,
    atOnce: SERVER_UPLOAD_CAP,
    receivers,
  }));
}

/** 4 MiB files, one at a time: each fills the newest-bytes window the server keeps per upload. */
function unconfirmedReceiver(files: number): HardeningConfig {
  return {
    id: `hardening-unconfirmed-receiver-${files}x4MiB`,
    scenario: "unconfirmed-receiver",
    files,
    fileBytes: 4 * 1024 ** 2,
    atOnce: 1,
  };
}

/**
 * Durable ingest: `senders` native clients, each in a room of its own (so that
 * no line fans out), each keeping `window` lines unacknowledged for `seconds`.
 */
function ingest(senders: number, window: number, seconds: number): IngestConfig {
  return {
    id: `ingest-${senders}x${window}-${seconds}s`,
    senders,
    window,
    seconds,
    // One process: the other core is the server's.
    processes: 1,
  };
}

/** `lines` lines over 100 rooms, 100 appended a turn, then 10,000 reads of each kind timed. */
function storeHistory(lines: number): StoreHistoryConfig {
  return {
    id: `store-history-${lines >= 1e6 ? `${lines / 1e6}M` : `${lines / 1e3}k`}`,
    lines,
    rooms: 100,
    linesPerTurn: 100,
    queries: 10_000,
  };
}

/** Twice the lines a join replays, so that the page is replayed a full history. */
function pageLoad(coldLoads: number, warmLoads: number): PageLoadConfig {
  return { id: "page-load", historyLines: 2 * DEFAULTS.history, coldLoads, warmLoads };
}

export function makePlan(quick: boolean): BenchPlan {
  if (quick) {
    return {
      fanout: [
        burst(100, 4, 1000),
        burst(500, 4, 200),
        paced(50, 4, 475, 2),
        // Longer than the TCP bursts: about a second of sockchat's delivery, ten of Socket.IO's.
        burst(200, 4, 4000, "websocket"),
        // The TCP bursts again, each over TLS and over plain TCP.
        burst(100, 4, 1000, "tls"),
        burst(500, 4, 200, "tls"),
      ],
      contenders: CONTENDERS,
      idle: [
        idle("sockchat", 2000, 5000),
        idle("sockchat", 2000, 5000, IDLE_ROOMS),
        idle("ngircd", 2000, 5000),
      ],
      files: [
        files(256 * 1024 ** 2, 1),
        files(256 * 1024 ** 2, 4),
        files(256 * 1024 ** 2, 2),
        files(256 * 1024 ** 2, 2, 1),
        files(256 * 1024 ** 2, 2, 0, CHAT_LINES_PER_SECOND),
      ],
      tlsFiles: [tlsFiles(256 * 1024 ** 2, 2)],
      hardening: [
        // Below 2,000 the fixed costs of a server hide how joins grow.
        ...joins("text", 2000),
        ...joins("native", 2000),
        // Below 5,000 the heap the server grows once outweighs what a kept file costs.
        ...zeroByteFiles(5000),
        unconfirmedReceiver(50),
        ...unconfirmedCrowd(50, 1000),
      ],
      ingest: [ingest(INGEST_SENDERS, INGEST_WINDOW, 5)],
      storeHistory: [storeHistory(1_000_000)],
      pageLoad: [pageLoad(3, 3)],
      repeats: 1,
    };
  }
  return {
    fanout: [
      burst(200, 4, 2000),
      burst(1000, 4, 500),
      paced(100, 4, 475, 5),
      // Some 2.5 s of sockchat's delivery, 25 of Socket.IO's.
      burst(200, 4, 10_000, "websocket"),
      // The TCP bursts again, each over TLS and over plain TCP.
      burst(200, 4, 2000, "tls"),
      burst(1000, 4, 500, "tls"),
    ],
    contenders: CONTENDERS,
    // An idle connection is pinged after a heartbeat of silence, by a check that runs every
    // half heartbeat: at most 1.5 heartbeats pass between two rounds, so this window holds
    // at least one for every client and the CPU figure is not a lucky gap between pings.
    idle: [
      idle("sockchat", 10_000, 1.5 * DEFAULTS.heartbeatMs),
      idle("sockchat", 10_000, 1.5 * DEFAULTS.heartbeatMs, IDLE_ROOMS),
      idle("ngircd", 10_000, 1.5 * DEFAULTS.heartbeatMs),
    ],
    files: [
      files(1024 ** 3, 1),
      files(1024 ** 3, 4),
      files(1024 ** 3, 2),
      files(1024 ** 3, 2, 1),
      files(1024 ** 3, 2, 0, CHAT_LINES_PER_SECOND),
    ],
    tlsFiles: [tlsFiles(1024 ** 3, 2)],
    hardening: [
      ...joins("text", 5000),
      ...joins("native", 5000),
      ...zeroByteFiles(10_000),
      unconfirmedReceiver(200),
      // 250 such peers, as reported (there with 6,600 files: 1.65 M copies); 2,000 files
      // make half a million copies, which a cost per copy that grows shows well enough.
      ...unconfirmedCrowd(250, 1000),
    ],
    ingest: [ingest(INGEST_SENDERS, INGEST_WINDOW, 20)],
    storeHistory: [storeHistory(1_000_000)],
    pageLoad: [pageLoad(5, 5)],
    repeats: 3,
  };
}
