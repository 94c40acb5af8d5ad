import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_READ_BYTES, MIN_READ_BYTES, ReadSizes } from "../../src/node/read-sizes.js";

/** Feeds reads that each return `got(offered)` bytes and lists the sizes offered. */
function offers(sizes: ReadSizes, count: number, got: (offered: number) => number): number[] {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) {
    const offered = sizes.next;
    seen.push(offered);
    sizes.observe(got(offered), offered);
  }
  return seen;
}

describe("ReadSizes", () => {
  it("starts at Node's 64 KiB and doubles while reads fill their buffer, up to 1 MiB", () => {
    const sizes = new ReadSizes();
    assert.deepEqual(
      offers(sizes, 7, (offered) => offered),
      [64, 128, 256, 512, 1024, 1024, 1024].map((k) => k * 1024),
    );
    assert.equal(sizes.next, MAX_READ_BYTES);
  });

  it("keeps its size while reads use between a quarter and all of it", () => {
    const sizes = new ReadSizes();
    offers(sizes, 3, (offered) => offered);
    assert.deepEqual(
      offers(sizes, 3, (offered) => offered / 4),
      [512, 512, 512].map((k) => k * 1024),
    );
  });

  it("halves after small reads, never below 64 KiB", () => {
    const sizes = new ReadSizes();
    offers(sizes, 5, (offered) => offered);
    assert.deepEqual(
      offers(sizes, 7, () => 100),
      [1024, 512, 256, 128, 64, 64, 64].map((k) => k * 1024),
    );
    assert.equal(sizes.next, MIN_READ_BYTES);
  });
});
