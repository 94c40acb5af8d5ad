// Rooms and their history through sessions: the replay on joining (and a line
// posted as someone joins, seen exactly once), /history pages of rooms and of
// private conversations, parting, lines addressed to rooms, topics, and the
// errors for rooms that are not there or not joined.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { ClientMessage, ServerMessage } from "../../src/protocol/messages.js";
import { HeldStore } from "../helpers/held-store.js";
import { serverPerTest, type TestClient } from "../helpers/server-context.js";

/** What a client received, briefly: "message #dev one (replayed)", "history-end 0 #dev 3 more". */
function brief(received: readonly ServerMessage[]): string[] {
  return received.flatMap((m) => {
    switch (m.type) {
      case "message":
        return [`message ${m.room || m.to} ${m.text}${m.replayed ? " (replayed)" : ""}`];
      case "history-end":
        return [`history-end ${m.seq} ${m.target} ${m.count}${m.more ? " more" : ""}`];
      case "room":
        return [`room ${m.seq} ${m.name} ${m.members} "${m.topic}"`];
      case "topic-is":
        return [`topic-is ${m.room} "${m.topic}" ${m.by}`];
      case "ack":
        return [`ack ${m.seq}`];
      case "error":
        return [`error ${m.seq} ${m.code}`];
      default:
        return [];
    }
  });
}

/** Sends `request` and returns what came back, up to and with its answer. */
async function exchange(
  client: TestClient,
  request: Extract<ClientMessage, { seq: number }>,
): Promise<string[]> {
  const from = client.received.length;
  client.send(request);
  const answer = await client.answer(request.seq, from);
  return brief(client.received.slice(from, client.received.indexOf(answer) + 1));
}

/** Posts each text as a line, one after the other, and waits until the last is stored. */
async function post(client: TestClient, texts: string[], room?: string): Promise<void> {
  let seq = 0;
  for (const text of texts) {
    seq = client.seq();
    client.send({ type: "say", seq, text, room });
  }
  await client.acked(seq);
}

async function joined(client: TestClient, room: string): Promise<void> {
  const seq = client.seq();
  client.send({ type: "join", seq, room });
  await client.acked(seq);
}

const numbered = (n: number, prefix = "line") =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

