// The server in-process, put together by the same createContext as
// chat-server.ts (directory, rooms, local bus, file relay on a temporary
// spool) over a store the test chooses, with one real Session per memory connection and no listener: for
// unit tests of sessions, rooms, presence and history without processes.

import { join } from "node:path";
import { afterEach } from "node:test";
import type { ProtocolError } from "../../src/protocol/errors.js";
import type { ChatMessage, ServerMessage } from "../../src/protocol/messages.js";
import { DEFAULTS, type ServerConfig } from "../../src/server/config.js";
import { DiskSpool } from "../../src/server/disk-spool.js";
import type { ServerContext } from "../../src/server/requester.js";
import { createContext } from "../../src/server/server-context.js";
import { Session } from "../../src/server/session.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import type { Store } from "../../src/store/store.js";
import type { ConnectionHandler, Inbound } from "../../src/transport/connection.js";
import { eventually } from "./eventually.js";
import { tempDir } from "./files.js";
import { MemoryConnection, type MemoryConnectionOptions } from "./memory-connection.js";

/**
 * A memory connection that shows whether the session paused its input, and
 * can hand the session several messages in one turn whatever the pause, as a
 * byte-stream connection does with the frames of one read.
 */
export class ProbeConnection extends MemoryConnection {
  #handler: ConnectionHandler | undefined;
  #paused = false;

  get inputPaused(): boolean {
    return this.#paused;
  }

  override attach(handler: ConnectionHandler): void {
    this.#handler = handler;
    super.attach(handler);
  }

  override pauseInput(): void {
    this.#paused = true;
    super.pauseInput();
  }

  override resumeInput(): void {
    this.#paused = false;
    super.resumeInput();
  }

  /** The messages of one read: all handed over now, in order. */
  read(...messages: Inbound[]): void {
    for (const message of messages) this.#handler?.message(message);
  }

  /** Input the codec could not understand, as it reports it. */
  invalid(error: ProtocolError): void {
    this.#handler?.invalid(error);
  }
}

type Answer = Extract<ServerMessage, { type: "ack" | "error" }>;

export class TestClient {
  readonly connection: ProbeConnection;
  readonly session: Session;
  #token = 1;
  #seq = 100_000;

  constructor(connection: ProbeConnection, session: Session) {
    this.connection = connection;
    this.session = session;
  }

  get received(): readonly ServerMessage[] {
    return this.connection.peer.received;
  }

  get nick(): string {
    return this.session.nick;
  }

  /** The chat lines received, in order. */
  get lines(): ChatMessage[] {
    return this.received.filter((m): m is ChatMessage => m.type === "message");
  }

  /** What was received of one type, in order. */
  all<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  /** Sends as a client does: it arrives in a later turn, once the session reads input. */
  send(message: Inbound): void {
    this.connection.peer.send(message);
  }

  /** Hands the session `messages` at once, as the frames of one read. */
  read(...messages: Inbound[]): void {
    this.connection.read(...messages);
  }

  /** The first message, received at or after index `from`, that matches. */
  waitFor(match: (m: ServerMessage) => boolean, from = 0): Promise<ServerMessage> {
    if (from === 0) return this.connection.peer.waitFor(match);
    return eventually(() => this.received.slice(from).find(match), "a matching message");
  }

  /** A request number of its own, above those tests write out. */
  seq(): number {
    return this.#seq++;
  }

  /** The ack or the error answering request `seq`, received at or after index `from`. */
  async answer(seq: number, from = 0): Promise<Answer> {
    const found = await this.waitFor(
      (m) => (m.type === "ack" || m.type === "error") && m.seq === seq,
      from,
    );
    return found as Answer;
  }

  /** Waits for the ack of `seq`, failing on an error instead. */
  async acked(seq: number, from = 0): Promise<void> {
    const answer = await this.answer(seq, from);
    if (answer.type === "error") throw new Error(`request ${seq} refused: ${answer.message}`);
  }

  /**
   * A ping answered: whatever the server sent this client before handling it
   * has been received. Heartbeats skip the request queue, but not paused input.
   */
  async roundTrip(): Promise<void> {
    const token = this.#token++;
    this.send({ type: "ping", token });
    await this.waitFor((m) => m.type === "pong" && m.token === token);
  }

  /** The line of this text it received: the only one, or an error. */
  line(text: string): ChatMessage {
    const found = this.lines.filter((m) => m.text === text);
    if (found.length !== 1) {
      throw new Error(`${this.nick} received "${text}" ${found.length} times`);
    }
    return found[0] as ChatMessage;
  }

  close(): Promise<void> {
    this.connection.peer.close();
    return this.connection.peer.closed;
  }
}

export interface TestServerOptions {
  /** A MemoryStore unless given; the test server closes it. */
  store?: Store;
  config?: Partial<ServerConfig>;
}

export class TestServer {
  readonly context: ServerContext;
  readonly #spool: { path: string; remove(): Promise<void> };
  readonly #clients = new Set<TestClient>();
  #port = 50000;

  private constructor(context: ServerContext, spool: { path: string; remove(): Promise<void> }) {
    this.context = context;
    this.#spool = spool;
  }

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const spool = await tempDir("session");
    const config: ServerConfig = {
      ...DEFAULTS,
      dataDir: spool.path,
      store: "memory",
      ...options.config,
    };
    const store = options.store ?? new MemoryStore();
    const context = createContext(config, store, new DiskSpool(join(spool.path, "spool")));
    await context.relay.start();
    return new TestServer(context, spool);
  }

  get store(): Store {
    return this.context.store;
  }

  /** A connection with its session, which has not said hello. */
  connect(options: MemoryConnectionOptions = {}): TestClient {
    const connection = new ProbeConnection({
      remoteAddress: `10.0.0.1:${this.#port++}`,
      ...options,
    });
    const session = new Session(connection, this.context, () => {});
    const client = new TestClient(connection, session);
    this.#clients.add(client);
    return client;
  }

  /** A client that said hello and has its welcome (and the replay that comes with it). */
  async join(
    nick: string,
    options: { history?: number; connection?: MemoryConnectionOptions } = {},
  ): Promise<TestClient> {
    const client = this.connect(options.connection);
    client.send({ type: "hello", nick, client: "test", history: options.history });
    // The welcome and the replay are sent in one turn, so they arrive together.
    await client.waitFor((m) => m.type === "welcome");
    return client;
  }

  /** Closes every connection, the relay and the store. */
  async close(): Promise<void> {
    await Promise.all([...this.#clients].map((c) => c.close()));
    await this.context.relay.stop();
    this.context.store.close();
    await this.#spool.remove();
  }
}

/** For the suite that calls it: a fresh TestServer per test, closed after the test. */
export function serverPerTest(): (options?: TestServerOptions) => Promise<TestServer> {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (options = {}) => {
    server = await TestServer.start(options);
    return server;
  };
}
