// The client core in-process, over a memory connection to a scripted server:
// joining, requests and their confirmations, refusals, heartbeats, an upload
// and a download paced by windows and by the connection, and closing.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ChatClient, type ChatClientOptions } from "../../src/client/chat-client.js";
import type {
  FileSink,
  FileSource,
  FileStore,
  IncomingFile,
  TransferEvent,
} from "../../src/client/files.js";
import { sha256Hasher } from "../../src/client/node/node-files.js";
import { ChunkSender, type SentFile } from "../../src/protocol/chunk-sender.js";
import { ErrorCode, ProtocolError, RemoteError } from "../../src/protocol/errors.js";
import {
  DOWNLOAD_WINDOW_BYTES,
  FILE_CHUNK_BYTES,
  FRAME_HEADER_BYTES,
  handshakeBytes,
  UPLOAD_WINDOW_BYTES,
} from "../../src/protocol/frame.js";
import type { ClientMessage, ServerMessage } from "../../src/protocol/messages.js";
import { MemoryEnd } from "./memory-streams.js";
import { ScriptedServer } from "./scripted-server.js";

const MIB = 1024 * 1024;
/** A chunk frame's bytes besides its data: frame header, id and offset. */
const CHUNK_HEADER_BYTES = FRAME_HEADER_BYTES + 12;

interface Joined {
  client: ChatClient;
  server: ScriptedServer;
  clientEnd: MemoryEnd;
  hello: Extract<ClientMessage, { type: "hello" }>;
}

/** A client joined to a scripted server that welcomes it as `given`. */
async function joined(
  options: Partial<ChatClientOptions> = {},
  { clientDrains = true, given = "alice" } = {},
): Promise<Joined> {
  const [clientEnd, serverEnd] = MemoryEnd.pair({ clientDrains });
  const server = new ScriptedServer(serverEnd);
  const client = new ChatClient({
    dial: async () => clientEnd,
    nick: "alice",
    clientName: "unit/1",
    files: { hasher: sha256Hasher },
    ...options,
  });
  const joining = client.connect();
  const hello = await server.take("hello");
  server.send({
    type: "welcome",
    nick: given,
    server: "scripted",
    maxMessageBytes: 4096,
    room: "#lobby",
  });
  await joining;
  return { client, server, clientEnd, hello };
}

function pattern(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 131 + seed + (i >>> 12)) & 0xff;
  return data;
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

function memorySource(name: string, data: Uint8Array): FileSource {
  return {
    name,
    size: data.length,
    read: async (offset, length) => data.subarray(offset, offset + length),
    close: async () => {},
  };
}

/** Keeps received files in memory; while `held`, no write completes. */
class MemoryStore implements FileStore {
  readonly saved = new Map<string, Uint8Array>();
  #held: (() => void)[] | undefined = [];

  claimPartial(): Promise<number> {
    return Promise.resolve(0);
  }

