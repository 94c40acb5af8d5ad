// The directory: one nickname per person on the whole server, unique without
// regard to case, given out with -2, -3 suffixes, and the /who list.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { Directory } from "../../src/server/directory.js";
import type { Member } from "../../src/server/member.js";

let port = 40000;

function member(lastActive = 0, address = `127.0.0.1:${port++}`): Member {
  return {
    address,
    nick: "",
    lastActive,
    deliver(_message: ServerMessage) {},
  };
}

function admitted(directory: Directory, ...wanted: string[]): Member[] {
  return wanted.map((w) => {
    const m = member();
    directory.admit(m, w);
    return m;
  });
}

function assertError(
  error: ProtocolError | undefined,
  code: string,
): asserts error is ProtocolError {
  assert.ok(error instanceof ProtocolError, `expected ${code}, got ${String(error)}`);
  assert.equal(error.code, code);
}

describe("Directory", () => {
  describe("admit", () => {
    it("gives the wanted nickname when it is free and sets it on the member", () => {
      const directory = new Directory();
      const ana = member();
      assert.equal(directory.admit(ana, "ana"), "ana");
      assert.equal(ana.nick, "ana");
      assert.equal(directory.size, 1);
      assert.equal(directory.find("ana"), ana);
    });

    it("gives duplicate nicknames -2, -3 suffixes", () => {
      const nicks = admitted(new Directory(), "ana", "ana", "ana").map((m) => m.nick);
      assert.deepEqual(nicks, ["ana", "ana-2", "ana-3"]);
    });

    it("treats nicknames as equal without regard to case", () => {
      const nicks = admitted(new Directory(), "Ana", "ana", "ANA").map((m) => m.nick);
      assert.deepEqual(nicks, ["Ana", "ana-2", "ANA-3"]);
    });

    it("keeps a nickname as NFKC: written with compatibility characters, it is the name it looks like", () => {
      const directory = new Directory();
      const [ana, fullwidth, ligature] = admitted(directory, "alice", "ａｌｉｃｅ", "ﬁona");
      assert.deepEqual([ana?.nick, fullwidth?.nick, ligature?.nick], ["alice", "alice-2", "fiona"]);
      assert.equal(directory.find("ＦＩＯＮＡ"), ligature, "found however it is written");
      assert.ok(ana !== undefined);
      assertError(directory.rename(ana, "ｆｉｏｎａ"), ErrorCode.NickTaken);
      assert.equal(directory.rename(ana, "ａｎｎ"), undefined);
      assert.equal(ana.nick, "ann");
    });

    it("gives many people wanting the same nickname distinct ones", () => {
      const directory = new Directory();
      const members = admitted(directory, ...new Array<string>(200).fill("Guest"));
      assert.equal(new Set(members.map((m) => m.nick.toLowerCase())).size, 200);
      assert.equal(directory.size, 200);
      assert.equal(members[0]?.nick, "Guest");
      assert.equal(members[199]?.nick, "Guest-200");
    });

    it("keeps suffixed nicknames distinct from ones people chose", () => {
      const nicks = admitted(new Directory(), "bo-2", "bo", "bo", "BO-3", "bo").map((m) => m.nick);
      assert.deepEqual(nicks, ["bo-2", "bo", "bo-3", "BO-3-2", "bo-4"]);
    });

    it("turns an unusable wanted nickname into an acceptable one", () => {
      const nicks = admitted(new Directory(), "", "You", "John Doe", "a".repeat(40)).map(
        (m) => m.nick,
      );
      assert.deepEqual(nicks, ["guest", "guest-2", "JohnDoe", "a".repeat(24)]);
    });

    it("gives a freed suffix to the next one who needs one", () => {
      const directory = new Directory();
      const [, second] = admitted(directory, "ana", "ana", "ana") as [Member, Member, Member];
      directory.remove(second);
      assert.equal(admitted(directory, "ana")[0]?.nick, "ana-2");
    });
  });

  describe("find", () => {
    it("finds a member without regard to case, and nobody under a free nickname", () => {
      const directory = new Directory();
      const [ben] = admitted(directory, "Ben");
      assert.equal(directory.find("BEN"), ben);
      assert.equal(directory.find("zed"), undefined);
    });
  });

  describe("rename", () => {
    it("frees the old nickname and takes the new one", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      assert.equal(directory.rename(ben, "benny"), undefined);
      assert.equal(ben.nick, "benny");
      assert.equal(directory.find("benny"), ben);
      assert.equal(directory.find("ben"), undefined);
      assert.equal(admitted(directory, "ben")[0]?.nick, "ben");
      assert.equal(admitted(directory, "BENNY")[0]?.nick, "BENNY-2");
    });

    it("refuses a nickname taken by someone else in a different case", () => {
      const directory = new Directory();
      const [ana, ben] = admitted(directory, "ana", "Ben") as [Member, Member];
      assertError(directory.rename(ana, "bEN"), ErrorCode.NickTaken);
      assert.equal(ana.nick, "ana");
      assert.equal(directory.find("ana"), ana);
      assert.equal(directory.find("ben"), ben);
    });

    it("refuses an invalid nickname with CHAT_ERR_BAD_NICK and keeps the old one", () => {
      const directory = new Directory();
      const [ana] = admitted(directory, "ana");
      for (const wanted of ["", "two words", "a".repeat(25), "you", "YOU", "Server", "a\u001b"]) {
        assertError(directory.rename(ana as Member, wanted), ErrorCode.BadNick);
      }
      assert.equal(ana?.nick, "ana");
      assert.equal(directory.find("ana"), ana);
    });

    it("lets a member change the case of its own nickname", () => {
      const directory = new Directory();
      const [ana] = admitted(directory, "ana", "ben") as [Member, Member];
      assert.equal(directory.rename(ana, "Ana"), undefined);
      assert.equal(ana.nick, "Ana");
      assert.equal(directory.size, 2);
      assert.equal(directory.find("ANA"), ana);
    });

    it("keeps a member listed when it renames to its own nickname", () => {
      const directory = new Directory();
      const [ana] = admitted(directory, "ana") as [Member];
      assert.equal(directory.rename(ana, "ana"), undefined);
      assert.equal(directory.find("ana"), ana);
      assert.equal(directory.size, 1);
    });

    it("does not hand out a suffixed nickname its holder kept by changing its case", () => {
      const directory = new Directory();
      const [, second] = admitted(directory, "ana", "ana") as [Member, Member];
      directory.rename(second, "ANA-2");
      const nicks = admitted(directory, "ana", "ana").map((m) => m.nick.toLowerCase());
      assert.deepEqual(nicks, ["ana-3", "ana-4"]);
    });
  });

  describe("remove", () => {
    it("frees the nickname for the next one", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      assert.equal(directory.remove(ben), true);
      assert.equal(directory.size, 1);
      assert.equal(admitted(directory, "ben")[0]?.nick, "ben");
    });

    it("is idempotent: a second remove removes nothing", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      directory.remove(ben);
      assert.equal(directory.remove(ben), false);
      assert.equal(directory.size, 1);
    });

    it("does not remove someone else who now holds the removed member's nickname", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      directory.remove(ben);
      const [ben2] = admitted(directory, "ben");
      assert.equal(directory.remove(ben), false);
      assert.equal(directory.size, 2);
      assert.equal(directory.find("ben"), ben2);
    });

    it("removes a member under its current nickname after a rename", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      directory.rename(ben, "benny");
      assert.equal(directory.remove(ben), true);
      assert.equal(directory.find("benny"), undefined);
      assert.equal(directory.size, 1);
    });
  });

  describe("who", () => {
    it("lists nobody in an empty directory", () => {
      assert.deepEqual(new Directory().who(1000), []);
    });

    it("lists nick, address and idle seconds computed from lastActive and now", () => {
      const directory = new Directory();
      const now = 1_700_000_100_000;
      directory.admit(member(now - 5_000, "127.0.0.1:1"), "ana");
      directory.admit(member(now - 125_999, "[::1]:2"), "ben");
      directory.admit(member(now, "10.0.0.3:3"), "cy");
      assert.deepEqual(directory.who(now), [
        { nick: "ana", address: "127.0.0.1:1", idleSeconds: 5 },
        { nick: "ben", address: "[::1]:2", idleSeconds: 125 },
        { nick: "cy", address: "10.0.0.3:3", idleSeconds: 0 },
      ]);
    });

    it("rounds idle time down to whole seconds", () => {
      const directory = new Directory();
      directory.admit(member(10_000), "ana");
      assert.equal(directory.who(10_999)[0]?.idleSeconds, 0);
      assert.equal(directory.who(11_000)[0]?.idleSeconds, 1);
      assert.equal(directory.who(11_999)[0]?.idleSeconds, 1);
    });

    it("never reports negative idle time when lastActive is after now", () => {
      const directory = new Directory();
      directory.admit(member(50_000), "ana");
      assert.equal(directory.who(10_000)[0]?.idleSeconds, 0);
    });

    it("sorts by nickname and shows current nicknames", () => {
      const directory = new Directory();
      const [delta] = admitted(directory, "delta", "alpha", "charlie", "bravo");
      directory.rename(delta as Member, "echo");
      assert.deepEqual(
        directory.who(0).map((e) => e.nick),
        ["alpha", "bravo", "charlie", "echo"],
      );
    });

    it("reflects activity: a later lastActive resets the idle time", () => {
      const directory = new Directory();
      const [ana] = admitted(directory, "ana") as [Member];
      ana.lastActive = 7_000;
      assert.equal(directory.who(10_000)[0]?.idleSeconds, 3);
    });

    it("leaves out members who were removed", () => {
      const directory = new Directory();
      const [, ben] = admitted(directory, "ana", "ben") as [Member, Member];
      directory.remove(ben);
      assert.deepEqual(
        directory.who(0).map((e) => e.nick),
        ["ana"],
      );
    });
  });
});
