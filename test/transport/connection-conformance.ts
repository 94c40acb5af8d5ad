// What every Connection promises the server, run against each implementation
// over an in-memory pair: one suite, so that a test double (the memory
// connection) and the real thing (a byte stream with a codec) keep one
// contract, and tests of the server over the double hold for the real thing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, type ProtocolError } from "../../src/protocol/errors.js";
import { fileChunkHeader, type ServerMessage } from "../../src/protocol/messages.js";
import { renderServerMessage } from "../../src/protocol/render.js";
import type { Connection, ConnectionHandler, Inbound } from "../../src/transport/connection.js";
import { eventually } from "../helpers/eventually.js";

/** The far end of a connection under test, driven as its kind of client would drive it. */
export interface TestPeer {
  /** Sends the server the chat line `text`. */
  say(text: string): void;
  /** Answers ping `token`; asked only of peers whose connection claims heartbeats. */
  pong(token: number): void;
  /** What the peer has heard, a line at a time: see `heardAs`. */
  readonly heard: readonly string[];
  stopReading(): void;
  startReading(): void;
  close(): void;
  /** Resolves once the peer has seen the connection close. */
  readonly gone: Promise<void>;
}

export interface OpenedPair {
  readonly connection: Connection;
  readonly peer: TestPeer;
}

/** Opens a connection attached to `recorder`, resolving once its protocol is settled. */
export type OpenPair = (
  recorder: Recorder,
  options: { closeGraceMs: number },
) => Promise<OpenedPair>;

/**
 * A message as a peer's lines: as a text client shows it; one that shows as
 * nothing (an ack, a ping, file data) by its type, and its seq when it has one.
 */
export function heardAs(message: ServerMessage): string[] {
  const lines = renderServerMessage(message);
  if (lines.length > 0) return lines;
  return ["seq" in message ? `[${message.type} ${message.seq}]` : `[${message.type}]`];
}

/** The server's side: everything the connection hands it. */
export class Recorder implements ConnectionHandler {
  readonly messages: Inbound[] = [];
  readonly errors: ProtocolError[] = [];
  readonly closes: string[] = [];
  drains = 0;

  /** The chat lines the peer said, in the order they arrived. */
  get said(): string[] {
    return this.messages.flatMap((m) => (m.type === "say" ? [m.text] : []));
  }

  message(message: Inbound): void {
    this.messages.push(message);
  }

  invalid(error: ProtocolError): void {
    this.errors.push(error);
  }

  drain(): void {
    this.drains += 1;
  }

  closed(cause: string): void {
    this.closes.push(cause);
  }
}

const notice = (text: string): ServerMessage => ({ type: "notice", text });
const bye: ServerMessage = { type: "bye", code: ErrorCode.Shutdown, reason: "done" };

/** Enough turns for anything in flight in memory to land. */
const SETTLE_MS = 30;

async function opened(open: OpenPair, closeGraceMs = 10_000) {
  const recorder = new Recorder();
  const { connection, peer } = await open(recorder, { closeGraceMs });
  return { recorder, connection, peer };
}

function heard(peer: TestPeer, count: number): Promise<readonly string[]> {
  return eventually(
    () => (peer.heard.length >= count ? peer.heard : undefined),
    `${count} lines; heard ${JSON.stringify(peer.heard.slice(-3))}`,
  );
}

/**
 * `claims`: what the implementation under test says its peer can do; the
 * suite checks the connection says the same, and tests each claim made.
 */
