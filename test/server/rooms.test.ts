// The rooms: opened under names that keep the rules, found without regard to
// case, each member's rooms in the order joined, gone once empty (the default
// room never), and listed sorted with their counts and topics.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import type { Member } from "../../src/server/member.js";
import { type Room, Rooms } from "../../src/server/rooms.js";

function member(nick: string): Member {
  return { address: "127.0.0.1:1", nick, lastActive: 0, deliver(_m: ServerMessage) {} };
}

function opened(rooms: Rooms, name: string): Room {
  const room = rooms.open(name);
  if (room instanceof ProtocolError) throw room;
  return room;
}

describe("Rooms", () => {
  describe("open", () => {
    it("makes a room under the name as first spelled, keyed without regard to case", () => {
      const rooms = new Rooms("#lobby");
      const dev = opened(rooms, "#Dev");
      assert.equal(dev.name, "#Dev");
      assert.equal(dev.key, "#dev");
      assert.equal(dev.topic, "");
      assert.equal(dev.members.size, 0);
    });

    it("returns the existing room however the name is spelled", () => {
      const rooms = new Rooms("#lobby");
      const dev = opened(rooms, "#Dev");
      assert.equal(rooms.open("#DEV"), dev);
      assert.equal(rooms.open("#lobby"), rooms.defaultRoom);
      assert.equal(rooms.open("#LOBBY"), rooms.defaultRoom);
    });

    it("keeps a new room's name as NFKC, and finds it however compatibility characters spell it", () => {
      const rooms = new Rooms("#lobby");
      const dev = opened(rooms, "#ｄｅｖ");
      assert.equal(dev.name, "#dev");
      assert.equal(rooms.open("#dev"), dev);
      assert.equal(rooms.open("#ＤＥＶ"), dev);
    });

    it("refuses names that break the rules with CHAT_ERR_BAD_ROOM and opens nothing", () => {
      const rooms = new Rooms("#lobby");
      for (const name of [
        "",
        "dev",
        "#",
        "#two words",
        "#bad!",
        `#${"x".repeat(33)}`,
        "#a\u001b",
      ]) {
        const result = rooms.open(name);
        assert.ok(result instanceof ProtocolError, `${JSON.stringify(name)} was opened`);
        assert.equal(result.code, ErrorCode.BadRoom);
      }
      assert.deepEqual(
        rooms.list().map((r) => r.name),
        ["#lobby"],
      );
    });

    it("accepts letters and digits of any script, - _ . and 32 characters", () => {
      const rooms = new Rooms("#lobby");
      for (const name of ["#café", "#日本語", "#a-b_c.d", `#${"x".repeat(32)}`]) {
        assert.ok(!(rooms.open(name) instanceof ProtocolError), name);
      }
    });
  });

  describe("get", () => {
    it("finds rooms without regard to case, and no room that was never opened", () => {
      const rooms = new Rooms("#Lobby");
      const dev = opened(rooms, "#dev");
      assert.equal(rooms.get("#DEV"), dev);
      assert.equal(rooms.get("#lobby"), rooms.defaultRoom);
      assert.equal(rooms.get("#ops"), undefined);
    });
  });

  describe("join and part", () => {
    it("join says whether the member came in, and puts it in the room once", () => {
      const rooms = new Rooms("#lobby");
      const ana = member("ana");
      assert.equal(rooms.join(ana, rooms.defaultRoom), true);
      assert.equal(rooms.join(ana, rooms.defaultRoom), false);
      assert.deepEqual([...rooms.defaultRoom.members], [ana]);
      assert.deepEqual(rooms.of(ana), [rooms.defaultRoom]);
    });

    it("of lists a member's rooms oldest joined first, and none for a stranger", () => {
      const rooms = new Rooms("#lobby");
      const ana = member("ana");
      const dev = opened(rooms, "#dev");
      const ops = opened(rooms, "#ops");
      rooms.join(ana, ops);
      rooms.join(ana, rooms.defaultRoom);
      rooms.join(ana, dev);
      assert.deepEqual(rooms.of(ana), [ops, rooms.defaultRoom, dev]);
      assert.deepEqual(rooms.of(member("zed")), []);
    });

    it("part says whether the member was in the room, and takes it out of that room only", () => {
      const rooms = new Rooms("#lobby");
      const ana = member("ana");
      const dev = opened(rooms, "#dev");
      rooms.join(ana, rooms.defaultRoom);
      rooms.join(ana, dev);
      assert.equal(rooms.part(ana, dev), true);
      assert.equal(rooms.part(ana, dev), false);
      assert.deepEqual(rooms.of(ana), [rooms.defaultRoom]);
      assert.ok(rooms.defaultRoom.members.has(ana));
    });

    it("part from the middle keeps the order of the rest", () => {
      const rooms = new Rooms("#lobby");
      const ana = member("ana");
      const [a, b, c] = ["#a", "#b", "#c"].map((n) => opened(rooms, n)) as [Room, Room, Room];
      for (const room of [a, b, c]) rooms.join(ana, room);
      rooms.part(ana, b);
      assert.deepEqual(rooms.of(ana), [a, c]);
    });
  });

  describe("a room's life", () => {
    it("an empty room other than the default disappears, and a new one starts afresh", () => {
      const rooms = new Rooms("#lobby");
      const ana = member("ana");
      const dev = opened(rooms, "#Dev");
      dev.topic = "old topic";
      rooms.join(ana, dev);
      rooms.part(ana, dev);
      assert.equal(rooms.get("#dev"), undefined);
      const again = opened(rooms, "#dev");
      assert.notEqual(again, dev);
      assert.equal(again.name, "#dev");
      assert.equal(again.topic, "");
    });

    it("a room stays while anyone is in it", () => {
      const rooms = new Rooms("#lobby");
      const [ana, ben] = [member("ana"), member("ben")];
      const dev = opened(rooms, "#dev");
      rooms.join(ana, dev);
      rooms.join(ben, dev);
      rooms.part(ana, dev);
      assert.equal(rooms.get("#dev"), dev);
    });

    it("the default room stays when its last member leaves", () => {
      const rooms = new Rooms("#lobby");
      const [ana, ben] = [member("ana"), member("ben")];
      rooms.join(ana, rooms.defaultRoom);
      assert.equal(rooms.part(ana, rooms.defaultRoom), true);
      assert.equal(rooms.get("#lobby"), rooms.defaultRoom);
      rooms.join(ben, rooms.defaultRoom);
      rooms.leaveAll(ben);
      assert.equal(rooms.get("#lobby"), rooms.defaultRoom);
      assert.deepEqual(rooms.list(), [{ name: "#lobby", members: 0, topic: "" }]);
    });
  });

  describe("leaveAll", () => {
    it("leaveAll takes the member out of every room and closes emptied rooms", () => {
      const rooms = new Rooms("#lobby");
      const [ana, ben] = [member("ana"), member("ben")];
      const dev = opened(rooms, "#dev");
      const solo = opened(rooms, "#solo");
      rooms.join(ana, rooms.defaultRoom);
      rooms.join(ben, rooms.defaultRoom);
      rooms.join(ana, dev);
      rooms.join(ben, dev);
      rooms.join(ana, solo);
      rooms.leaveAll(ana);
      assert.deepEqual(rooms.of(ana), []);
      assert.ok(!rooms.defaultRoom.members.has(ana));
      assert.ok(!dev.members.has(ana));
      assert.equal(rooms.get("#solo"), undefined);
      assert.equal(rooms.get("#dev"), dev);
      assert.deepEqual([...dev.members], [ben]);
      rooms.leaveAll(ana);
      assert.deepEqual(rooms.of(ana), []);
    });
  });

  describe("list", () => {
    it("lists every room sorted by name, with member counts and topics", () => {
      const rooms = new Rooms("#lobby");
      const [ana, ben] = [member("ana"), member("ben")];
      const ops = opened(rooms, "#ops");
      const dev = opened(rooms, "#Dev");
      const art = opened(rooms, "#art");
      rooms.join(ana, rooms.defaultRoom);
      rooms.join(ana, ops);
      rooms.join(ben, ops);
      rooms.join(ben, dev);
      rooms.join(ana, art);
      ops.topic = "deploys at noon";
      assert.deepEqual(rooms.list(), [
        { name: "#art", members: 1, topic: "" },
        { name: "#Dev", members: 1, topic: "" },
        { name: "#lobby", members: 1, topic: "" },
        { name: "#ops", members: 2, topic: "deploys at noon" },
      ]);
    });
  });
});
