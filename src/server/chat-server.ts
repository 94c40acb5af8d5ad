// Puts a server together: the hub, a session per connection, the heartbeat,
// and the listeners; and takes it apart again gracefully.

import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ErrorCode } from "../protocol/errors.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { listenTcp, type TcpListener } from "../transport/tcp-listener.js";
import type { ServerConfig } from "./config.js";
import { DiskSpool } from "./disk-spool.js";
import { FileRelay } from "./file-relay.js";
import { startHeartbeat } from "./heartbeat.js";
import { Hub } from "./hub.js";
import { type ServerContext, Session } from "./session.js";

/** How long connections get to flush their last words before being cut. */
const CLOSE_GRACE_MS = 2000;

export class ChatServer {
  readonly #context: ServerContext;
  readonly #store: Store;
  readonly #sessions = new Set<Session>();
  #listener: TcpListener | undefined;
  #stopHeartbeat: (() => void) | undefined;
  #allClosed: (() => void) | undefined;

  constructor(config: ServerConfig) {
    this.#store = openStore("sqlite", config.dataDir);
    const relay = new FileRelay(
      {
        maxFileBytes: config.maxFileBytes,
        retentionMs: config.fileRetentionMs,
        transferTimeoutMs: config.transferTimeoutMs,
      },
      {
        store: this.#store,
        spool: new DiskSpool(join(config.dataDir, "spool")),
        // Everyone is in the default room until rooms come.
        audience: () => this.#joinedSessions(),
      },
    );
    this.#context = { hub: new Hub(config.presenceLimit), relay, config };
  }

  get address(): AddressInfo {
    if (this.#listener === undefined) throw new Error("server is not listening");
    return this.#listener.address;
  }

  async start(): Promise<AddressInfo> {
    const { config, relay } = this.#context;
    await relay.start();
    this.#listener = await listenTcp(
      {
        host: config.host,
        port: config.port,
        // Room for a command word and a nickname in front of a maximal message.
        maxLineBytes: config.maxMessageBytes + 128,
        textWelcomeDelayMs: config.textWelcomeDelayMs,
        closeGraceMs: CLOSE_GRACE_MS,
        keepAliveMs: config.heartbeatMs,
      },
      (connection) => {
        this.#sessions.add(new Session(connection, this.#context, (s) => this.#forget(s)));
      },
    );
    this.#stopHeartbeat = startHeartbeat(this.#sessions, config.heartbeatMs);
    return this.#listener.address;
  }

  /** Tells every client, closes every connection, and resolves once all are gone. */
  async stop(reason = "server shutting down"): Promise<void> {
    this.#stopHeartbeat?.();
    const listenerClosed = this.#listener?.close();
    const allClosed = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
    });
    for (const session of this.#sessions) session.end(ErrorCode.Shutdown, reason);
    if (this.#sessions.size === 0) this.#allClosed?.();
    await Promise.all([listenerClosed, allClosed]);
    await this.#context.relay.stop();
    this.#store.close();
  }

  *#joinedSessions(): Iterable<Session> {
    for (const session of this.#sessions) if (session.joined) yield session;
  }

  #forget(session: Session): void {
    this.#sessions.delete(session);
    if (this.#sessions.size === 0) this.#allClosed?.();
  }
}
