// The local bus: a chat line is stored first and delivered after its commit,
// to the members of its room but the sender, or to the one recipient of a
// private line; a line the store could not keep reaches nobody.

import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { LocalBus } from "../../src/server/bus.js";
import { messageChannel } from "../../src/server/diagnostics.js";
import { Directory } from "../../src/server/directory.js";
import type { Member } from "../../src/server/member.js";
import { Rooms } from "../../src/server/rooms.js";
import { privateConversation, roomConversation } from "../../src/store/conversations.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { type LineDraft, type Store, StoreWriteError } from "../../src/store/store.js";
import { HeldStore } from "../helpers/held-store.js";

/** A member that keeps what it is given: the bus's real collaborator, in memory. */
class Inbox implements Member {
  nick = "";
  lastActive = 0;
  readonly address = "127.0.0.1:1";
  readonly received: ServerMessage[] = [];

  deliver(message: ServerMessage): void {
    this.received.push(message);
  }

  get texts(): string[] {
    return this.received.flatMap((m) => (m.type === "message" ? [m.text] : []));
  }
}

function world(store: Store = new MemoryStore()) {
  const directory = new Directory();
  const rooms = new Rooms("#lobby");
  const bus = new LocalBus(store, rooms);
  const join = (nick: string, ...roomNames: string[]): Inbox => {
    const inbox = new Inbox();
    directory.admit(inbox, nick);
    rooms.join(inbox, rooms.defaultRoom);
    for (const name of roomNames) {
      const room = rooms.open(name);
      if (room instanceof Error) throw room;
      rooms.join(inbox, room);
    }
    return inbox;
  };
  return { directory, rooms, bus, store, join };
}

function say(from: Member, text: string, room = "#lobby"): LineDraft {
  return {
    conversation: roomConversation(room),
    kind: "say",
    room,
    from: from.nick,
    to: "",
    text,
  };
}

function whisper(from: Member, to: Member, text: string): LineDraft {
  return {
    conversation: privateConversation(from.nick, to.nick),
    kind: "private",
    room: "",
    from: from.nick,
    to: to.nick,
    text,
  };
}

