// The results each scenario produces; report.ts and chart.ts render them and
// run.ts writes them out as JSON. A new kind of scenario adds its own type here.

import type { StoreKind } from "../src/store/open-store.js";
import type { Protocol } from "./load/messages.js";
import type { FanoutConfig, ServerName } from "./plan.js";

export interface LatencyMs {
  p50: number;
  p99: number;
  max: number;
}

/** With repeated runs: the headline figure of every run, in run order (see repeats.ts). */
interface Repeated {
  runs?: number[];
}

export interface FanoutResult extends Repeated {
  kind: "fanout";
  config: FanoutConfig;
  server: ServerName;
  protocol: Protocol;
  /** sockchat only: the store it ran with. */
  store?: StoreKind;
  /** Set when the run could not be completed; the numbers are then partial. */
  error?: string;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Clients whose connection ended during the run. */
  disconnects: number;
  lastDisconnect: string;
  refused: number;
  /** First send to last delivery. */
  seconds: number;
  /** From "go" until every receiver reported: the window CPU times are taken over. */
  windowSeconds: number;
  deliveriesPerSecond: number;
  latencyMs: LatencyMs;
  serverCpuSeconds: number;
  /** write(2)-family system calls the server made during the run. */
  serverWrites: number;
  serverPeakRssBytes: number;
  loadCpuSeconds: number;
  joinSeconds: number;
  /** Whether the server and load processes went quiet before "go". */
  settled: boolean;
}

export interface IdleResult extends Repeated {
  kind: "idle";
  server: ServerName;
  protocol: Protocol;
  note: string;
  error?: string;
  clients: number;
  /** Rooms the clients were spread over besides the one everyone is in; 0 for none. */
  rooms: number;
  connected: number;
  rssBeforeBytes: number;
  /** RSS once connecting had settled; then, after a rest, at the end of the idle window. */
  rssSettledBytes: number;
  restSeconds: number;
  rssWithBytes: number;
  /** (rssWith − rssBefore) / clients. */
  bytesPerConnection: number;
  peakRssBytes: number;
  windowSeconds: number;
  idleCpuSeconds: number;
  joinSeconds: number;
  /** write(2)-family system calls the server made while the clients joined. */
  joinWrites: number;
  /** write(2)-family system calls the server made in the idle window: its pings and pongs. */
  windowWrites: number;
  settled: boolean;
}

export interface FileRelayConfig {
  id: string;
  bytes: number;
  /** Receivers that take the file as fast as they can. */
  receivers: number;
  /** Lines per second two other clients chat while the file moves; 0 for none. */
  chatDuring: number;
  /** Receivers that write 1 MB/s; the run ends when the fast ones are done. */
  slowReceivers: number;
  slowBytesPerSecond: number;
}

export interface FileRelayResult extends Repeated {
  kind: "file-relay";
  config: FileRelayConfig;
  /** pipe: the bare relay, receivers writing to disk; pipe-discard: receivers dropping the bytes. */
  server: "sockchat" | "pipe" | "pipe-discard";
  /** sockchat over TLS (`serve --tls self-signed`, `connect --ca` its certificate). */
  tls: boolean;
  error?: string;
  seconds: number;
  /** Per fast receiver: file bytes / seconds from the first byte to the last fast receiver done. */
  mbPerSecond: number;
  /** All fast receivers together. */
  totalMbPerSecond: number;
  verified: boolean;
  serverPeakRssBytes: number;
  /** Resident set size sampled through the run, for the shape of memory use. */
  serverRssSamplesBytes: number[];
  serverCpuSeconds: number;
  /** What the slow receivers got, on average, in bytes per second. */
  slowBytesPerSecond: number;
  /** With `chatDuring`: a paced chat between two other clients over the transfer. */
  chatLatencyMs?: LatencyMs & { count: number };
}

/**
 * The hardening scenarios (issue 9): costs that must grow no faster than the
 * load — the CPU of text joins, and the descriptors and memory that finished
 * files hold on the server.
 */
export type HardeningConfig =
  | {
      id: string;
      /** N clients join a fresh server; run at N and 2N, the CPU ratio shows the growth. */
      scenario: "joins";
      protocol: "text" | "native";
      clients: number;
    }
  | {
      id: string;
      /**
       * zero-byte-files: one uploader sends `files` empty files to a client that
       * declines them. unconfirmed-receiver: `files` files of `fileBytes` go to a
       * client that takes every byte but never confirms a file.
       */
      scenario: "zero-byte-files" | "unconfirmed-receiver";
      files: number;
      fileBytes: number;
      /** The sender's uploads under way at once. */
      atOnce: number;
    }
  | {
      id: string;
      /**
       * `files` files of `fileBytes` from one uploader while `receivers` clients
       * that never confirm a file are in the room; then a fresh client connects.
       */
      scenario: "unconfirmed-crowd";
      files: number;
      fileBytes: number;
      atOnce: number;
      receivers: number;
    };

/** The server at one moment. */
export interface ServerReading {
  rssBytes: number;
  descriptors: number;
}