  async open(file: IncomingFile): Promise<FileSink> {
    const parts: Uint8Array[] = [];
    return {
      write: (data) => {
        parts.push(data);
        if (this.#held === undefined) return Promise.resolve();
        const held = this.#held;
        return new Promise((resolve) => held.push(resolve));
      },
      commit: async () => {
        this.saved.set(file.name, Buffer.concat(parts));
        return `memory/${file.name}`;
      },
      suspend: async () => {},
      discard: async () => {},
    };
  }

  /** Completes the writes held so far, and every later one at once. */
  release(): void {
    for (const resolve of this.#held ?? []) resolve();
    this.#held = undefined;
  }
}

function chunkBytes(messages: readonly ClientMessage[], id: number): number {
  let bytes = 0;
  for (const m of messages) if (m.type === "file-chunk" && m.id === id) bytes += m.data.length;
  return bytes;
}

function eventsOf(client: ChatClient): TransferEvent[] {
  const events: TransferEvent[] = [];
  client.on("transfer", (event) => events.push(event));
  return events;
}

describe("ChatClient", () => {
  it("sends the handshake and hello in one write, and takes the nickname the welcome gives", async () => {
    const { client, server, hello } = await joined({}, { given: "alice_" });
    assert.deepEqual(server.clientHandshake, handshakeBytes());
    assert.deepEqual(hello, { type: "hello", nick: "alice", client: "unit/1" });
    assert.equal(server.reads, 1, "handshake and hello came in one write");
    assert.equal(client.nick, "alice_");
    await client.close();
  });

  it("resolves requests as the server confirms them, in order, made in one turn and sent in one write", async () => {
    const { client, server } = await joined();
    const order: string[] = [];
    client.on("server", (m) => order.push(`server ${m.type}`));
    client.on("confirmed", (c) => order.push(`confirmed ${c.type === "say" ? c.text : c.type}`));
    const readsBefore = server.reads;
    const said = ["one", "two", "three"].map((text) =>
      client.send({ type: "say", text }).then(() => order.push(`resolved ${text}`)),
    );
    const says = await Promise.all([server.take("say"), server.take("say"), server.take("say")]);
    assert.equal(server.reads, readsBefore + 1, "three requests, one write");
    assert.deepEqual(
      says.map((s) => s.text),
      ["one", "two", "three"],
    );
    assert.equal(client.pendingCount, 3);
    server.send(
      { type: "ack", seq: says[0].seq },
      {
        type: "message",
        kind: "say",
        ts: 1,
        from: "bob",
        to: "",
        text: "hi",
        room: "#lobby",
        id: 1,
        replayed: false,
      },
      { type: "ack", seq: says[1].seq },
      { type: "ack", seq: says[2].seq },
    );
    await Promise.all(said);
    await client.settled();
    assert.deepEqual(order, [
      "confirmed one",
      "server message",
      "confirmed two",
      "confirmed three",
      "resolved one",
      "resolved two",
      "resolved three",
    ]);
    await client.close();
  });

  it("rejects a refused request with the server's code and words; an error about none is an event", async () => {
    const { client, server } = await joined();
    const events: ServerMessage[] = [];
    client.on("server", (m) => events.push(m));
    const refused = client.send({ type: "nick", nick: "bob" });
    const { seq } = await server.take("nick");
    server.send(
      { type: "error", seq, code: "CHAT_ERR_NICK_TAKEN", message: "bob is taken" },
      { type: "error", seq: 0, code: "CHAT_ERR_RATE_LIMITED", message: "slow down" },
    );
    await assert.rejects(refused, (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.deepEqual([error.code, error.message], ["CHAT_ERR_NICK_TAKEN", "bob is taken"]);
      return true;
    });
    await server.until(() => events.length > 0, "the unasked error");
    assert.deepEqual(
      events.map((m) => m.type === "error" && m.code),
      ["CHAT_ERR_RATE_LIMITED"],
    );
    await client.close();
  });

  it("skips frames of a newer server, and drops one that sends what it cannot read", async () => {
    const { client, server } = await joined();
    const events: ServerMessage[] = [];
    client.on("server", (m) => events.push(m));
    const disconnected = new Promise((resolve) => client.once("disconnected", resolve));
    server.end.write(Uint8Array.of(0, 0, 0, 1, 0x7e, 9)); // an unknown type: skipped
    server.send({ type: "notice", text: "still here" });
    await server.until(() => events.length === 1, "the notice");
    server.end.write(Uint8Array.of(0, 0, 0, 1, 0x46, 9)); // an ack of one byte: unreadable
    assert.deepEqual(await disconnected, {
      reason: "the server sent something unreadable: CHAT_ERR_MALFORMED (CHAT_ERR_MALFORMED)",
      retryInMs: undefined,
    });
  });

  it("rejects what is pending when the connection is lost, and what is asked after", async () => {
    const { client, server } = await joined();
    const pending = client.send({ type: "say", text: "lost" });
    await server.take("say");
    const disconnected = new Promise((resolve) => client.once("disconnected", resolve));
    server.end.close("connection reset");
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.code, ErrorCode.ConnectionLost);
      assert.match(error.message, /before the server confirmed: connection reset/);
      return true;
    });
    assert.deepEqual(await disconnected, { reason: "connection reset", retryInMs: undefined });
    await assert.rejects(client.send({ type: "say", text: "late" }), { message: "not connected" });
  });