export function connectionConformance(
  name: string,
  open: OpenPair,
  claims: { heartbeat: boolean; files: boolean },
): void {
  describe(`${name}: the Connection contract`, () => {
    it("claims the capabilities of its kind of peer", async () => {
      const { connection, peer } = await opened(open);
      assert.equal(connection.capabilities.heartbeat, claims.heartbeat);
      assert.equal(connection.capabilities.files, claims.files);
      peer.close();
    });

    it("delivers what is sent, in order", async () => {
      const { connection, peer } = await opened(open);
      for (const text of ["one", "two", "three"]) connection.send(notice(text));
      assert.deepEqual(await heard(peer, 3), ["* one", "* two", "* three"]);
      peer.close();
    });

    it("hands on what the peer sends, in order", async () => {
      const { recorder, peer } = await opened(open);
      for (const text of ["one", "two", "three"]) peer.say(text);
      await eventually(() => (recorder.said.length >= 3 ? true : undefined), "three lines");
      assert.deepEqual(recorder.said, ["one", "two", "three"]);
      peer.close();
    });

    it("confirms in order with what is sent, and acks by seq only for a peer that numbers requests", async () => {
      const { connection, peer } = await opened(open);
      connection.send(notice("before"));
      connection.confirm({ type: "say", seq: 7, text: "hi" });
      connection.send(notice("after"));
      const expected = connection.capabilities.numberedRequests
        ? ["* before", "[ack 7]", "* after"]
        : ["* before", "* after"];
      assert.deepEqual(await heard(peer, expected.length), expected);
      await sleep(SETTLE_MS);
      assert.deepEqual(peer.heard, expected);
      peer.close();
    });

    if (claims.heartbeat) heartbeats(open);
    if (claims.files) bulkFileData(open);
    it("holds the peer's input while paused, and hands all of it on when resumed", async () => {
      const { recorder, connection, peer } = await opened(open);
      connection.pauseInput();
      for (const text of ["one", "two", "three"]) peer.say(text);
      await sleep(SETTLE_MS);
      assert.deepEqual(recorder.said, []);
      connection.resumeInput();
      await eventually(() => (recorder.said.length >= 3 ? true : undefined), "three lines");
      assert.deepEqual(recorder.said, ["one", "two", "three"]);
      peer.close();
    });

    it("counts bytes not yet sent while the peer does not read, and drains once it does", async () => {
      const { recorder, connection, peer } = await opened(open);
      assert.equal(connection.queuedBytes, 0);
      peer.stopReading();
      const line = "x".repeat(1000);
      let sent = 0;
      // Until what was sent is still waiting a turn later: whatever buffers lie between are full.
      do {
        for (let i = 0; i < 64; i++) connection.send(notice(`${sent++} ${line}`));
        assert.ok(connection.queuedBytes > 0);
        await new Promise((resolve) => setImmediate(resolve));
        assert.ok(sent < 100_000, "the peer's not reading never held anything back");
      } while (connection.queuedBytes < 64 * 1024);
      peer.startReading();
      await eventually(() => (recorder.drains > 0 ? true : undefined), "drain");
      const lines = await heard(peer, sent);
      assert.equal(connection.queuedBytes, 0);
      assert.deepEqual(
        lines.map((l) => Number(l.slice(2, l.indexOf(" ", 2)))),
        Array.from({ length: sent }, (_, i) => i),
      );
      peer.close();
    });

    it("ends with `last` after everything queued, then closes once, with a cause", async () => {
      const { recorder, connection, peer } = await opened(open);
      connection.send(notice("one"));
      connection.send(notice("two"));
      connection.end(bye);
      connection.send(notice("too late"));
      connection.end(notice("also too late"));
      await peer.gone;
      await eventually(() => recorder.closes[0], "closed");
      await sleep(SETTLE_MS);
      assert.deepEqual(peer.heard, ["* one", "* two", "* disconnected by server: done"]);
      assert.equal(recorder.closes.length, 1);
      assert.ok(recorder.closes[0] !== "");
    });

    it("closes after the grace period a peer that stops reading as it ends", async () => {
      const { recorder, connection, peer } = await opened(open, 50);
      peer.stopReading();
      connection.end(bye);
      await eventually(() => recorder.closes[0], "closed", 2000);
      peer.startReading();
      await peer.gone;
      await sleep(SETTLE_MS);
      assert.equal(recorder.closes.length, 1);
    });

    it("ignores what the peer sends once ending", async () => {
      const { recorder, connection, peer } = await opened(open);
      peer.say("before");
      await eventually(() => (recorder.said.length > 0 ? true : undefined), "the first line");
      connection.end();
      peer.say("after");
      await eventually(() => recorder.closes[0], "closed");
      assert.deepEqual(recorder.said, ["before"]);
    });

    it("hears the peer close, once, with a cause", async () => {
      const { recorder, connection, peer } = await opened(open);
      peer.close();
      const cause = await eventually(() => recorder.closes[0], "closed");
      assert.ok(cause !== "");
      connection.send(notice("to nobody"));
      connection.end(bye);
      await sleep(SETTLE_MS);
      assert.equal(recorder.closes.length, 1);
    });
  });
}

function heartbeats(open: OpenPair): void {
  it("pings and hears the pong of a peer that claims heartbeats", async () => {
    const { recorder, connection, peer } = await opened(open);
    connection.send({ type: "ping", token: 5 });
    assert.deepEqual(await heard(peer, 1), ["[ping]"]);
    peer.pong(5);
    const pong = await eventually(
      () => recorder.messages.find((m) => m.type === "pong"),
      "the pong",
    );
    assert.deepEqual(pong, { type: "pong", token: 5 });
    peer.close();
  });
}

function bulkFileData(open: OpenPair): void {
  it("sends file data in bulk, in order with what is sent, to a peer that claims files", async () => {
    const { connection, peer } = await opened(open);
    const data = Uint8Array.of(1, 2, 3);
    connection.send(notice("before"));
    connection.sendBulk(fileChunkHeader("down", 1, 0, data.length), data);
    connection.send(notice("after"));
    assert.deepEqual(await heard(peer, 3), ["* before", "[file-chunk]", "* after"]);
    peer.close();
  });
}
