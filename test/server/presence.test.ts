// Coming and going through sessions: arrivals, leaving a room, leaving the
// server (told once to everyone who shared a room), renames, the presence
// limit, /who, private lines, and the diagnostics channels the console log
// reads.

import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import {
  joinChannel,
  leaveChannel,
  messageChannel,
  renameChannel,
} from "../../src/server/diagnostics.js";
import { HeldStore } from "../helpers/held-store.js";
import { serverPerTest, type TestClient } from "../helpers/server-context.js";

/** Presence as a client hears it: "joined ben #lobby", "left ben #dev (why)", "renamed a b". */
function presence(received: readonly ServerMessage[]): string[] {
  return received.flatMap((m) => {
    switch (m.type) {
      case "joined":
        return [`joined ${m.nick} ${m.room}`];
      case "left":
        return [`left ${m.nick} ${m.room || '""'} (${m.reason})`];
      case "renamed":
        return [`renamed ${m.from} ${m.to}`];
      default:
        return [];
    }
  });
}

async function joinRoom(client: TestClient, seq: number, room: string): Promise<void> {
  client.send({ type: "join", seq, room });
  await client.acked(seq);
}

async function partRoom(client: TestClient, seq: number, room: string): Promise<void> {
  client.send({ type: "part", seq, room, reason: "" });
  await client.acked(seq);
}