describe("rooms and history", () => {
  const start = serverPerTest();

  describe("the replay on joining", () => {
    it("arriving replays the lobby's latest lines, marked, then how many came and that more are kept", async () => {
      const server = await start({ config: { history: 3 } });
      const ana = await server.join("ana");
      await post(ana, numbered(5));
      const cy = await server.join("cy");
      assert.equal(cy.received[0]?.type, "welcome");
      assert.deepEqual(brief(cy.received), [
        "message #lobby line 3 (replayed)",
        "message #lobby line 4 (replayed)",
        "message #lobby line 5 (replayed)",
        "history-end 0 #lobby 3 more",
      ]);
      const ids = cy.lines.map((l) => l.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
    });

    it("replays every line, with more false, when fewer are kept", async () => {
      const server = await start({ config: { history: 3 } });
      const ana = await server.join("ana");
      await post(ana, numbered(2));
      const cy = await server.join("cy");
      assert.deepEqual(brief(cy.received).at(-1), "history-end 0 #lobby 2");
    });

    it("honours the hello's history, up to the largest page; 0 replays nothing", async () => {
      const server = await start({ config: { history: 3, maxHistoryPage: 4 } });
      const ana = await server.join("ana");
      await post(ana, numbered(6));
      const one = await server.join("one", { history: 1 });
      const none = await server.join("none", { history: 0 });
      const many = await server.join("many", { history: 100 });
      assert.deepEqual(brief(one.received), [
        "message #lobby line 6 (replayed)",
        "history-end 0 #lobby 1 more",
      ]);
      assert.deepEqual(brief(none.received), []);
      assert.deepEqual(
        many.lines.map((l) => l.text),
        ["line 3", "line 4", "line 5", "line 6"],
      );
      // The limit stays the client's for the rooms it joins later.
      await joined(ana, "#dev");
      await post(ana, numbered(3, "dev"));
      assert.deepEqual(await exchange(one, { type: "join", seq: 900, room: "#dev" }), [
        'room 900 #dev 2 ""',
        "message #dev dev 3 (replayed)",
        "history-end 900 #dev 1 more",
        "ack 900",
      ]);
    });

    it("a room with no lines replays nothing and sends no history-end", async () => {
      const server = await start();
      const ana = await server.join("ana");
      assert.deepEqual(await exchange(ana, { type: "join", seq: 1, room: "#new" }), [
        'room 1 #new 1 ""',
        "ack 1",
      ]);
    });

    it("joining another room: its room frame, its topic, its lines, a history-end naming the join, the ack", async () => {
      const server = await start();
      const ana = await server.join("ana");
      await joined(ana, "#Dev");
      ana.send({ type: "topic", seq: 1, room: "", set: true, text: "ship it" });
      await ana.acked(1);
      await post(ana, ["one", "two"]);
      const ben = await server.join("ben");
      assert.deepEqual(await exchange(ben, { type: "join", seq: 7, room: "#DEV" }), [
        'room 7 #Dev 2 "ship it"',
        'topic-is #Dev "ship it" ana',
        "message #Dev one (replayed)",
        "message #Dev two (replayed)",
        "history-end 7 #Dev 2",
        "ack 7",
      ]);
    });

    it("joining a room one is in switches the room typed into, with no replay and no announcement", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await post(ben, ["in the lobby"]);
      await joined(ana, "#dev");
      assert.deepEqual(await exchange(ana, { type: "join", seq: 1, room: "#lobby" }), [
        'room 1 #lobby 2 ""',
        "ack 1",
      ]);
      await post(ana, ["back here"]);
      await ben.waitFor((m) => m.type === "message" && m.text === "back here");
      assert.equal(
        ben.all("joined").filter((j) => j.room === "#lobby").length,
        0,
        "ana's first arrival came before ben's",
      );
    });

    it("rejoining a room replays its latest lines, not the ones before those shown last time", async () => {
      const server = await start({ config: { history: 2 } });
      const ana = await server.join("ana");
      await joined(ana, "#dev");
      await post(ana, numbered(4));
      const ben = await server.join("ben");
      await joined(ben, "#dev");
      assert.deepEqual(
        ben.lines.filter((l) => l.room === "#dev").map((l) => l.text),
        ["line 3", "line 4"],
      );
      ben.send({ type: "part", seq: 1, room: "#dev", reason: "" });
      await ben.acked(1);
      await post(ana, ["line 5", "line 6"]);
      assert.deepEqual(await exchange(ben, { type: "join", seq: 900, room: "#dev" }), [
        'room 900 #dev 2 ""',
        "message #dev line 5 (replayed)",
        "message #dev line 6 (replayed)",
        "history-end 900 #dev 2 more",
        "ack 900",
      ]);
    });
  });

  describe("a line posted as someone joins its room is seen once", () => {
    it("joined while the line is being stored: it comes live, after the join's replay", async () => {
      const store = new HeldStore();
      const server = await start({ store });
      const ana = await server.join("ana");
      await joined(ana, "#dev");
      await post(ana, ["before"]);
      const ben = await server.join("ben");
      const hold = store.hold();
      ana.send({ type: "say", seq: 1, text: "race" });
      await hold.appended(1);
      await joined(ben, "#dev");
      assert.deepEqual(
        ben.lines.map((l) => l.text),
        ["before"],
      );
      hold.release();
      await ana.acked(1);
      await ben.waitFor((m) => m.type === "message" && m.text === "race");
      await ben.roundTrip();
      assert.equal(ben.line("race").replayed, false);
    });

    it("posted and joined in the same turn, either way round: once", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joined(ana, "#dev");
      ana.read({ type: "say", seq: 1, text: "said first" });
      ben.read({ type: "join", seq: 1, room: "#dev" });
      cy.read({ type: "join", seq: 1, room: "#dev" });
      ana.read({ type: "say", seq: 2, text: "said after" });
      await ana.acked(2);
      for (const client of [ben, cy]) {
        await client.acked(1);
        await client.roundTrip();
        client.line("said first");
        client.line("said after");
      }
    });

    it("joined as the commit settles, in the same turn as its delivery: replayed, once", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joined(ana, "#dev");
      // ben's join waits for ben's own line, stored in the same commit as ana's:
      // it is handled in the microtasks of that commit, before any other turn.
      // (ana's line is delivered in those microtasks too, just before: a join
      // cannot be handled between a commit and its delivery, as it would have
      // to wait on a line of that commit, whose settling follows the delivery.)
      ben.read({ type: "say", seq: 1, text: "mine" }, { type: "join", seq: 2, room: "#dev" });
      ana.read({ type: "say", seq: 1, text: "race" });
      const inDevAfterCommit = await new Promise<boolean>((resolve) =>
        setImmediate(() =>
          resolve(server.context.rooms.get("#dev")?.members.has(ben.session) ?? false),
        ),
      );
      assert.equal(inDevAfterCommit, true, "the join was not handled as the commit settled");
      await ana.acked(1);
      await ben.acked(2);
      await ben.roundTrip();
      assert.equal(ben.line("race").replayed, true);
    });
  });

  describe("/history", () => {
    it("pages back from the oldest line shown, until there are no more", async () => {
      const server = await start({ config: { history: 3 } });
      const ana = await server.join("ana");
      await post(ana, numbered(10));
      const cy = await server.join("cy");
      assert.deepEqual(
        await exchange(cy, { type: "history", seq: 1, target: "", before: 0, limit: 3 }),
        [
          "message #lobby line 5 (replayed)",
          "message #lobby line 6 (replayed)",
          "message #lobby line 7 (replayed)",
          "history-end 1 #lobby 3 more",
          "ack 1",
        ],
      );
      const second = await exchange(cy, {
        type: "history",
        seq: 2,
        target: "",
        before: 0,
        limit: 5,
      });
      assert.deepEqual(second.slice(-2), ["history-end 2 #lobby 4", "ack 2"]);
      assert.equal(second[0], "message #lobby line 1 (replayed)");
      assert.deepEqual(
        await exchange(cy, { type: "history", seq: 3, target: "", before: 0, limit: 5 }),
        ["history-end 3 #lobby 0", "ack 3"],
      );
    });

    it("pages from a given id, and carries on back from there", async () => {
      const server = await start({ config: { history: 0 } });
      const ana = await server.join("ana");
      await post(ana, numbered(6));
      const id = server.store.latest("#lobby", 6).find((l) => l.text === "line 5")?.id ?? 0;
      const cy = await server.join("cy");
      assert.deepEqual(
        await exchange(cy, { type: "history", seq: 1, target: "#lobby", before: id, limit: 2 }),
        [
          "message #lobby line 3 (replayed)",
          "message #lobby line 4 (replayed)",
          "history-end 1 #lobby 2 more",
          "ack 1",
        ],
      );
      const next = await exchange(cy, {
        type: "history",
        seq: 2,
        target: "#lobby",
        before: 0,
        limit: 5,
      });
      assert.deepEqual(next, [
        "message #lobby line 1 (replayed)",
        "message #lobby line 2 (replayed)",
        "history-end 2 #lobby 2",
        "ack 2",
      ]);
    });

    it("with no line shown yet, pages from the newest", async () => {
      const server = await start({ config: { history: 0 } });
      const ana = await server.join("ana");
      await post(ana, numbered(3));
      assert.deepEqual(
        await exchange(ana, { type: "history", seq: 1, target: "", before: 0, limit: 2 }),
        [
          "message #lobby line 2 (replayed)",
          "message #lobby line 3 (replayed)",
          "history-end 1 #lobby 2 more",
          "ack 1",
        ],
      );
    });

    it("reads a named room's history without joining it, even once everyone has left it", async () => {
      const server = await start();
      const ana = await server.join("ana");
      await joined(ana, "#dev");
      await post(ana, ["dev 1", "dev 2"]);
      ana.send({ type: "part", seq: 1, room: "#dev", reason: "" });
      await ana.acked(1);
      assert.equal(server.context.rooms.get("#dev"), undefined);
      const ben = await server.join("ben");
      assert.deepEqual(
        await exchange(ben, { type: "history", seq: 1, target: "#DEV", before: 0, limit: 5 }),
        [
          "message #dev dev 1 (replayed)",
          "message #dev dev 2 (replayed)",
          "history-end 1 #DEV 2",
          "ack 1",
        ],
      );
    });

    it("pages a private conversation the same for both people in it", async () => {
      const server = await start({ config: { history: 0 } });
      const ana = await server.join("ana");
      const ben = await server.join("Ben");
      for (let i = 1; i <= 4; i++) {
        const [from, to] = i % 2 === 1 ? [ana, "ben"] : [ben, "ana"];
        from.send({ type: "private", seq: i, to, text: `p${i}` });
        await from.acked(i);
      }
      const anaPage = await exchange(ana, {
        type: "history",
        seq: 9,
        target: "BEN",
        before: 0,
        limit: 3,
      });
      const benPage = await exchange(ben, {
        type: "history",
        seq: 9,
        target: "ana",
        before: 0,
        limit: 3,
      });
      const lines = [
        "message ana p2 (replayed)",
        "message Ben p3 (replayed)",
        "message ana p4 (replayed)",
      ];
      assert.deepEqual(anaPage, [...lines, "history-end 9 BEN 3 more", "ack 9"]);
      assert.deepEqual(benPage, [...lines, "history-end 9 ana 3 more", "ack 9"]);
      const anaRest = await exchange(ana, {
        type: "history",
        seq: 10,
        target: "ben",
        before: 0,
        limit: 3,
      });
      assert.deepEqual(anaRest, ["message Ben p1 (replayed)", "history-end 10 ben 1", "ack 10"]);
    });

    it("refuses a page larger than the largest with CHAT_ERR_MALFORMED, sending no line", async () => {
      const server = await start({ config: { maxHistoryPage: 5 } });
      const ana = await server.join("ana");
      await post(ana, numbered(3));
      assert.deepEqual(
        await exchange(ana, { type: "history", seq: 1, target: "", before: 0, limit: 6 }),
        [`error 1 ${ErrorCode.Malformed}`],
      );
      const error = await ana.answer(1);
      assert.match(error.type === "error" ? error.message : "", /at most 5 lines/);
    });

    it("refuses a target that is no room or nickname, and the room typed into when in none", async () => {
      const server = await start();
      const ana = await server.join("ana");
      ana.send({ type: "history", seq: 1, target: "#bad!", before: 0, limit: 5 });
      ana.send({ type: "history", seq: 2, target: "two words", before: 0, limit: 5 });
      ana.send({ type: "part", seq: 3, room: "", reason: "" });
      ana.send({ type: "history", seq: 4, target: "", before: 0, limit: 5 });
      await ana.answer(4);
      assert.deepEqual(
        brief(ana.received).filter((m) => m.startsWith("error")),
        [
          `error 1 ${ErrorCode.BadRoom}`,
          `error 2 ${ErrorCode.BadNick}`,
          `error 4 ${ErrorCode.NotInRoom}`,
        ],
      );
    });
  });

  describe("parting", () => {
    it("parting the room typed into falls back to the one joined before it, with a room frame", async () => {
      const server = await start();
      const ana = await server.join("ana");
      await joined(ana, "#a");
      await joined(ana, "#b");
      assert.deepEqual(await exchange(ana, { type: "part", seq: 1, room: "", reason: "" }), [
        'room 0 #a 1 ""',
        "ack 1",
      ]);
      assert.deepEqual(ana.all("left").at(-1), {
        type: "left",
        nick: "ana",
        reason: "",
        room: "#b",
      });
      await post(ana, ["where am I"]);
      assert.deepEqual(
        server.store.latest("#a", 5).map((l) => l.text),
        ["where am I"],
      );
    });

    it("parting another room keeps the room typed into", async () => {
      const server = await start();
      const ana = await server.join("ana");
      await joined(ana, "#a");
      assert.deepEqual(await exchange(ana, { type: "part", seq: 1, room: "#lobby", reason: "" }), [
        "ack 1",
      ]);
      await post(ana, ["still in a"]);
      assert.equal(server.store.latest("#a", 5).length, 1);
    });

    it("out of every room, lines need a room joined first", async () => {
      const server = await start();
      const ana = await server.join("ana");
      assert.deepEqual(await exchange(ana, { type: "part", seq: 1, room: "", reason: "" }), [
        "ack 1",
      ]);
      assert.deepEqual(await exchange(ana, { type: "say", seq: 2, text: "anyone?" }), [
        `error 2 ${ErrorCode.NotInRoom}`,
      ]);
      assert.deepEqual(await exchange(ana, { type: "part", seq: 3, room: "", reason: "" }), [
        `error 3 ${ErrorCode.NotInRoom}`,
      ]);
    });

    it("refuses a room one is not in with CHAT_ERR_NOT_IN_ROOM, and one that does not exist with CHAT_ERR_NO_SUCH_ROOM", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joined(ben, "#dev");
      assert.deepEqual(await exchange(ana, { type: "part", seq: 1, room: "#dev", reason: "" }), [
        `error 1 ${ErrorCode.NotInRoom}`,
      ]);
      assert.deepEqual(
        await exchange(ana, { type: "part", seq: 2, room: "#nowhere", reason: "" }),
        [`error 2 ${ErrorCode.NoSuchRoom}`],
      );
      assert.equal(server.context.rooms.get("#dev")?.members.size, 1);
    });
  });

  describe("lines in rooms", () => {
    it("a line goes to the room it names, or else to the room typed into", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joined(cy, "#dev");
      await joined(ana, "#dev");
      await post(ana, ["to dev"]);
      await post(ana, ["to lobby"], "#LOBBY");
      await ben.waitFor((m) => m.type === "message" && m.text === "to lobby");
      await cy.waitFor((m) => m.type === "message" && m.text === "to lobby");
      assert.deepEqual(
        ben.lines.map((l) => `${l.room} ${l.text}`),
        ["#lobby to lobby"],
      );
      assert.deepEqual(
        cy.lines.map((l) => `${l.room} ${l.text}`),
        ["#dev to dev", "#lobby to lobby"],
      );
    });

    it("refuses lines to rooms not joined or not there, and joins under bad names, keeping nothing", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joined(ben, "#dev");
      ana.send({ type: "say", seq: 1, text: "hi", room: "#dev" });
      ana.send({ type: "action", seq: 2, text: "waves", room: "#nowhere" });
      ana.send({ type: "join", seq: 3, room: "dev" });
      ana.send({ type: "join", seq: 4, room: "#bad!" });
      ana.send({ type: "join", seq: 5, room: "" });
      await ana.answer(5);
      assert.deepEqual(brief(ana.received), [
        `error 1 ${ErrorCode.NotInRoom}`,
        `error 2 ${ErrorCode.NoSuchRoom}`,
        `error 3 ${ErrorCode.BadRoom}`,
        `error 4 ${ErrorCode.BadRoom}`,
        `error 5 ${ErrorCode.BadRoom}`,
      ]);
      assert.deepEqual(server.store.latest("#dev", 5), []);
      assert.deepEqual(
        server.context.rooms.list().map((r) => r.name),
        ["#dev", "#lobby"],
      );
    });

    it("/rooms lists the rooms with their members and topics", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joined(ana, "#ops");
      await joined(ben, "#ops");
      ana.send({ type: "topic", seq: 1, room: "#ops", set: true, text: "deploys at noon" });
      await ana.acked(1);
      ben.send({ type: "rooms", seq: 2 });
      const list = await ben.waitFor((m) => m.type === "room-list");
      assert.deepEqual(list, {
        type: "room-list",
        seq: 2,
        rooms: [
          { name: "#lobby", members: 2, topic: "" },
          { name: "#ops", members: 2, topic: "deploys at noon" },
        ],
      });
      await ben.acked(2);
    });
  });

  describe("topics", () => {
    it("a member sets the topic: the room hears it, the setter too; others can ask; joiners are told", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      const cy = await server.join("cy");
      await joined(ana, "#dev");
      await joined(ben, "#dev");
      assert.deepEqual(
        await exchange(ana, {
          type: "topic",
          seq: 1,
          room: "",
          set: true,
          text: "deploys at noon",
        }),
        ['topic-is #dev "deploys at noon" ana', "ack 1"],
      );
      await ben.waitFor((m) => m.type === "topic-is");
      await cy.roundTrip();
      assert.deepEqual(cy.all("topic-is"), []);
      assert.deepEqual(
        await exchange(cy, { type: "topic", seq: 1, room: "#DEV", set: false, text: "" }),
        ['topic-is #dev "deploys at noon" ana', "ack 1"],
      );
      const joining = await exchange(cy, { type: "join", seq: 2, room: "#dev" });
      assert.deepEqual(joining.slice(0, 2), [
        'room 2 #dev 3 "deploys at noon"',
        'topic-is #dev "deploys at noon" ana',
      ]);
    });

    it("an empty topic clears it, and a room never given one answers with an empty one", async () => {
      const server = await start();
      const ana = await server.join("ana");
      assert.deepEqual(
        await exchange(ana, { type: "topic", seq: 1, room: "", set: false, text: "" }),
        ['topic-is #lobby "" ', "ack 1"],
      );
      await exchange(ana, { type: "topic", seq: 2, room: "", set: true, text: "something" });
      assert.deepEqual(
        await exchange(ana, { type: "topic", seq: 3, room: "", set: true, text: "" }),
        ['topic-is #lobby "" ana', "ack 3"],
      );
      assert.equal(server.context.rooms.defaultRoom.topic, "");
    });

    it("refuses setting a topic from outside the room, a topic too long, and asking of a room not there", async () => {
      const server = await start();
      const ana = await server.join("ana");
      const ben = await server.join("ben");
      await joined(ben, "#dev");
      ana.send({ type: "topic", seq: 1, room: "#dev", set: true, text: "hijack" });
      ana.send({ type: "topic", seq: 2, room: "", set: true, text: "t".repeat(301) });
      ana.send({ type: "topic", seq: 3, room: "#nowhere", set: false, text: "" });
      await ana.answer(3);
      assert.deepEqual(brief(ana.received), [
        `error 1 ${ErrorCode.NotInRoom}`,
        `error 2 ${ErrorCode.MessageTooLarge}`,
        `error 3 ${ErrorCode.NoSuchRoom}`,
      ]);
      await ben.roundTrip();
      assert.deepEqual(ben.all("topic-is"), []);
      assert.equal(server.context.rooms.get("#dev")?.topic, "");
      assert.equal(server.context.rooms.defaultRoom.topic, "");
    });
  });
});
