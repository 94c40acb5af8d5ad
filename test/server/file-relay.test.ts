// The file relay in-process, with in-memory peers: what it holds once an
// upload is verified, and the deadlines that keep silent peers from holding it.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ProtocolError } from "../../src/protocol/errors.js";
import { DOWNLOAD_WINDOW_BYTES, FILE_CHUNK_BYTES } from "../../src/protocol/frame.js";
import { DEFAULT_ROOM } from "../../src/protocol/rooms.js";
import type { FileRelay, FileRelayConfig } from "../../src/server/file-relay.js";
import type { Transfer } from "../../src/server/transfer.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { tempDir } from "../helpers/files.js";
import { Peer, startRelay, upload } from "../helpers/relay-peers.js";

describe("FileRelay", () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  const relays: FileRelay[] = [];

  before(async () => {
    scratch = await tempDir("relay");
  });
  after(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await scratch.remove();
  });

  /** A relay whose every room is `peers`. */
  async function relayFor(
    peers: Peer[],
    config: Partial<FileRelayConfig> = {},
  ): Promise<FileRelay> {
    const dir = `${scratch.path}/${relays.length}`;
    const relay = await startRelay({
      dir,
      store: new MemoryStore(),
      audience: () => peers,
      config,
    });
    relays.push(relay);
    return relay;
  }

  it("keeps none of a verified upload in memory, though a receiver never confirms it", async () => {
    const sender = new Peer("sender");
    const silent = new Peer("silent");
    const relay = await relayFor([sender, silent]);
    const data = new Uint8Array(3 * 1024 * 1024).fill(9);
    const transfer = await upload(relay, sender, data);
    await silent.waitFor((m) => m.type === "file-end" && m.id === transfer.id);
    assert.equal(transfer.state, "verified");
    assert.equal(transfer.recent(0, 1), undefined, "the newest bytes were let go at verification");
    assert.equal(transfer.recent(data.length - 1, 1), undefined);
  });

  it("gives up on a receiver that never confirms, and tells the sender why", async () => {
    const sender = new Peer("sender");
    const silent = new Peer("silent");
    const relay = await relayFor([sender, silent]);
    const transfer = await upload(relay, sender, new Uint8Array(1000));
    const complete = await sender.waitFor(
      (m) => m.type === "file-complete" && m.id === transfer.id,
    );
    assert.deepEqual(
      complete.type === "file-complete" && [complete.delivered, complete.failed, complete.detail],
      [0, 1, "silent: no answer from silent for 0.1 s"],
    );
  });

  it("gives up on a receiver that grants no more window, and tells it no more will come", async () => {
    const sender = new Peer("sender");
    const stingy = new Peer("stingy");
    // Long enough that a loaded machine never takes the upload itself for silent.
    const relay = await relayFor([sender, stingy], { transferTimeoutMs: 1000 });
    const transfer = await upload(
      relay,
      sender,
      new Uint8Array(DOWNLOAD_WINDOW_BYTES + FILE_CHUNK_BYTES),
    );
    const cancelled = await stingy.waitFor(
      (m) => m.type === "file-cancelled" && m.id === transfer.id,
    );
    assert.equal(
      cancelled.type === "file-cancelled" && cancelled.reason,
      "no answer from stingy for 1 s",
    );
    const got = stingy.received.reduce(
      (n, m) => n + (m.type === "file-chunk" ? m.data.length : 0),
      0,
    );
    assert.equal(got, DOWNLOAD_WINDOW_BYTES);
    const complete = await sender.waitFor(
      (m) => m.type === "file-complete" && m.id === transfer.id,
    );
    assert.equal(complete.type === "file-complete" && complete.failed, 1);
  });

  it("cancels an upload that sends nothing, for everyone, and frees its slot", async () => {
    const idle = new Peer("idle");
    const watcher = new Peer("watcher");
    const relay = await relayFor([idle, watcher]);
    const offers = await Promise.all(
      Array.from({ length: 8 }, () => relay.offer(idle, DEFAULT_ROOM, "never.bin", 1e9)),
    );
    const ids = offers.map((t) => (t as Transfer).id);
    assert.ok(offers.every((t) => !(t instanceof ProtocolError)));
    const refused = await relay.offer(idle, DEFAULT_ROOM, "ninth.bin", 10);
    assert.ok(refused instanceof ProtocolError, "the ninth is over the per-client cap");
    for (const id of ids) {
      const cancelled = await watcher.waitFor((m) => m.type === "file-cancelled" && m.id === id);
      assert.equal(
        cancelled.type === "file-cancelled" && cancelled.reason,
        "no data from idle for 0.1 s",
      );
    }
    const again = await relay.offer(idle, DEFAULT_ROOM, "later.bin", 10);
    assert.ok(!(again instanceof ProtocolError), "the slots came free");
  });

  it("caps uploads under way per address, however many connections it has", async () => {
    const peers = [new Peer("a1"), new Peer("a2"), new Peer("a3"), new Peer("b1", "10.0.0.2")];
    const relay = await relayFor(peers);
    const from = (peer: Peer, n: number) =>
      Array.from({ length: n }, () => relay.offer(peer, DEFAULT_ROOM, "x.bin", 1000));
    const outcomes = await Promise.all([
      ...from(peers[0] as Peer, 8),
      ...from(peers[1] as Peer, 8),
    ]);
    assert.ok(outcomes.every((t) => !(t instanceof ProtocolError)));
    const seventeenth = await relay.offer(peers[2] as Peer, DEFAULT_ROOM, "x.bin", 1000);
    assert.ok(seventeenth instanceof ProtocolError);
    assert.match(seventeenth.message, /16 files are already being sent from your address/);
    const elsewhere = await relay.offer(peers[3] as Peer, DEFAULT_ROOM, "x.bin", 1000);
    assert.ok(!(elsewhere instanceof ProtocolError), "another address is not held back");
  });
});