describe("presence", () => {
  const start = serverPerTest();

  describe("arrival", () => {
    it("tells each arrival to everyone already in the lobby, not to the one arriving", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await ana.waitFor((m) => m.type === "joined" && m.nick === "cy");
      await ben.waitFor((m) => m.type === "joined" && m.nick === "cy");
      await cy.roundTrip();
      assert.deepEqual(presence(ana.received), ["joined ben #lobby", "joined cy #lobby"]);
      assert.deepEqual(presence(ben.received), ["joined cy #lobby"]);
      assert.deepEqual(presence(cy.received), []);
    });

    it("welcomes each under a nickname of its own, with suffixes, without regard to case", async () => {
      const server = await start();
      const nicks: string[] = [];
      for (const wanted of ["ana", "Ana", "ANA", "You", ""])
        nicks.push((await server.join(wanted)).nick);
      assert.deepEqual(nicks, ["ana", "Ana-2", "ANA-3", "guest", "guest-2"]);
    });
  });

  describe("leaving the server", () => {
    it("quit is acknowledged, the quitter bid goodbye, and co-members told once with the reason", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joinRoom(ana, 1, "#dev");
      await joinRoom(ben, 1, "#dev");
      ana.send({ type: "quit", seq: 2, reason: "lunch" });
      await ana.connection.peer.closed;
      const bye = ana.received.at(-1);
      assert.deepEqual(bye, { type: "bye", code: ErrorCode.Quit, reason: "quit: lunch" });
      assert.ok(ana.all("ack").some((a) => a.seq === 2));
      await ben.waitFor((m) => m.type === "left");
      await ben.roundTrip();
      assert.deepEqual(
        presence(ben.received).filter((p) => p.startsWith("left")),
        ['left ana "" (quit: lunch)'],
      );
      assert.equal(server.context.directory.find("ana"), undefined);
      assert.equal(server.context.rooms.get("#dev")?.members.size, 1);
    });

    it("a closed connection is told, once, to those who shared any room with it, and to nobody else", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joinRoom(ana, 1, "#dev");
      await joinRoom(ben, 1, "#dev");
      await joinRoom(cy, 1, "#elsewhere");
      await partRoom(cy, 2, "#lobby");
      ana.connection.peer.close("ECONNRESET");
      await ben.waitFor((m) => m.type === "left" && m.nick === "ana");
      await cy.roundTrip();
      await ben.roundTrip();
      assert.deepEqual(
        presence(ben.received).filter((p) => p.startsWith("left ana")),
        ['left ana "" (ECONNRESET)'],
      );
      assert.deepEqual(
        presence(cy.received).filter((p) => p.includes("ana")),
        [],
      );
    });

    it("frees the nickname and empties the rooms only the leaver was in", async () => {
      const server = await start();
      const ana = await server.join("ana");
      await joinRoom(ana, 1, "#mine");
      await ana.close();
      assert.equal(server.context.rooms.get("#mine"), undefined);
      assert.equal((await server.join("ana")).nick, "ana");
    });
  });

  describe("leaving a room", () => {
    it("part tells the room and the one leaving, with the reason", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joinRoom(ana, 1, "#dev");
      await joinRoom(ben, 1, "#dev");
      ana.send({ type: "part", seq: 2, room: "#DEV", reason: "enough" });
      await ana.acked(2);
      await ben.waitFor((m) => m.type === "left");
      await cy.roundTrip();
      assert.deepEqual(presence(ana.received).at(-1), "left ana #dev (enough)");
      assert.deepEqual(presence(ben.received).at(-1), "left ana #dev (enough)");
      assert.deepEqual(
        presence(cy.received).filter((p) => p.startsWith("left")),
        [],
      );
      assert.equal(server.context.rooms.get("#dev")?.members.has(ana.session), false);
    });
  });

  describe("the presence limit", () => {
    it("arrivals and departures are told only while the room holds at most the limit", async () => {
      const server = await start({ config: { presenceLimit: 2 } });
      const a = await server.join("a");
      const b = await server.join("b");
      const c = await server.join("c");
      await c.close();
      await b.close();
      await a.waitFor((m) => m.type === "left" && m.nick === "b");
      assert.deepEqual(presence(a.received), ["joined b #lobby", 'left b "" (connection closed)']);
    });

    it("holds for joining and parting other rooms too", async () => {
      const server = await start({ config: { presenceLimit: 2 } });
      const [a, b, c] = [await server.join("a"), await server.join("b"), await server.join("c")];
      for (const client of [a, b, c]) await joinRoom(client, 1, "#dev");
      await partRoom(c, 2, "#dev");
      await partRoom(b, 2, "#dev");
      await a.waitFor((m) => m.type === "left" && m.nick === "b");
      assert.deepEqual(
        presence(a.received).filter((p) => p.includes("#dev")),
        ["joined b #dev", "left b #dev ()"],
      );
      // The one leaving a crowd still hears that it left.
      assert.deepEqual(
        presence(c.received).filter((p) => p.startsWith("left")),
        ["left c #dev ()"],
      );
    });
  });

  describe("rename", () => {
    it("is told to the renamer and everyone sharing a room, once each, and to nobody else", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joinRoom(ana, 1, "#dev");
      await joinRoom(ben, 1, "#dev");
      await joinRoom(cy, 1, "#elsewhere");
      await partRoom(cy, 2, "#lobby");
      ana.send({ type: "nick", seq: 3, nick: "anya" });
      await ana.acked(3);
      await ben.waitFor((m) => m.type === "renamed");
      await ben.roundTrip();
      await cy.roundTrip();
      for (const told of [ana, ben]) {
        assert.deepEqual(
          presence(told.received).filter((p) => p.startsWith("renamed")),
          ["renamed ana anya"],
          told.nick,
        );
      }
      assert.deepEqual(
        presence(cy.received).filter((p) => p.startsWith("renamed")),
        [],
      );
      assert.equal(ana.nick, "anya");
      ana.send({ type: "say", seq: 4, text: "hi" });
      const line = await ben.waitFor((m) => m.type === "message");
      assert.equal(line.type === "message" && line.from, "anya");
    });

    it("refuses a nickname someone else holds in another case, and an invalid one, telling nobody", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("Ben");
      ana.send({ type: "nick", seq: 1, nick: "bEN" });
      ana.send({ type: "nick", seq: 2, nick: "two words" });
      ana.send({ type: "nick", seq: 3, nick: "server" });
      const answers = [await ana.answer(1), await ana.answer(2), await ana.answer(3)];
      assert.deepEqual(
        answers.map((a) => a.type === "error" && a.code),
        [ErrorCode.NickTaken, ErrorCode.BadNick, ErrorCode.BadNick],
      );
      await ben.roundTrip();
      assert.deepEqual(presence(ben.received), []);
      assert.equal(ana.nick, "ana");
    });

    it("a change of case of one's own nickname is a rename; the same nickname is none", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      ana.send({ type: "nick", seq: 1, nick: "ana" });
      ana.send({ type: "nick", seq: 2, nick: "Ana" });
      await ana.acked(2);
      await ben.waitFor((m) => m.type === "renamed");
      assert.deepEqual(presence(ana.received), ["joined ben #lobby", "renamed ana Ana"]);
      assert.deepEqual(presence(ben.received), ["renamed ana Ana"]);
      assert.equal(server.context.directory.find("ANA"), ana.session);
    });
  });

  describe("who", () => {
    it("lists everyone on the server, sorted, with idle time from their last line, and only the asker's address", async () => {
      const server = await start();
      const ben = await server.join("ben", { connection: { remoteAddress: "[::1]:2" } });
      const ana = await server.join("ana", { connection: { remoteAddress: "127.0.0.1:1" } });
      await joinRoom(ben, 1, "#elsewhere");
      await partRoom(ben, 2, "#lobby");
      ana.session.lastActive = 0;
      ben.session.lastActive = 0;
      ben.send({ type: "say", seq: 3, text: "back" });
      await ben.acked(3);
      ana.send({ type: "who", seq: 1 });
      const who = await ana.waitFor((m) => m.type === "who-list");
      assert.equal(who.type, "who-list");
      assert.deepEqual(
        who.users.map((u) => [u.nick, u.address]),
        [
          ["ana", "127.0.0.1:1"],
          ["ben", ""],
        ],
      );
      assert.ok((who.users[0]?.idleSeconds ?? 0) > 1_000_000, "ana never spoke");
      assert.ok((who.users[1]?.idleSeconds ?? Infinity) < 60, "ben just spoke");
      await ana.acked(1);
    });
  });

  describe("private lines", () => {
    it("reach the recipient, found without regard to case and named as it is called, and nobody else", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("Ben");
      const cy = await server.join("cy");
      ana.send({ type: "private", seq: 1, to: "BEN", text: "psst" });
      await ana.acked(1);
      const line = await ben.waitFor((m) => m.type === "message");
      assert.equal(line.type, "message");
      assert.deepEqual(
        { kind: line.kind, from: line.from, to: line.to, text: line.text, room: line.room },
        { kind: "private", from: "ana", to: "Ben", text: "psst", room: "" },
      );
      await cy.roundTrip();
      assert.deepEqual(cy.lines, []);
      assert.deepEqual(ana.lines, []);
    });

    it("to a nickname nobody holds (or no longer) is refused with CHAT_ERR_NO_SUCH_NICK and kept nowhere", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await ben.close();
      ana.send({ type: "private", seq: 1, to: "zed", text: "hello?" });
      ana.send({ type: "private", seq: 2, to: "ben", text: "hello?" });
      for (const seq of [1, 2]) {
        const answer = await ana.answer(seq);
        assert.equal(answer.type === "error" && answer.code, ErrorCode.NoSuchNick);
      }
      const first = await ana.answer(1);
      assert.match(first.type === "error" ? first.message : "", /zed/);
      assert.deepEqual(server.store.latest("ana zed", 10), []);
      assert.deepEqual(server.store.latest("ana ben", 10), []);
    });

    it("go to the person addressed even if they rename before the line is stored", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.send({ type: "private", seq: 1, to: "ben", text: "for ben's eyes only" });
      await hold.appended(1);
      ben.send({ type: "nick", seq: 1, nick: "benny" });
      await ben.acked(1);
      const impostor = await server.join("ben");
      hold.release();
      await ana.acked(1);
      await impostor.roundTrip();
      await ben.roundTrip();
      const texts = (client: TestClient) => client.lines.map((l) => l.text);
      assert.deepEqual(
        { benny: texts(ben), newcomer: texts(impostor) },
        { benny: ["for ben's eyes only"], newcomer: [] },
      );
    });
  });

  describe("diagnostics channels", () => {
    it("report arrivals, public lines, renames and departures, never private lines", async () => {
      const events: string[] = [];
      const listeners = [
        [joinChannel, (e: unknown) => events.push(`join ${(e as { nick: string }).nick}`)],
        [messageChannel, (e: unknown) => events.push(`message ${(e as { text: string }).text}`)],
        [renameChannel, (e: unknown) => events.push(`rename ${(e as { to: string }).to}`)],
        [
          leaveChannel,
          (e: unknown) => {
            const { nick, reason } = e as { nick: string; reason: string };
            events.push(`leave ${nick} (${reason})`);
          },
        ],
      ] as const;
      for (const [channel, listener] of listeners) subscribe(channel.name, listener);
      try {
        const server = await start();
        const ana = await server.join("ana", { connection: { remoteAddress: "10.1.1.1:5" } });
        const ben = await server.join("ben");
        ana.send({ type: "say", seq: 1, text: "public" });
        ana.send({ type: "private", seq: 2, to: "ben", text: "secret" });
        ana.send({ type: "nick", seq: 3, nick: "anya" });
        ana.send({ type: "quit", seq: 4, reason: "done" });
        await ben.waitFor((m) => m.type === "left");
      } finally {
        for (const [channel, listener] of listeners) unsubscribe(channel.name, listener);
      }
      assert.deepEqual(events, [
        "join ana",
        "join ben",
        "message public",
        "rename anya",
        "leave anya (quit: done)",
      ]);
    });
  });
});