export interface HardeningResult extends Repeated {
  kind: "hardening";
  config: HardeningConfig;
  error?: string;
  /** Clients welcomed, or files verified. */
  completed: number;
  /** From the first connect or offer to the last welcome or verdict. */
  seconds: number;
  /** Server CPU (user + system) over those seconds. */
  cpuSeconds: number;
  /** All load processes together, over the same seconds. */
  loadCpuSeconds: number;
  before: ServerReading;
  after: ServerReading;
  peakRssBytes: number;
  /** The most descriptors seen open, sampled every 250 ms and at either end. */
  peakDescriptors: number;
  /** The server's soft limit on open files. */
  openFilesLimit: number;
  /** What the clients saw, for the table's notes. */
  note: string;
  /** unconfirmed-crowd: a fresh client's connect to its welcome, as soon as the last file was verified. */
  connectMs?: number;
}

/** Durable ingest (ingest.ts): lines acknowledged per second, every one stored. */
export interface IngestConfig {
  id: string;
  /** Native senders, each in a room of its own. */
  senders: number;
  /** Lines each sender keeps sent and not yet acknowledged. */
  window: number;
  seconds: number;
  /** Load processes the senders are spread over. */
  processes: number;
}

export interface IngestResult extends Repeated {
  kind: "ingest";
  config: IngestConfig;
  error?: string;
  /** Lines the server acknowledged, and lines it refused. */
  acked: number;
  refused: number;
  /** First send to last acknowledgement. */
  seconds: number;
  linesPerSecond: number;
  /** Send to acknowledgement, per line. */
  ackLatencyMs: LatencyMs;
  /** `SELECT count(*) FROM lines` once the server had stopped; -1 if it could not be read. */
  storedLines: number;
  /** Rooms whose stored count differs from what their sender had acknowledged. */
  roomsMismatched: number;
  /** How the server ended when stopped ("exit code 0" when it shut down cleanly). */
  serverExit: string;
  /** The database and WAL on disk after the stop. */
  bytesOnDisk: number;
  serverCpuSeconds: number;
  serverWrites: number;
  serverPeakRssBytes: number;
  loadCpuSeconds: number;
}

/** History reads from a filled SQLite store, timed in-process (store-history.ts). */
export interface StoreHistoryConfig {
  id: string;
  lines: number;
  rooms: number;
  /** Lines appended in one event-loop turn, and so committed in one transaction. */
  linesPerTurn: number;
  /** Reads timed of each kind. */
  queries: number;
}

export interface StoreHistoryResult extends Repeated {
  kind: "store-history";
  config: StoreHistoryConfig;
  error?: string;
  fillSeconds: number;
  /** Lines appended and committed per second while filling. */
  linesPerSecond: number;
  /** The database and its WAL once checkpointed (closed). */
  bytesOnDisk: number;
  bytesPerLine: number;
  /** latest(room, 50): what a join replays. */
  joinReplayMs: LatencyMs;
  /** before(room, id, 100): one /history page. */
  historyPageMs: LatencyMs;
}

/** The browser page in Chromium (page-load.ts): navigation to the first history line shown. */
export interface PageLoadConfig {
  id: string;
  /** Lines said in the room before the page is opened; the page is replayed the newest of them. */
  historyLines: number;
  /** Loads in a fresh browser context each (empty cache and storage), and loads in one warmed context. */
  coldLoads: number;
  warmLoads: number;
}

/** One load, in ms on the page's clock (0 = navigation start). */
export interface PageLoadTiming {
  /** Until the nickname form is on the page: the page's script has run. */
  interactiveMs: number;
  /** From the form's submit to the first history line shown (the frame that paints it). */
  joinToLineMs: number;
  /** From navigation start to the first history line shown, the nickname filled in and submitted on the way. */
  totalMs: number;
}

export interface PageLoadResult extends Repeated {
  kind: "page-load";
  config: PageLoadConfig;
  error?: string;
  /** Chromium's version, as the browser gives it. */
  browser: string;
  cold: PageLoadTiming[];
  warm: PageLoadTiming[];
  /** The text of the first line shown in the last load, for the notes. */
  firstLine: string;
}

export type ScenarioResult =
  | FanoutResult
  | PageLoadResult
  | IdleResult
  | FileRelayResult
  | HardeningResult
  | IngestResult
  | StoreHistoryResult;

export interface Ratio {
  configId: string;
  label: string;
  paced: boolean;
  protocol: Protocol;
  /**
   * The reference: ngIRCd; the same sockchat load with the store in memory;
   * Socket.IO (for sockchat over WebSocket); or, for sockchat over WebSocket,
   * the same load through sockchat's native TCP path.
   */
  versus: "ngircd" | "memory store" | "socket.io" | "native over TCP";
  throughputRatio: number;
  p99Ratio: number;
  /** Deliveries per second of the sockchat run and of its reference. */
  perSecond: { ours: number; reference: number };
}

/** What TLS costs one load: the same scenario through sockchat over TLS and over plain TCP. */
export interface TlsCost {
  configId: string;
  /** Fan-out: deliveries per second; file relay: MB/s per fast receiver. */
  unit: "deliveries/s" | "MB/s";
  plain: number;
  tls: number;
  /** tls ÷ plain. */
  ratio: number;
  /** The server's CPU seconds over each run: the same work both ways, so their ratio is TLS's price. */
  serverCpuSeconds: { plain: number; tls: number };
}

export interface TargetCheck {
  what: string;
  value: string;
  goal: string;
  met: boolean;
}

export interface BenchReport {
  meta: Record<string, string | number | boolean>;
  /** One per scenario: the median of its runs. */
  results: ScenarioResult[];
  /** Every run, in the order they ran. */
  runs: ScenarioResult[];
  ratios: Ratio[];
  tlsCosts: TlsCost[];
  targets: TargetCheck[];
}
