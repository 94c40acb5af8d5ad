// The browser's file adapters on Node's own Blob and File, which are the
// web platform's: slices read on demand, and SHA-256 hashed a piece at a time.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { blobFileSource } from "../../../src/client/browser/blob-source.js";
import { browserFileSupport, sha256Hasher } from "../../../src/client/browser/sha256-hasher.js";

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 131 + (i >>> 9)) & 0xff;
  return data;
}

describe("blobFileSource", () => {
  it("reads the slices asked for, named after the file", async () => {
    const data = pattern(5000);
    const source = blobFileSource(new File([data], "song.mp3"));
    assert.equal(source.name, "song.mp3");
    assert.equal(source.size, 5000);
    assert.deepEqual(await source.read(1000, 300), data.subarray(1000, 1300));
    assert.deepEqual(await source.read(4900, 100), data.subarray(4900));
    await source.close();
  });

  it("names a pasted blob without a name `file`, and fails a read past its end", async () => {
    const source = blobFileSource(new Blob([pattern(10)]));
    assert.equal(source.name, "file");
    await assert.rejects(source.read(5, 10), { message: "the file changed while being sent" });
  });
});

describe("sha256Hasher", () => {
  it("hashes incrementally what node:crypto hashes at once", () => {
    const data = pattern(300_000);
    const hasher = sha256Hasher();
    for (let at = 0; at < data.length; at += 65_537) hasher.update(data.subarray(at, at + 65_537));
    const expected = new Uint8Array(createHash("sha256").update(data).digest());
    assert.deepEqual(hasher.digest(), expected);
  });

  it("gives the browser's file support: hashing, and files fetched over HTTP", () => {
    const support = browserFileSupport();
    assert.equal(support.fetchedElsewhere, true);
    assert.equal(support.store, undefined);
    assert.equal(support.hasher().digest().length, 32);
  });
});
