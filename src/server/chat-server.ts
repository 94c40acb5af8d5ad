// Puts a server together: the store, the directory and rooms, the bus, the
// file relay, a session per connection, the heartbeat, and the listeners; and
// takes it apart again gracefully.

import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ErrorCode } from "../protocol/errors.js";
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD } from "../protocol/frame.js";
import { openStore } from "../store/open-store.js";
import type { Connection } from "../transport/connection.js";
import { httpKind } from "../transport/http-kind.js";
import { RecentAddresses } from "../transport/recent-addresses.js";
import { listenTcp, type TcpListener } from "../transport/tcp-listener.js";
import { websocketUpgrade } from "../transport/websocket-upgrade.js";
import type { ServerConfig } from "./config.js";
import { DiskSpool } from "./disk-spool.js";
import { startHeartbeat } from "./heartbeat.js";
import { createHttpService } from "./http-service.js";
import { PageFiles } from "./page-files.js";
import type { ServerContext } from "./requester.js";
import { createContext } from "./server-context.js";
import { Session } from "./session.js";
import { TlsCredentials } from "./tls-credentials.js";

/** How long connections get to flush their last words before being cut. */
const CLOSE_GRACE_MS = 2000;
/** A browser splits what it sends to fit: a frame and its header. */
const MAX_WEBSOCKET_MESSAGE_BYTES = MAX_FRAME_PAYLOAD + FRAME_HEADER_BYTES;
/** How long after its last HTTP request an address counts as a browser's. */
const BROWSER_MEMORY_MS = 60_000;
/** Browsers' addresses remembered at most: past it the oldest are forgotten, and only wait less. */
const MAX_BROWSER_ADDRESSES = 10_000;
/** How often lines past `--history-retention` are deleted. */
const EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

export class ChatServer {
  readonly #config: ServerConfig;
  readonly #sessions = new Set<Session>();
  #context: ServerContext | undefined;
  #tls: TlsCredentials | undefined;
  #listener: TcpListener | undefined;
  #http: HttpServer | undefined;
  #stopHeartbeat: (() => void) | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #allClosed: (() => void) | undefined;

  constructor(config: ServerConfig) {
    this.#config = config;
  }

  get address(): AddressInfo {
    if (this.#listener === undefined) throw new Error("server is not listening");
    return this.#listener.address;
  }

  /** What TLS is spoken with, once started with it: its fingerprint, and `reload` for SIGHUP. */
  get tls(): TlsCredentials | undefined {
    return this.#tls;
  }

  /**
   * Reads the TLS certificate and key (a TlsCredentialsError says why they
   * cannot be used), opens the store (a StoreOpenError says why it cannot be
   * used), then listens.
   */
  async start(): Promise<AddressInfo> {
    const config = this.#config;
    const tls = config.tls && new TlsCredentials(config.tls);
    this.#tls = tls;
    const store = openStore(config.store, config.dataDir);
    const context = createContext(config, store, new DiskSpool(join(config.dataDir, "spool")));
    this.#context = context;
    const { relay } = context;
    const accept = (connection: Connection) => {
      this.#sessions.add(new Session(connection, context, (s) => this.#forget(s)));
    };
    this.#http = createHttpService({
      page: PageFiles.load(),
      download: (id) => relay.download(id),
      upgrade: websocketUpgrade(
        {
          maxMessageBytes: MAX_WEBSOCKET_MESSAGE_BYTES,
          closeGraceMs: CLOSE_GRACE_MS,
          silenceMs: config.textWelcomeDelayMs,
        },
        accept,
      ),
    });
    // A browser opens connections it sends nothing on, to use for a later request
    // or never: greeted as a text client, one would be a phantom guest in the
    // lobby, and the request it carried would get the welcome for its response.
    const browsers = new RecentAddresses(BROWSER_MEMORY_MS, MAX_BROWSER_ADDRESSES);
    const sawBrowser = (request: IncomingMessage) =>
      browsers.note(request.socket.remoteAddress ?? "unknown");
    this.#http.on("request", sawBrowser).on("upgrade", sawBrowser);
    try {
      await relay.start();
      this.#expireHistory();
      this.#listener = await listenTcp(
        {
          host: config.host,
          port: config.port,
          // Room for a command word and a nickname in front of a maximal message.
          maxLineBytes: config.maxMessageBytes + 128,
          textWelcomeDelayMs: config.textWelcomeDelayMs,
          longerSilenceFor: (address) =>
            browsers.has(address) ? config.browserWelcomeDelayMs - config.textWelcomeDelayMs : 0,
          closeGraceMs: CLOSE_GRACE_MS,
          keepAliveMs: config.heartbeatMs,
          handOffs: [httpKind(this.#http)],
          limits: { perAddress: config.maxConnectionsPerIp, total: config.maxConnections },
          tls: tls && {
            secureContext: () => tls.secureContext,
            handshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
            allowPlaintext: config.allowPlaintext,
          },
        },
        accept,
      );
    } catch (error) {
      await relay.stop();
      store.close();
      throw error;
    }
    this.#stopHeartbeat = startHeartbeat(this.#sessions, config.heartbeatMs);
    return this.#listener.address;
  }

  /** Tells every client, closes every connection, and resolves once all are gone. */
  async stop(reason = "server shutting down"): Promise<void> {
    this.#stopHeartbeat?.();
    clearTimeout(this.#expiryTimer);
    const listenerClosed = this.#listener?.close();
    const allClosed = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
    });
    for (const session of this.#sessions) session.end(ErrorCode.Shutdown, reason);
    // Page loads and downloads: a browser reconnects to what comes up next.
    this.#http?.closeAllConnections();
    if (this.#sessions.size === 0) this.#allClosed?.();
    await Promise.all([listenerClosed, allClosed]);
    await this.#context?.relay.stop();
    this.#context?.store.close();
  }

  /** Deletes lines older than the retention now, and again every hour. */
  #expireHistory(): void {
    const { historyRetentionMs } = this.#config;
    if (historyRetentionMs === 0 || this.#context === undefined) return;
    this.#context.store.expireLines(Date.now() - historyRetentionMs);
    this.#expiryTimer = setTimeout(() => this.#expireHistory(), EXPIRY_INTERVAL_MS);
    this.#expiryTimer.unref();
  }

  #forget(session: Session): void {
    this.#sessions.delete(session);
    if (this.#sessions.size === 0) this.#allClosed?.();
  }
}
