// What the runner and its load processes say to each other over IPC, and what
// the file scripts of the hardening runs print as JSON.

import type { HistogramData } from "../histogram.js";
import type { LedgerCounts } from "./ledger.js";

/**
 * websocket: sockchat's native protocol over the chat port's WebSocket; tls:
 * the native protocol over TLS; socketio: Socket.IO over WebSocket.
 */
export type Protocol = "native" | "text" | "irc" | "websocket" | "tls" | "socketio";

export interface LoadPlan {
  protocol: Protocol;
  port: number;
  /**
   * receive: verify deliveries; send: produce the load; idle: connect and stay
   * quiet; ingest: native senders that keep a window of lines unacknowledged.
   */
  role: "receive" | "send" | "idle" | "ingest";
  /** Clients in this process; nicknames are `${nickPrefix}${i}`. */
  clients: number;
  nickPrefix: string;
  /** IRC only: the channel everyone joins; empty to join none. */
  channel: string;
  /** Connections being set up at once. */
  concurrency: number;
  /** Senders in the whole run, and messages per sender. */
  senders: number;
  messages: number;
  /** send: global index of this process's first sender. */
  firstSender: number;
  /** send: lines per second per sender; 0 means burst everything at once. */
  pacePerSecond: number;
  /** receive: report once nothing new has arrived for this long after "go". */
  stallMs: number;
  /**
   * text: say nothing until welcomed, as a netcat nobody types into (the server
   * waits 300 ms for that); otherwise an empty line on connect is welcomed at once.
   */
  silent?: boolean;
  /**
   * native: besides the room everyone is in on arrival, client i joins
   * `#room-<i mod rooms>` (and talks there); absent or 0, none.
   */
  rooms?: number;
  /** tls: the server's certificate (PEM) and its file, trusted as the one CA. */
  ca?: { pem: string; file: string };
  /** ingest: lines each sender keeps sent and not yet acknowledged, and for how long. */
  window?: number;
  durationMs?: number;
}

export type ToLoad =
  | { type: "plan"; plan: LoadPlan }
  | { type: "go" }
  | { type: "report" }
  /** Exit cleanly, so that a CPU profile gets written. */
  | { type: "exit" };

export interface SendResult {
  firstSendUs: number;
  lastSendUs: number;
  /** When every message had been confirmed (acked, PONGed or written). */
  confirmedUs: number;
  sent: number;
  refused: number;
}

/** ingest: what the server acknowledged. */
export interface IngestSendResult {
  acked: number;
  refused: number;
  /** Lines acknowledged per sender, in sender order: each sender's room should hold as many. */
  ackedPerSender: number[];
  firstSendUs: number;
  lastAckUs: number;
  /** Send to acknowledgement. */
  latency: HistogramData;
  /** The first refusal's reason; "" if none. */
  problem: string;
}

export interface ReceiveResult {
  counts: LedgerCounts;
  firstDeliveryUs: number;
  lastDeliveryUs: number;
  latency: HistogramData;
}

export type FromLoad =
  | { type: "ready"; joinMs: number }
  | { type: "sent"; result: SendResult }
  | { type: "ingested"; result: IngestSendResult }
  | { type: "received"; result: ReceiveResult; disconnects: number; lastDisconnect: string }
  | { type: "idle"; disconnects: number; lastDisconnect: string }
  | { type: "failed"; message: string };

/** file-sender.ts: how its files went. */
export interface FileSendOutcome {
  /** Offers the server accepted. */
  offered: number;
  verified: number;
  /** Files every receiver settled (waited for with "complete" only). */
  completed: number;
  /** Offers refused, and files that failed, were cancelled or did not complete. */
  failed: number;
  /** The first failure's reason; "" if none. */
  problem: string;
  /** Set when the run stopped early: the server gave no verdict in time. */
  error?: string;
}

/** file-receiver.ts: what it took. */
export interface FileReceiveOutcome {
  bytes: number;
  /** Files received whole, with the right SHA-256 (and, unconfirmed, never confirmed). */
  files: number;
}
