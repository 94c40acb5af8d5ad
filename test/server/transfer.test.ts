// A transfer's life as Transfer keeps it: the moves each state allows, and
// what each move lets go of.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SpoolStorage, SpoolWriter } from "../../src/server/spool.js";
import { type FilePeer, Transfer } from "../../src/server/transfer.js";
import type { FileRecord } from "../../src/store/store.js";

const sender: FilePeer = {
  nick: "alice",
  address: "10.0.0.1",
  capabilities: { files: true },
  bulkReady: true,
  deliver() {},
  sendBulk() {},
};

/** A spool that stores nothing: the transfer's moves do not depend on it. */
const spool = {
  read: async () => new Uint8Array(0),
} as unknown as SpoolStorage;
const writer: SpoolWriter = {
  append: async () => {},
  flushed: async () => {},
  seal: async () => {},
};
const file = { room: "#lobby", name: "f.bin", size: 3 };
const kept = { sha256: new Uint8Array(32), sharedAt: 0, expiresAt: 1, afterLine: 4 };

function uploading(): Transfer {
  return Transfer.upload(1, sender, file, spool, writer);
}

describe("Transfer", () => {
  it("goes uploading → verifying → verified → retired, and no other way", () => {
    const t = uploading();
    assert.equal(t.state, "uploading");
    assert.equal(t.verify(kept), false, "not before the upload ends");
    assert.equal(t.retire(), false);
    assert.equal(t.endUpload(), true);
    assert.equal(t.state, "verifying");
    assert.equal(t.endUpload(), false, "a second end is refused");
    assert.equal(t.underWay, true);
    assert.equal(t.verify(kept), true);
    assert.deepEqual([t.state, t.underWay, t.expiresAt, t.afterLine], ["verified", false, 1, 4]);
    assert.equal(t.abort(), false, "a kept file is not aborted");
    assert.equal(t.retire(), true);
    assert.equal(t.state, "retired");
    assert.equal(t.retire(), false);
  });

  it("aborts while under way only, and lets go of its sender then", () => {
    const uploadingNow = uploading();
    assert.equal(uploadingNow.abort(), true);
    assert.deepEqual([uploadingNow.state, uploadingNow.from], ["aborted", undefined]);
    assert.equal(uploadingNow.endUpload(), false);
    assert.equal(uploadingNow.abort(), false);
    const verifying = uploading();
    verifying.endUpload();
    assert.equal(verifying.abort(), true);
    assert.equal(verifying.verify(kept), false);
  });

  it("takes bytes while uploading, and none once sealed or aborted", async () => {
    const t = uploading();
    await t.append(new Uint8Array([1, 2, 3]));
    await t.seal();
    await assert.rejects(t.append(new Uint8Array([4])), /takes no more bytes/);
    const aborted = uploading();
    aborted.abort();
    await assert.rejects(aborted.append(new Uint8Array([4])), /takes no more bytes/);
  });

  it("starts a file spooled whole (the original client's) as verifying, with no sender hash", () => {
    const t = Transfer.upload(2, sender, file, spool, undefined);
    assert.deepEqual([t.state, t.received, t.spooled, t.senderHash], ["verifying", 3, 3, false]);
  });

  it("restores a kept file as verified, with nobody waiting for its summary", () => {
    const record: FileRecord = {
      id: 9,
      room: "#dev",
      from: "bob",
      name: "kept.txt",
      size: 5,
      sha256: new Uint8Array(32).fill(7),
      senderHash: true,
      sharedAt: 100,
      expiresAt: 200,
      afterLine: 41,
    };
    const t = Transfer.restored(record, spool);
    assert.deepEqual(
      [t.id, t.room, t.fromNick, t.from, t.name, t.size, t.spooled],
      [9, "#dev", "bob", undefined, "kept.txt", 5, 5],
    );
    assert.deepEqual([t.sharedAt, t.expiresAt, t.afterLine], [100, 200, 41]);
    assert.equal(t.state, "verified");
    assert.equal(t.underWay, false);
    assert.equal(t.completionSent, true);
    assert.deepEqual(t.sha256, record.sha256);
  });
});