  it("pings a silent server once, and gives it up when the ping goes unanswered", async () => {
    const heartbeatMs = 40;
    const { client, server } = await joined({ heartbeatMs });
    const disconnected = new Promise<{ reason: string }>((resolve) =>
      client.once("disconnected", resolve),
    );
    const started = Date.now();
    await server.take("ping");
    const { reason } = await disconnected;
    const silentMs = Date.now() - started;
    assert.match(reason, /^no word from the server for \d+ s \(CHAT_ERR_PING_TIMEOUT\)$/);
    assert.equal(server.received.filter((m) => m.type === "ping").length, 1, "one ping");
    assert.ok(silentMs >= 2 * heartbeatMs, `given up after ${silentMs} ms`);
    assert.equal(server.end.closed, true);
  });

  it("stays with a server that answers its pings, and answers the server's", async () => {
    const heartbeatMs = 40;
    const { client, server } = await joined({ heartbeatMs });
    server.onMessage = (m) => {
      if (m.type === "ping") server.send({ type: "pong", token: m.token });
    };
    server.send({ type: "ping", token: 0xdecafbad });
    assert.equal((await server.take("pong")).token, 0xdecafbad);
    await delay(8 * heartbeatMs);
    assert.equal(server.closedReason, undefined);
    assert.ok(server.received.filter((m) => m.type === "ping").length >= 2);
    await client.close();
  });

  it("uploads a file within the server's window, and only as fast as the connection takes it", async () => {
    const { client, server, clientEnd } = await joined();
    const events = eventsOf(client);
    const data = pattern(UPLOAD_WINDOW_BYTES + 3 * FILE_CHUNK_BYTES + 5, 1);
    clientEnd.hold();
    const sending = client.sendFile(memorySource("up.bin", data));
    clientEnd.release();
    const offer = await server.take("file-offer");
    assert.deepEqual([offer.name, offer.size], ["up.bin", data.length]);
    clientEnd.hold();
    server.send({ type: "file-accepted", seq: offer.seq, id: 5 }, { type: "ack", seq: offer.seq });
    const outgoing = await sending;
    assert.equal(outgoing.id, 5);
    await delay(20);
    assert.equal(
      clientEnd.bufferedBytes,
      CHUNK_HEADER_BYTES + FILE_CHUNK_BYTES,
      "one chunk waits in a full connection, and no more is written",
    );
    clientEnd.release();
    await server.until(() => chunkBytes(server.received, 5) === UPLOAD_WINDOW_BYTES, "a window");
    await delay(20);
    assert.equal(chunkBytes(server.received, 5), UPLOAD_WINDOW_BYTES, "nothing past the window");
    server.send({ type: "file-window", id: 5, bytes: MIB });
    const end = await server.take("file-end");
    assert.deepEqual(end.sha256, sha256(data));
    const chunks = server.received.filter((m) => m.type === "file-chunk");
    assert.deepEqual(Buffer.concat(chunks.map((c) => c.data)), Buffer.from(data));
    assert.ok(chunks.every((c) => c.data.length <= FILE_CHUNK_BYTES));
    server.send(
      {
        type: "file-verified",
        id: 5,
        from: "alice",
        name: "up.bin",
        size: data.length,
        ok: true,
        reason: "",
        senderHash: true,
        room: "#lobby",
        sha256: sha256(data),
      },
      { type: "file-complete", id: 5, name: "up.bin", delivered: 2, failed: 0, detail: "" },
    );
    assert.deepEqual(await outgoing.delivered, {
      id: 5,
      name: "up.bin",
      delivered: 2,
      failed: 0,
      detail: "",
    });
    const progress = events.filter((e) => e.type === "upload-progress");
    assert.equal(progress.at(-1)?.type === "upload-progress" && progress.at(-1)?.sent, data.length);
    await client.close();
  });