describe("LocalBus", () => {
  describe("post", () => {
    it("reaches everyone in the room except the sender, as stored", async () => {
      const { bus, join } = world();
      const [ana, ben, cy] = [join("ana"), join("ben"), join("cy")];
      const line = await bus.post(say(ana, "hello"), ana);
      const expected = {
        type: "message",
        kind: "say",
        ts: line.ts,
        from: "ana",
        to: "",
        text: "hello",
        room: "#lobby",
        id: line.id,
        replayed: false,
      };
      assert.deepEqual(ben.received, [expected]);
      assert.deepEqual(cy.received, [expected]);
      assert.deepEqual(ana.received, []);
    });

    it("delivers nothing before the line is committed, and the line is readable when it is", async () => {
      const { bus, join, store } = world();
      const [ana, ben] = [join("ana"), join("ben")];
      const posted = bus.post(say(ana, "wait for it"), ana);
      assert.deepEqual(ben.received, []);
      assert.deepEqual(store.latest("#lobby", 10), []);
      const line = await posted;
      assert.deepEqual(ben.texts, ["wait for it"]);
      assert.deepEqual(store.latest("#lobby", 10), [line]);
    });

    it("reaches only the members of the line's room", async () => {
      const { bus, join } = world();
      const ana = join("ana", "#dev");
      const ben = join("ben", "#dev");
      const cy = join("cy");
      await bus.post(say(ana, "dev only", "#dev"), ana);
      assert.deepEqual(ben.texts, ["dev only"]);
      assert.deepEqual(cy.received, []);
    });

    it("delivers many lines, posted in one turn by several senders, in the order posted", async () => {
      const { bus, join } = world();
      const members = [join("ana"), join("ben"), join("cy")];
      const sent: [Inbox, string][] = [];
      const posts: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        const from = members[i % 3] as Inbox;
        const draft = say(from, `message ${i}`);
        posts.push(bus.post(i % 7 === 0 ? { ...draft, kind: "action" } : draft, from));
        sent.push([from, `message ${i}`]);
      }
      await Promise.all(posts);
      for (const m of members) {
        const expected = sent.filter(([from]) => from !== m).map(([, text]) => text);
        assert.deepEqual(m.texts, expected, m.nick);
      }
    });

    it("tells each sender its line is stored at the line's place in what that sender is delivered", async () => {
      const { bus, join } = world();
      const members = [join("ana"), join("ben")];
      // Each member's stream: the lines delivered to it and its own confirmations, as they came.
      const streams = new Map(members.map((m) => [m, [] as string[]]));
      for (const m of members) {
        const deliver = m.deliver.bind(m);
        m.deliver = (message) => {
          if (message.type === "message") streams.get(m)?.push(message.text);
          deliver(message);
        };
      }
      const posts: Promise<{ text: string }>[] = [];
      const order: string[] = [];
      for (let i = 0; i < 20; i++) {
        const from = members[i % 2 === 0 || i > 14 ? 0 : 1] as Inbox;
        const text = `${from.nick} ${i}`;
        posts.push(bus.post(say(from, text), from, undefined, () => streams.get(from)?.push(text)));
      }
      for (const line of await Promise.all(posts)) order.push(line.text);
      for (const m of members) assert.deepEqual(streams.get(m), order, m.nick);
    });

    it("sends actions with the action kind", async () => {
      const { bus, join } = world();
      const [ana, ben] = [join("ana"), join("ben")];
      await bus.post({ ...say(ana, "waves"), kind: "action" }, ana);
      assert.equal((ben.received[0] as { kind: string }).kind, "action");
    });

    it("does not reach members who left the room", async () => {
      const { bus, join, rooms } = world();
      const [ana, ben, cy] = [join("ana"), join("ben"), join("cy")];
      rooms.leaveAll(cy);
      await bus.post(say(ana, "still there?"), ana);
      assert.deepEqual(cy.received, []);
      assert.deepEqual(ben.texts, ["still there?"]);
    });

    it("rejects with the store's error when the line cannot be kept, and nobody sees it", async () => {
      const store = new HeldStore();
      const { bus, join } = world(store);
      const [ana, ben] = [join("ana"), join("ben")];
      const hold = store.hold();
      const posted = bus.post(say(ana, "lost"), ana);
      hold.fail(new StoreWriteError("the disk holding the database is full", true));
      await assert.rejects(posted, (e) => e instanceof StoreWriteError && e.diskFull);
      assert.deepEqual(ben.received, []);
      assert.deepEqual(store.latest("#lobby", 10), []);
    });

    it("publishes room lines on the message channel, never private ones", async () => {
      const { bus, join } = world();
      const [ana, ben] = [join("ana"), join("ben")];
      const published: unknown[] = [];
      const listener = (m: unknown) => published.push((m as { text: string }).text);
      subscribe(messageChannel.name, listener);
      try {
        await bus.post(say(ana, "public"), ana);
        await bus.post(whisper(ana, ben, "secret"), ana);
      } finally {
        unsubscribe(messageChannel.name, listener);
      }
      assert.deepEqual(published, ["public"]);
    });
  });

  describe("private lines", () => {
    it("reach the recipient only, wherever either of them is", async () => {
      const { bus, join } = world();
      const ana = join("ana", "#dev");
      const ben = join("ben");
      const cy = join("cy", "#dev");
      const line = await bus.post(whisper(ana, ben, "psst"), ana, ben);
      assert.deepEqual(ben.received, [
        {
          type: "message",
          kind: "private",
          ts: line.ts,
          from: "ana",
          to: "ben",
          text: "psst",
          room: "",
          id: line.id,
          replayed: false,
        },
      ]);
      assert.deepEqual(ana.received, []);
      assert.deepEqual(cy.received, []);
    });

    it("are kept under the conversation both people page, whoever wrote", async () => {
      const { bus, join, store } = world();
      const [ana, ben] = [join("ana"), join("Ben")];
      await bus.post(whisper(ana, ben, "one"), ana, ben);
      await bus.post(whisper(ben, ana, "two"), ben, ana);
      const texts = (key: string) => store.latest(key, 10).map((l) => l.text);
      assert.deepEqual(texts(privateConversation("ana", "Ben")), ["one", "two"]);
      assert.deepEqual(texts(privateConversation("BEN", "ANA")), ["one", "two"]);
    });
  });

  describe("announce", () => {
    it("delivers to everyone in the room but the one excepted, and to nobody for an unknown room", () => {
      const { bus, join } = world();
      const [ana, ben] = [join("ana"), join("ben")];
      const topic = { type: "topic-is", room: "#lobby", topic: "hi", by: "ana" } as const;
      bus.announce("#LOBBY", topic, ana);
      bus.announce("#nowhere", topic);
      assert.deepEqual(ben.received, [topic]);
      assert.deepEqual(ana.received, []);
    });
  });
});
