// Server settings and their documented defaults (see README "Limits").

import { homedir } from "node:os";
import { join } from "node:path";
import { MAX_HISTORY_PAGE } from "../protocol/commands.js";
import { HEARTBEAT_MS } from "../protocol/messages.js";
import { DEFAULT_ROOM } from "../protocol/rooms.js";
import type { StoreKind } from "../store/open-store.js";
import type { TlsFiles } from "./tls-credentials.js";

export interface ServerConfig {
  host: string;
  port: number;
  /** Sustained messages per second per client; 0 turns rate limiting off. */
  rateLimit: number;
  /** Messages a client may send at once before the rate applies: a pasted block goes through. */
  rateBurst: number;
  /** Largest message text in UTF-8 bytes. */
  maxMessageBytes: number;
  /** Unsent bytes a connection may hold; past this it is disconnected at once. */
  sendQueueLimit: number;
  /** A connection holding more than a quarter of its limit this long is disconnected. */
  slowConsumerTimeoutMs: number;
  /** Silence after which a native client is pinged; twice this and it is dropped. */
  heartbeatMs: number;
  /** How long a silent new connection waits before being welcomed as a text client. */
  textWelcomeDelayMs: number;
  /**
   * The same wait for a connection from an address a browser was at lately:
   * past the 10 s Chromium keeps a connection it opened and has not used yet.
   */
  browserWelcomeDelayMs: number;
  /** Joins and leaves are announced while at most this many people are connected. */
  presenceLimit: number;
  /** How long a line or frame may take to arrive whole, once begun (checked at heartbeat ticks). */
  inputDeadlineMs: number;
  /** Open connections from one address (every kind: chat, HTTP, WebSocket); 0 for no cap. */
  maxConnectionsPerIp: number;
  /** Open connections in all; 0 for no cap. */
  maxConnections: number;
  /** Consecutive invalid inputs after which a connection is closed. */
  maxConsecutiveErrors: number;
  serverName: string;
  /** Where the server keeps its state: the database of history and files, and spooled files. */
  dataDir: string;
  /** "sqlite": kept in the data directory; "memory": gone when the server stops. */
  store: StoreKind;
  /** The room everyone is in on arrival. */
  defaultRoom: string;
  /** Lines of a room replayed to whoever joins it (a client may ask for up to `maxHistoryPage`). */
  history: number;
  /** Most lines one history page (or replay) may hold. */
  maxHistoryPage: number;
  /** How long lines are kept; 0 keeps them forever. */
  historyRetentionMs: number;
  /** Largest file a client may send. */
  maxFileBytes: number;
  /** How long a sent file stays available for /get. */
  fileRetentionMs: number;
  /** How long an upload may send nothing, or a receiver leave the server waiting, before it is given up. */
  transferTimeoutMs: number;
  /** The certificate and key the chat port speaks TLS with; none: plaintext only. */
  tls: TlsFiles | undefined;
  /** With TLS, plaintext peers are served too, rather than told to use TLS. */
  allowPlaintext: boolean;
  /** A TLS handshake not done by then is dropped. */
  tlsHandshakeTimeoutMs: number;
}

/** $XDG_DATA_HOME/sockchat, or ~/.local/share/sockchat. */
function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "sockchat");
}

export const DEFAULT_PORT = 8081;

export const DEFAULTS: ServerConfig = {
  host: "127.0.0.1",
  port: DEFAULT_PORT,
  rateLimit: 20,
  rateBurst: 100,
  maxMessageBytes: 4096,
  sendQueueLimit: 4 * 1024 * 1024,
  slowConsumerTimeoutMs: 10_000,
  heartbeatMs: HEARTBEAT_MS,
  textWelcomeDelayMs: 300,
  browserWelcomeDelayMs: 15_000,
  maxConsecutiveErrors: 16,
  presenceLimit: 500,
  inputDeadlineMs: 60_000,
  maxConnectionsPerIp: 16,
  maxConnections: 10_000,
  serverName: "sockchat",
  dataDir: defaultDataDir(),
  store: "sqlite",
  defaultRoom: DEFAULT_ROOM,
  history: 50,
  maxHistoryPage: MAX_HISTORY_PAGE,
  historyRetentionMs: 0,
  maxFileBytes: 4 * 1024 ** 3,
  fileRetentionMs: 24 * 60 * 60 * 1000,
  transferTimeoutMs: 30_000,
  tls: undefined,
  allowPlaintext: false,
  tlsHandshakeTimeoutMs: 10_000,
};