  it("takes a file back when its signal aborts while offered, and stops one being sent", async () => {
    const { client, server } = await joined();
    const takeBack = new AbortController();
    const offered = client.sendFile(memorySource("never.bin", pattern(1000, 3)), takeBack.signal);
    const offer = await server.take("file-offer");
    takeBack.abort("changed my mind");
    server.send({ type: "file-accepted", seq: offer.seq, id: 7 }, { type: "ack", seq: offer.seq });
    await assert.rejects(offered, /cancelled: changed my mind/);
    const withdrawn = await server.take("file-cancel");
    assert.deepEqual([withdrawn.id, withdrawn.reason], [7, "changed my mind"]);

    const stop = new AbortController();
    const sending = client.sendFile(
      memorySource("big.bin", pattern(UPLOAD_WINDOW_BYTES * 2, 4)),
      stop.signal,
    );
    const second = await server.take("file-offer");
    server.send(
      { type: "file-accepted", seq: second.seq, id: 8 },
      { type: "ack", seq: second.seq },
    );
    const outgoing = await sending;
    stop.abort("enough");
    const ended = assert.rejects(outgoing.delivered, /cancelled: enough/);
    const stopped = await server.take("file-cancel");
    assert.deepEqual([stopped.id, stopped.reason], [8, "enough"]);
    await ended;
    await client.close();
  });

  it("uploads over a connection that cannot say when it has drained, looking at its buffer", async () => {
    const { client, server, clientEnd } = await joined({}, { clientDrains: false });
    assert.equal(clientEnd.onDrain, undefined);
    const data = pattern(6 * FILE_CHUNK_BYTES + 1, 2);
    const sending = client.sendFile(memorySource("polled.bin", data));
    const offer = await server.take("file-offer");
    clientEnd.hold();
    server.send({ type: "file-accepted", seq: offer.seq, id: 6 }, { type: "ack", seq: offer.seq });
    const outgoing = await sending;
    await delay(20);
    // Up to 1 MiB, enough to go on with while the poll sleeps; then it waits.
    assert.equal(clientEnd.bufferedBytes, 4 * (CHUNK_HEADER_BYTES + FILE_CHUNK_BYTES));
    clientEnd.release();
    const end = await server.take("file-end");
    assert.deepEqual(end.sha256, sha256(data));
    assert.equal(chunkBytes(server.received, 6), data.length);
    await client.close();
    await assert.rejects(outgoing.delivered, { code: ErrorCode.ConnectionLost });
  });

