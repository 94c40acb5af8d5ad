import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { Hub, type Member } from "../../src/server/hub.js";

/** A hub member that keeps what it is given: the hub's real collaborator, in memory. */
class Inbox implements Member {
  nick = "";
  lastActive: number;
  readonly received: ServerMessage[] = [];

  constructor(
    readonly address: string,
    lastActive = 0,
  ) {
    this.lastActive = lastActive;
  }

  deliver(message: ServerMessage): void {
    this.received.push(message);
  }

  /** The received messages without their timestamps, for comparisons. */
  get stripped(): unknown[] {
    return this.received.map((m) => {
      if (m.type !== "message") return m;
      const { ts: _ts, ...rest } = m;
      return rest;
    });
  }

  clear(): void {
    this.received.length = 0;
  }
}

let port = 40000;
const member = (lastActive = 0): Inbox => new Inbox(`127.0.0.1:${port++}`, lastActive);

function joined(hub: Hub, ...wanted: string[]): Inbox[] {
  return wanted.map((w) => {
    const m = member();
    hub.join(m, w);
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

describe("Hub", () => {
  describe("join", () => {
    it("gives the wanted nickname when it is free and sets it on the member", () => {
      const hub = new Hub();
      const ana = member();
      assert.equal(hub.join(ana, "ana"), "ana");
      assert.equal(ana.nick, "ana");
      assert.equal(hub.size, 1);
    });

    it("announces joined to the others but not to the joiner", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      const cy = member();
      hub.join(cy, "cy");
      assert.deepEqual(ana.received, [
        { type: "joined", nick: "ben" },
        { type: "joined", nick: "cy" },
      ]);
      assert.deepEqual(ben.received, [{ type: "joined", nick: "cy" }]);
      assert.deepEqual(cy.received, []);
    });

    it("gives duplicate nicknames -2, -3 suffixes", () => {
      const hub = new Hub();
      const nicks = joined(hub, "ana", "ana", "ana").map((m) => m.nick);
      assert.deepEqual(nicks, ["ana", "ana-2", "ana-3"]);
    });

    it("treats nicknames as equal without regard to case", () => {
      const hub = new Hub();
      const nicks = joined(hub, "Ana", "ana", "ANA").map((m) => m.nick);
      assert.deepEqual(nicks, ["Ana", "ana-2", "ANA-3"]);
    });

    it("gives many simultaneous joins with the same wanted nickname distinct nicknames", () => {
      const hub = new Hub();
      const members = joined(hub, ...new Array(200).fill("Guest"));
      const keys = new Set(members.map((m) => m.nick.toLowerCase()));
      assert.equal(keys.size, 200);
      assert.equal(hub.size, 200);
      assert.equal(members[0]?.nick, "Guest");
      assert.equal(members[199]?.nick, "Guest-200");
    });

    it("keeps suffixed nicknames distinct from ones people chose", () => {
      const hub = new Hub();
      const nicks = joined(hub, "bo-2", "bo", "bo", "BO-3", "bo").map((m) => m.nick);
      assert.equal(new Set(nicks.map((n) => n.toLowerCase())).size, nicks.length);
      assert.deepEqual(nicks, ["bo-2", "bo", "bo-3", "BO-3-2", "bo-4"]);
    });

    it("turns an unusable wanted nickname into an acceptable one", () => {
      const hub = new Hub();
      const nicks = joined(hub, "", "You", "John Doe", "a".repeat(40)).map((m) => m.nick);
      assert.deepEqual(nicks, ["guest", "guest-2", "JohnDoe", "a".repeat(24)]);
    });

    it("announces each joiner to everyone already there", () => {
      const hub = new Hub();
      const members = joined(hub, "a", "b", "c", "d");
      assert.deepEqual(
        members.map((m) => m.received.length),
        [3, 2, 1, 0],
      );
    });
  });

  describe("post", () => {
    it("reaches everyone except the sender", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      for (const m of [ana, ben, cy]) m.clear();
      hub.post(ana, "say", "hello");
      const expected = { type: "message", kind: "say", from: "ana", to: "", text: "hello" };
      assert.deepEqual(ben.stripped, [expected]);
      assert.deepEqual(cy.stripped, [expected]);
      assert.deepEqual(ana.received, []);
    });

    it("delivers many messages in the order they were posted", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      for (const m of [ana, ben, cy]) m.clear();
      const sent: [Inbox, string][] = [];
      for (let i = 0; i < 300; i++) {
        const from = [ana, ben, cy][i % 3] as Inbox;
        hub.post(from, i % 7 === 0 ? "action" : "say", `message ${i}`);
        sent.push([from, `message ${i}`]);
      }
      for (const m of [ana, ben, cy]) {
        const expected = sent.filter(([from]) => from !== m).map(([, text]) => text);
        const got = m.received.map((r) => (r.type === "message" ? r.text : r.type));
        assert.deepEqual(got, expected, m.nick);
      }
    });

    it("sends actions with the action kind", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      ben.clear();
      hub.post(ana, "action", "waves");
      assert.deepEqual(ben.stripped, [
        { type: "message", kind: "action", from: "ana", to: "", text: "waves" },
      ]);
    });

    it("stamps the message with the time and records it as the sender's last activity", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      ben.clear();
      const before = Date.now();
      hub.post(ana, "say", "now");
      const after = Date.now();
      const message = ben.received[0];
      assert.equal(message?.type, "message");
      assert.ok(message.ts >= before && message.ts <= after);
      assert.equal(ana.lastActive, message.ts);
    });

    it("uses the sender's current nickname after a rename", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      assert.equal(hub.rename(ana, "anya"), undefined);
      ben.clear();
      hub.post(ana, "say", "hi");
      assert.equal((ben.received[0] as { from: string }).from, "anya");
    });

    it("does not reach members who left", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      hub.leave(cy, "bye");
      cy.clear();
      hub.post(ana, "say", "still there?");
      assert.deepEqual(cy.received, []);
      assert.equal(ben.received.at(-1)?.type, "message");
    });
  });

  describe("whisper", () => {
    it("delivers a private message to the recipient only", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      for (const m of [ana, ben, cy]) m.clear();
      assert.equal(hub.whisper(ana, "ben", "psst"), undefined);
      assert.deepEqual(ben.stripped, [
        { type: "message", kind: "private", from: "ana", to: "ben", text: "psst" },
      ]);
      assert.deepEqual(ana.received, []);
      assert.deepEqual(cy.received, []);
    });

    it("finds the recipient without regard to case and names them as they are called", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "Ben") as [Inbox, Inbox];
      ben.clear();
      assert.equal(hub.whisper(ana, "BEN", "hi"), undefined);
      assert.equal((ben.received[0] as { to: string }).to, "Ben");
    });

    it("refuses a missing nickname with CHAT_ERR_NO_SUCH_NICK and delivers nothing", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      for (const m of [ana, ben]) m.clear();
      const error = hub.whisper(ana, "zed", "hello?");
      assertError(error, ErrorCode.NoSuchNick);
      assert.match(error.message, /zed/);
      assert.deepEqual(ana.received, []);
      assert.deepEqual(ben.received, []);
    });

    it("refuses a nickname that has left", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.leave(ben, "");
      assertError(hub.whisper(ana, "ben", "hi"), ErrorCode.NoSuchNick);
    });

    it("records the whisper as the sender's last activity", () => {
      const hub = new Hub();
      const [ana] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      const before = Date.now();
      hub.whisper(ana, "ben", "hi");
      assert.ok(ana.lastActive >= before);
    });
  });

  describe("rename", () => {
    it("announces a successful rename to everyone, the renamer included", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      for (const m of [ana, ben, cy]) m.clear();
      assert.equal(hub.rename(ben, "benny"), undefined);
      assert.equal(ben.nick, "benny");
      for (const m of [ana, ben, cy]) {
        assert.deepEqual(m.received, [{ type: "renamed", from: "ben", to: "benny" }], m.nick);
      }
    });

    it("frees the old nickname and takes the new one", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.rename(ben, "benny");
      assert.equal(hub.whisper(ana, "benny", "hi"), undefined);
      assertError(hub.whisper(ana, "ben", "hi"), ErrorCode.NoSuchNick);
      const newcomer = member();
      assert.equal(hub.join(newcomer, "ben"), "ben");
      assert.equal(hub.join(member(), "BENNY"), "BENNY-2");
    });

    it("refuses a nickname taken by someone else in a different case", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "Ben") as [Inbox, Inbox];
      for (const m of [ana, ben]) m.clear();
      const error = hub.rename(ana, "bEN");
      assertError(error, ErrorCode.NickTaken);
      assert.equal(ana.nick, "ana");
      assert.deepEqual(ana.received, []);
      assert.deepEqual(ben.received, []);
    });

    it("refuses an invalid nickname with CHAT_ERR_BAD_NICK", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      for (const m of [ana, ben]) m.clear();
      for (const wanted of ["", "two words", "a".repeat(25), "you", "YOU", "Server", "a\u001b"]) {
        assertError(hub.rename(ana, wanted), ErrorCode.BadNick);
      }
      assert.equal(ana.nick, "ana");
      assert.deepEqual(ana.received, []);
      assert.deepEqual(ben.received, []);
    });

    it("lets a member change the case of its own nickname", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      for (const m of [ana, ben]) m.clear();
      assert.equal(hub.rename(ana, "Ana"), undefined);
      assert.equal(ana.nick, "Ana");
      assert.deepEqual(ben.received, [{ type: "renamed", from: "ana", to: "Ana" }]);
      assert.equal(hub.size, 2);
      assert.equal(hub.whisper(ben, "ANA", "hi"), undefined);
    });

    it("does nothing when renaming to the same nickname", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      for (const m of [ana, ben]) m.clear();
      assert.equal(hub.rename(ana, "ana"), undefined);
      assert.deepEqual(ana.received, []);
      assert.deepEqual(ben.received, []);
    });
  });

  describe("leave", () => {
    it("announces left with the reason to the others", () => {
      const hub = new Hub();
      const [ana, ben, cy] = joined(hub, "ana", "ben", "cy") as [Inbox, Inbox, Inbox];
      for (const m of [ana, ben, cy]) m.clear();
      hub.leave(ben, "ping timeout");
      assert.deepEqual(ana.received, [{ type: "left", nick: "ben", reason: "ping timeout" }]);
      assert.deepEqual(cy.received, [{ type: "left", nick: "ben", reason: "ping timeout" }]);
      assert.deepEqual(ben.received, []);
      assert.equal(hub.size, 2);
    });

    it("announces an empty reason as empty", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      ana.clear();
      hub.leave(ben, "");
      assert.deepEqual(ana.received, [{ type: "left", nick: "ben", reason: "" }]);
    });

    it("frees the nickname for the next joiner", () => {
      const hub = new Hub();
      const [, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.leave(ben, "");
      assert.equal(hub.join(member(), "ben"), "ben");
    });

    it("is idempotent: a second leave announces nothing", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.leave(ben, "first");
      ana.clear();
      hub.leave(ben, "second");
      assert.deepEqual(ana.received, []);
      assert.equal(hub.size, 1);
    });

    it("does not remove someone else who now holds the departed member's nickname", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.leave(ben, "");
      const ben2 = member();
      hub.join(ben2, "ben");
      ana.clear();
      hub.leave(ben, "stale leave");
      assert.equal(hub.size, 2);
      assert.deepEqual(ana.received, []);
      assert.equal(hub.whisper(ana, "ben", "still here?"), undefined);
    });

    it("uses the member's current nickname after a rename", () => {
      const hub = new Hub();
      const [ana, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.rename(ben, "benny");
      ana.clear();
      hub.leave(ben, "bye");
      assert.deepEqual(ana.received, [{ type: "left", nick: "benny", reason: "bye" }]);
      assert.equal(hub.size, 1);
    });
  });

  describe("who", () => {
    it("lists nobody in an empty hub", () => {
      assert.deepEqual(new Hub().who(1000), []);
    });

    it("lists nick, address and idle seconds computed from lastActive and now", () => {
      const hub = new Hub();
      const now = 1_700_000_100_000;
      const ana = new Inbox("127.0.0.1:1", now - 5_000);
      const ben = new Inbox("[::1]:2", now - 125_999);
      const cy = new Inbox("10.0.0.3:3", now);
      hub.join(ana, "ana");
      hub.join(ben, "ben");
      hub.join(cy, "cy");
      assert.deepEqual(hub.who(now), [
        { nick: "ana", address: "127.0.0.1:1", idleSeconds: 5 },
        { nick: "ben", address: "[::1]:2", idleSeconds: 125 },
        { nick: "cy", address: "10.0.0.3:3", idleSeconds: 0 },
      ]);
    });

    it("rounds idle time down to whole seconds", () => {
      const hub = new Hub();
      const m = new Inbox("a:1", 10_000);
      hub.join(m, "ana");
      assert.equal(hub.who(10_999)[0]?.idleSeconds, 0);
      assert.equal(hub.who(11_000)[0]?.idleSeconds, 1);
      assert.equal(hub.who(11_999)[0]?.idleSeconds, 1);
    });

    it("never reports negative idle time when lastActive is after now", () => {
      const hub = new Hub();
      hub.join(new Inbox("a:1", 50_000), "ana");
      assert.equal(hub.who(10_000)[0]?.idleSeconds, 0);
    });

    it("sorts by nickname and shows current nicknames", () => {
      const hub = new Hub();
      const members = joined(hub, "delta", "alpha", "charlie", "bravo");
      hub.rename(members[0] as Inbox, "echo");
      assert.deepEqual(
        hub.who(0).map((e) => e.nick),
        ["alpha", "bravo", "charlie", "echo"],
      );
    });

    it("reflects activity: posting resets the idle time", () => {
      const hub = new Hub();
      const [ana] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      ana.lastActive = 0;
      hub.post(ana, "say", "I'm back");
      const entry = hub.who(ana.lastActive + 3_000).find((e) => e.nick === "ana");
      assert.equal(entry?.idleSeconds, 3);
    });

    it("leaves out members who left", () => {
      const hub = new Hub();
      const [, ben] = joined(hub, "ana", "ben") as [Inbox, Inbox];
      hub.leave(ben, "");
      assert.deepEqual(
        hub.who(0).map((e) => e.nick),
        ["ana"],
      );
    });
  });
});

describe("Hub presence limit", () => {
  it("announces joins and leaves only while the room is at most the limit", () => {
    const hub = new Hub(2);
    const seen: string[] = [];
    const member = (name: string) => ({
      address: "127.0.0.1",
      nick: "",
      lastActive: 0,
      deliver: (m: { type: string; nick?: string }) => {
        if (name === "a") seen.push(`${m.type} ${m.nick ?? ""}`);
      },
    });
    const a = member("a");
    hub.join(a, "a");
    const b = member("b");
    hub.join(b, "b");
    const c = member("c");
    hub.join(c, "c");
    hub.leave(c, "bye");
    hub.leave(b, "bye");
    assert.deepEqual(seen, ["joined b", "left b"]);
  });
});
