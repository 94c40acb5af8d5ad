// The file relay's rooms: a transfer belongs to the room it was sent to, and
// its offer and notices reach that room's members only; /files lists a room's
// files, /get finds the newest of a name in it, and ids stay global.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ProtocolError } from "../../src/protocol/errors.js";
import { roomKey } from "../../src/protocol/rooms.js";
import type { FileRelay } from "../../src/server/file-relay.js";
import { roomConversation } from "../../src/store/conversations.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { tempDir } from "../helpers/files.js";
import { Peer, startRelay, upload } from "../helpers/relay-peers.js";

describe("FileRelay rooms", () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  const relays: FileRelay[] = [];

  before(async () => {
    scratch = await tempDir("relay-rooms");
  });
  after(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await scratch.remove();
  });

  /** A relay whose rooms hold the given members; a room may gain members as the test goes. */
  async function relayWith(
    rooms: Record<string, Peer[]>,
    store = new MemoryStore(),
  ): Promise<FileRelay> {
    const members = new Map(Object.entries(rooms).map(([room, peers]) => [roomKey(room), peers]));
    const dir = `${scratch.path}/${relays.length}`;
    const audience = (room: string) => members.get(roomKey(room)) ?? [];
    const relay = await startRelay({ dir, store, audience });
    relays.push(relay);
    return relay;
  }

  it("offers a file to the members of its room only, and tells only them how it went", async () => {
    const alice = new Peer("alice");
    const bob = new Peer("bob");
    const carol = new Peer("carol");
    const relay = await relayWith({ "#dev": [alice, bob], "#lobby": [alice, bob, carol] });
    const transfer = await upload(relay, alice, new Uint8Array(1000).fill(1), { room: "#dev" });
    await bob.waitFor((m) => m.type === "file-end" && m.id === transfer.id);
    assert.equal(bob.about("file-offered", transfer.id).length, 1);
    assert.equal(bob.about("file-verified", transfer.id).length, 1);
    assert.equal(alice.about("file-verified", transfer.id).length, 1, "the sender hears too");
    assert.equal(alice.about("file-offered", transfer.id).length, 0, "but is not offered it");
    assert.deepEqual(carol.received, [], "a member of another room hears nothing of it");
  });

  it("cancels for the room's members, and for a sender that left the room", async () => {
    const alice = new Peer("alice");
    const bob = new Peer("bob");
    const outsider = new Peer("outsider");
    const dev = [alice, bob];
    const relay = await relayWith({ "#dev": dev, "#lobby": [outsider] });
    const transfer = await relay.offer(alice, "#dev", "gone.bin", 100);
    assert.ok(!(transfer instanceof ProtocolError));
    dev.splice(dev.indexOf(alice), 1); // alice leaves #dev, still connected
    const cancelled = (p: Peer) => p.about("file-cancelled", transfer.id).length;
    await bob.waitFor((m) => m.type === "file-cancelled");
    assert.equal(cancelled(bob), 1);
    assert.equal(cancelled(alice), 1, "its sender still hears, so its client frees the slot");
    assert.equal(cancelled(outsider), 0);
  });

  it("lists each room's files, and finds the newest file of a name in a room", async () => {
    const alice = new Peer("alice");
    const bob = new Peer("bob");
    const relay = await relayWith({ "#dev": [alice, bob], "#Ops": [alice, bob] });
    const first = await upload(relay, alice, new Uint8Array(10), { room: "#dev", name: "a.txt" });
    const other = await upload(relay, alice, new Uint8Array(20), { room: "#dev", name: "b.txt" });
    const again = await upload(relay, alice, new Uint8Array(30), { room: "#dev", name: "a.txt" });
    const ops = await upload(relay, bob, new Uint8Array(40), { room: "#ops", name: "a.txt" });

    const dev = relay.list("#dev");
    assert.deepEqual(
      dev.files.map((f) => [f.id, f.name, f.size]),
      [
        [first.id, "a.txt", 10],
        [other.id, "b.txt", 20],
        [again.id, "a.txt", 30],
      ],
    );
    assert.equal(dev.total, 3);
    assert.deepEqual(
      relay.list("#OPS").files.map((f) => [f.id, f.from]),
      [[ops.id, "bob"]],
      "rooms are the same whatever the case",
    );
    assert.deepEqual(relay.list("#empty"), { files: [], total: 0 });

    assert.equal(relay.newestNamed("#dev", "a.txt"), again.id);
    assert.equal(relay.newestNamed("#dev", "b.txt"), other.id);
    assert.equal(relay.newestNamed("#ops", "a.txt"), ops.id);
    assert.equal(relay.newestNamed("#ops", "b.txt"), undefined);
    assert.equal(relay.newestNamed("#dev", "A.TXT"), undefined, "file names keep their case");
  });

  it("lists each file after the room's last line before it was kept, with when and its hash", async () => {
    const alice = new Peer("alice");
    const store = new MemoryStore();
    const relay = await relayWith({ "#dev": [alice], "#ops": [alice] }, store);
    const say = (room: string, text: string) =>
      store.append({
        conversation: roomConversation(room),
        kind: "say",
        room,
        from: "alice",
        to: "",
        text,
      });
    const said = say("#dev", "here it comes");
    await said.stored;
    await say("#ops", "elsewhere").stored;
    const before = Date.now();
    const data = new Uint8Array(100).fill(3);
    const file = await upload(relay, alice, data, { room: "#dev" });

    const [listed] = relay.list("#dev").files;
    assert.equal(listed?.id, file.id);
    assert.equal(listed.afterLine, said.line.id, "not after the other room's line");
    assert.ok(listed.sharedAt >= before && listed.sharedAt <= Date.now(), "verified just now");
    assert.equal(
      Buffer.from(listed.sha256).toString("hex"),
      createHash("sha256").update(data).digest("hex"),
    );
  });

  it("lets a member who joined later, or anyone, /get a file by its id", async () => {
    const alice = new Peer("alice");
    const dev = [alice];
    const relay = await relayWith({ "#dev": dev });
    const data = new Uint8Array(5000).map((_, i) => i % 251);
    const transfer = await upload(relay, alice, data, { room: "#dev" });
    const late = new Peer("late");
    dev.push(late);
    assert.equal(relay.get(late, transfer.id, 0), undefined);
    await late.waitFor((m) => m.type === "file-end" && m.id === transfer.id);
    assert.deepEqual(late.bytesOf(transfer.id), Buffer.from(data));
  });

  it("refuses /get for a text client, whichever the room", async () => {
    const alice = new Peer("alice");
    const text = new Peer("text", "10.0.0.1", false);
    const relay = await relayWith({ "#dev": [alice, text] });
    const transfer = await upload(relay, alice, new Uint8Array(10), { room: "#dev" });
    assert.equal(text.about("file-offered", transfer.id).length, 1, "a text member sees the offer");
    assert.match(relay.get(text, transfer.id, 0)?.message ?? "", /need the sockchat client/);
  });

  it("offers the original client's upload to the room it was sent in", async () => {
    const sender = new Peer("legacy", "10.0.0.1", false);
    const bob = new Peer("bob");
    const carol = new Peer("carol");
    const relay = await relayWith({ "#dev": [sender, bob], "#lobby": [carol] });
    await relay.legacyStart(sender, "#dev", "notes.txt");
    await relay.legacyData(sender, new TextEncoder().encode("hello"));
    await relay.legacyEnd(sender);
    const offered = await bob.waitFor((m) => m.type === "file-offered");
    const id = offered.type === "file-offered" ? offered.id : 0;
    assert.deepEqual(
      relay.list("#dev").files.map((f) => [f.id, f.name, f.size]),
      [[id, "notes.txt", 5]],
    );
    assert.equal(relay.newestNamed("#dev", "notes.txt"), id);
    assert.deepEqual(carol.received, []);
  });
});
