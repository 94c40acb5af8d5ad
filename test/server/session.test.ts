// One session per connection, in-process over a memory connection: requests
// handled strictly in order, chat lines acknowledged and delivered only once
// stored, consecutive lines pipelined into one commit while anything else
// waits for them, input paused meanwhile, store failures refused line by
// line, the rate limit, and a handler's failure costing only its own session.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { StoreWriteError } from "../../src/store/store.js";
import { HeldStore } from "../helpers/held-store.js";
import { serverPerTest } from "../helpers/server-context.js";

const say = (seq: number, text: string) => ({ type: "say", seq, text }) as const;

/** The answers a client got, as "ack 1", "error 2 CODE", "who-list 3", "room 4 #dev". */
function answers(received: readonly ServerMessage[]): string[] {
  return received.flatMap((m) => {
    switch (m.type) {
      case "ack":
        return [`ack ${m.seq}`];
      case "error":
        return [`error ${m.seq} ${m.code}`];
      case "who-list":
        return [`who-list ${m.seq}`];
      case "room":
        return [`room ${m.seq} ${m.name}`];
      default:
        return [];
    }
  });
}

describe("Session", () => {
  const start = serverPerTest();

  describe("hello", () => {
    it("is answered with a welcome naming the nickname, the server, the size limit and the room", async () => {
      const server = await start({ config: { serverName: "test-server", maxMessageBytes: 1000 } });
      const ana = await server.join("ana");
      assert.deepEqual(ana.received[0], {
        type: "welcome",
        nick: "ana",
        server: "test-server",
        maxMessageBytes: 1000,
        room: "#lobby",
      });
      assert.ok(server.context.rooms.defaultRoom.members.has(ana.session));
    });

    it("must come first: any other request before it is refused with CHAT_ERR_NOT_JOINED", async () => {
      const server = await start();
      const ana = server.connect();
      ana.send({ type: "who", seq: 1 });
      ana.send(say(2, "too early"));
      ana.send({ type: "hello", nick: "ana", client: "test" });
      await ana.waitFor((m) => m.type === "welcome");
      assert.deepEqual(answers(ana.received), [
        `error 1 ${ErrorCode.NotJoined}`,
        `error 2 ${ErrorCode.NotJoined}`,
      ]);
      assert.deepEqual(server.store.latest("#lobby", 10), []);
    });

    it("a second hello takes the nickname it asks for and is welcomed anew", async () => {
      const server = await start();
      const ana = await server.join("");
      assert.equal(ana.nick, "guest");
      ana.send({ type: "hello", nick: "ana", client: "test" });
      await ana.waitFor((m) => m.type === "welcome" && m.nick === "ana");
      assert.equal(server.context.directory.find("guest"), undefined);
      assert.equal(server.context.directory.find("ana"), ana.session);
    });
  });

  describe("chat lines", () => {
    it("a line is acknowledged, and reaches the others, only once it is stored", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.send(say(1, "hello"));
      await hold.appended(1);
      // Anything the server sent ana or ben before ben's ping was handled has arrived by its pong.
      await ben.roundTrip();
      assert.deepEqual(answers(ana.received), []);
      assert.deepEqual(ben.lines, []);
      hold.release();
      await ana.acked(1);
      assert.deepEqual(
        server.store.latest("#lobby", 10).map((l) => l.text),
        ["hello"],
      );
      await ben.waitFor((m) => m.type === "message" && m.text === "hello");
    });

    it("lines of one read are all taken while the first is being stored, and acknowledged in order", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.read(
        say(1, "one"),
        { type: "action", seq: 2, text: "two" },
        { type: "private", seq: 3, to: "ben", text: "three" },
        say(4, "four"),
      );
      const held = await hold.appended(4);
      assert.deepEqual(
        held.map((l) => l.text),
        ["one", "two", "three", "four"],
      );
      assert.ok(held.every((l, i) => i === 0 || l.id > (held[i - 1]?.id ?? 0)));
      hold.release();
      await ana.acked(4);
      assert.deepEqual(answers(ana.received), ["ack 1", "ack 2", "ack 3", "ack 4"]);
      await ben.waitFor((m) => m.type === "message" && m.text === "four");
      assert.deepEqual(
        ben.lines.map((l) => `${l.kind} ${l.text}`),
        ["say one", "action two", "private three", "say four"],
      );
    });

    it("a request behind lines is handled only once they are stored, after their acks", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.read(
        say(1, "one"),
        say(2, "two"),
        { type: "who", seq: 3 },
        { type: "join", seq: 4, room: "#dev" },
      );
      await hold.appended(2);
      await ben.roundTrip();
      assert.deepEqual(answers(ana.received), []);
      assert.equal(server.context.rooms.get("#dev"), undefined);
      hold.release();
      await ana.acked(4);
      assert.deepEqual(answers(ana.received), [
        "ack 1",
        "ack 2",
        "who-list 3",
        "ack 3",
        "room 4 #dev",
        "ack 4",
      ]);
      // The lines were handled before the join, so they went to the lobby.
      assert.deepEqual(
        server.store.latest("#lobby", 10).map((l) => l.text),
        ["one", "two"],
      );
    });

    it("a line behind such a request waits for it, and is not stored with the lines before", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.read(say(1, "one"), { type: "who", seq: 2 }, say(3, "three"));
      await hold.appended(1);
      await ben.roundTrip();
      assert.deepEqual(
        hold.lines.map((l) => l.text),
        ["one"],
      );
      hold.release();
      await ana.acked(3);
      assert.deepEqual(answers(ana.received), ["ack 1", "who-list 2", "ack 2", "ack 3"]);
    });

    it("input stays paused while lines are being stored, and resumes after", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      assert.equal(ana.connection.inputPaused, false);
      const hold = store.hold();
      ana.send(say(1, "one"));
      await hold.appended(1);
      assert.equal(ana.connection.inputPaused, true);
      // A ping skips every queue: unanswered, it was never read.
      ana.send({ type: "ping", token: 77 });
      ana.send({ type: "who", seq: 2 });
      await ben.roundTrip();
      assert.equal(
        ana.received.some((m) => m.type === "pong"),
        false,
      );
      assert.deepEqual(answers(ana.received), []);
      hold.release();
      await ana.answer(2);
      await ana.waitFor((m) => m.type === "pong" && m.token === 77);
      assert.deepEqual(answers(ana.received), ["ack 1", "who-list 2", "ack 2"]);
      assert.equal(ana.connection.inputPaused, false);
    });

    it("a failed commit refuses each of its lines with CHAT_ERR_NOT_STORED; nobody sees them, and the session goes on", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.read(say(1, "lost one"), say(2, "lost two"));
      await hold.appended(2);
      hold.fail(new StoreWriteError("the disk holding the database is full", true));
      for (const seq of [1, 2]) {
        const answer = await ana.answer(seq);
        assert.equal(answer.type, "error");
        assert.equal(answer.code, ErrorCode.NotStored);
        assert.match(answer.message, /not sent.*disk is full/);
      }
      ana.send(say(3, "after"));
      await ana.acked(3);
      await ben.waitFor((m) => m.type === "message" && m.text === "after");
      assert.deepEqual(
        ben.lines.map((l) => l.text),
        ["after"],
      );
      const cy = await server.join("cy");
      assert.deepEqual(
        cy.lines.map((l) => l.text),
        ["after"],
      );
    });

    it("a commit failing otherwise says why in the refusal", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const hold = store.hold();
      ana.send({ type: "private", seq: 1, to: "ana", text: "note to self" });
      await hold.appended(1);
      hold.fail(new StoreWriteError("writing the database failed: disk I/O error", false));
      const answer = await ana.answer(1);
      assert.equal(answer.type === "error" && answer.code, ErrorCode.NotStored);
      assert.match(answer.type === "error" ? answer.message : "", /disk I\/O error/);
    });

    it("the rate limit holds back lines past the burst, pipelined or not", async () => {
      // The hello takes one of the three tokens; a token comes back every 200 ms.
      const server = await start({ config: { rateLimit: 5, rateBurst: 3 } });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const started = Date.now();
      ana.read(say(1, "one"), say(2, "two"), say(3, "three"));
      await ana.acked(2);
      await ben.roundTrip();
      assert.deepEqual(answers(ana.received), ["ack 1", "ack 2"]);
      assert.equal(ana.connection.inputPaused, true);
      await ana.acked(3);
      assert.ok(Date.now() - started >= 100, `the third line took ${Date.now() - started} ms`);
      await ben.waitFor((m) => m.type === "message" && m.text === "three");
      assert.deepEqual(
        ben.lines.map((l) => l.text),
        ["one", "two", "three"],
      );
    });
  });

  describe("failures", () => {
    it("an unexpected error while storing ends that session only, with CHAT_ERR_INTERNAL", async (t) => {
      const logged = t.mock.method(console, "error", () => {});
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      const hold = store.hold();
      ana.send(say(1, "boom"));
      await hold.appended(1);
      hold.fail(new Error("a bug, not a write error"));
      const bye = await ana.waitFor((m) => m.type === "bye");
      assert.equal(bye.type === "bye" && bye.code, ErrorCode.Internal);
      await ben.waitFor((m) => m.type === "left" && m.nick === "ana");
      assert.equal(logged.mock.callCount(), 1);
      ben.send(say(1, "we carry on"));
      await ben.acked(1);
      await cy.waitFor((m) => m.type === "message" && m.text === "we carry on");
      assert.equal(server.context.directory.find("ana"), undefined);
    });

    it("a handler that throws ends that session only, and takes it out of its rooms", async (t) => {
      const logged = t.mock.method(console, "error", () => {});
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      store.readsFail = new Error("the history cannot be read");
      ana.send({ type: "join", seq: 1, room: "#dev" });
      await ana.waitFor((m) => m.type === "bye" && m.code === ErrorCode.Internal);
      store.readsFail = undefined;
      await ben.waitFor((m) => m.type === "left" && m.nick === "ana");
      assert.equal(logged.mock.callCount(), 1);
      assert.equal(server.context.rooms.get("#dev"), undefined);
      ben.send({ type: "who", seq: 2 });
      const who = await ben.waitFor((m) => m.type === "who-list");
      assert.deepEqual(who.type === "who-list" && who.users.map((u) => u.nick), ["ben"]);
    });

    it("too many invalid inputs in a row end the session; a valid one in between resets the count", async () => {
      const server = await start({ config: { maxConsecutiveErrors: 3 } });
      const ana = await server.join("ana");
      const malformed = () => new ProtocolError(ErrorCode.Malformed, "a frame that makes no sense");
      ana.connection.invalid(malformed());
      ana.connection.invalid(malformed());
      ana.send({ type: "who", seq: 1 });
      await ana.answer(1);
      ana.connection.invalid(malformed());
      ana.connection.invalid(malformed());
      await ana.roundTrip();
      assert.equal(
        ana.received.some((m) => m.type === "bye"),
        false,
      );
      ana.connection.invalid(malformed());
      const bye = await ana.waitFor((m) => m.type === "bye");
      assert.equal(bye.type === "bye" && bye.code, ErrorCode.TooManyErrors);
      assert.equal(ana.all("error").length, 5);
    });

    it("unknown commands are refused but never end the session", async () => {
      const server = await start({ config: { maxConsecutiveErrors: 3 } });
      const ana = await server.join("ana");
      for (let i = 0; i < 6; i++) {
        ana.connection.invalid(new ProtocolError(ErrorCode.UnknownCommand, "unknown command /x"));
      }
      await ana.roundTrip();
      assert.equal(ana.all("error").length, 6);
      assert.equal(
        ana.received.some((m) => m.type === "bye"),
        false,
      );
    });
  });
});