  it("downloads a file the server sends through the chunk sender, granting window as it stores", async () => {
    const store = new MemoryStore();
    const { client, server } = await joined({ files: { hasher: sha256Hasher, store } });
    const events = eventsOf(client);
    const data = pattern(DOWNLOAD_WINDOW_BYTES + 2 * FILE_CHUNK_BYTES + 7, 3);
    const id = 7;
    const download: SentFile = { offset: 0, credit: DOWNLOAD_WINDOW_BYTES, queued: false };
    let granted = 0;
    let ended = false;
    const pauses: number[] = [];
    const sender = new ChunkSender({
      direction: "down",
      link: {
        bulkReady: () => server.end.bufferedBytes < FILE_CHUNK_BYTES,
        writeBulk: (header, chunk) => {
          server.end.write(header);
          server.end.write(chunk);
        },
      },
      files: {
        id: () => id,
        live: () => true,
        readable: () => data.length,
        endable: () => !ended,
        read: async (_, offset, length) => data.subarray(offset, offset + length),
        sent: (file) =>
          assert.ok(file.offset <= DOWNLOAD_WINDOW_BYTES + granted, "within the window granted"),
        end: () => {
          ended = true;
          server.send({ type: "file-end", id, sha256: sha256(data) });
        },
        paused: (file) => pauses.push(file.offset),
        unreadable: (_, error) => assert.fail(error),
      },
    });
    server.end.onDrain?.(() => sender.wake());
    server.onMessage = (m) => {
      if (m.type !== "file-window") return;
      assert.equal(m.id, id);
      granted += m.bytes;
      download.credit += m.bytes;
      sender.ready(download);
    };
    server.send({
      type: "file-offered",
      id,
      from: "bob",
      name: "down.bin",
      size: data.length,
      offset: 0,
      requested: false,
      room: "#lobby",
    });
    sender.ready(download);
    await server.until(() => pauses.length > 0, "a full window");
    assert.deepEqual(pauses, [DOWNLOAD_WINDOW_BYTES], "the store has taken nothing: no grant");
    await delay(20);
    assert.equal(granted, 0);
    store.release();
    const received = await server.take("file-received");
    assert.deepEqual(received, { type: "file-received", id, ok: true, reason: "" });
    assert.deepEqual(store.saved.get("down.bin"), Buffer.from(data));
    const grants = server.received.filter((m) => m.type === "file-window");
    assert.ok(
      grants.every((g) => g.type === "file-window" && g.bytes >= DOWNLOAD_WINDOW_BYTES / 4),
      "grants come a quarter window at a time",
    );
    assert.ok(
      events.some((e) => e.type === "download-saved" && e.path === "memory/down.bin"),
      "the client says where it saved the file",
    );
    await client.close();
  });

  it("declines an offered file when it has nowhere to store it", async () => {
    const { client, server } = await joined({ files: { hasher: sha256Hasher } });
    server.send(offered(7));
    const cancel = await server.take("file-cancel");
    assert.deepEqual(cancel, {
      type: "file-cancel",
      id: 7,
      reason: "declined: this client does not take files",
    });
    await client.close();
  });

  it("neither takes nor declines a file fetched elsewhere, and passes its notices on", async () => {
    const { client, server } = await joined({
      files: { hasher: sha256Hasher, fetchedElsewhere: true },
    });
    const events: ServerMessage[] = [];
    client.on("server", (m) => events.push(m));
    server.send(offered(7), {
      type: "file-verified",
      id: 7,
      from: "bob",
      name: "notes.txt",
      size: 5,
      ok: true,
      reason: "",
      senderHash: true,
      room: "#lobby",
    });
    await server.until(() => events.length === 2, "the notices");
    // A decline would have left as the offer came, before this request.
    const who = client.send({ type: "who", room: "" });
    const { seq } = await server.take("who");
    server.send({ type: "who-list", seq, users: [], room: "" }, { type: "ack", seq });
    await who;
    assert.deepEqual(
      server.received.map((m) => m.type),
      ["hello", "who"],
    );
    assert.deepEqual(
      events.map((m) => m.type),
      ["file-offered", "file-verified", "who-list"],
    );
    await client.close();
  });

  it("closes once what is queued has gone, and rejects what the server did not confirm", async () => {
    const { client, server } = await joined();
    const disconnected = new Promise((resolve) => client.once("disconnected", resolve));
    const said = client.send({ type: "say", text: "last words" });
    await client.close();
    assert.equal((await server.take("say")).text, "last words");
    assert.equal(await server.closed(), "connection closed");
    await assert.rejects(said, { code: ErrorCode.ConnectionLost });
    assert.deepEqual(await disconnected, { reason: "connection closed", retryInMs: undefined });
  });
});

function offered(id: number): ServerMessage {
  return {
    type: "file-offered",
    id,
    from: "bob",
    name: "notes.txt",
    size: 5,
    offset: 0,
    requested: false,
    room: "#lobby",
  };
}
