// Addresses remembered for a while after they were last seen, a bounded number of them.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RecentAddresses } from "../../src/transport/recent-addresses.js";

describe("RecentAddresses", () => {
  it("remembers an address for the window after it was last seen", () => {
    const recent = new RecentAddresses(60_000, 10);
    recent.note("10.0.0.1", 1_000);
    assert.equal(recent.has("10.0.0.1", 61_000), true);
    assert.equal(recent.has("10.0.0.2", 1_000), false);
    recent.note("10.0.0.1", 50_000);
    assert.equal(recent.has("10.0.0.1", 100_000), true, "seen again: remembered longer");
    assert.equal(recent.has("10.0.0.1", 110_001), false);
    assert.equal(recent.has("10.0.0.1", 50_000), false, "forgotten once past");
  });

  it("forgets the least recently seen past its capacity", () => {
    const recent = new RecentAddresses(60_000, 2);
    recent.note("a", 1);
    recent.note("b", 2);
    recent.note("a", 3);
    recent.note("c", 4);
    assert.deepEqual(
      ["a", "b", "c"].map((address) => recent.has(address, 5)),
      [true, false, true],
    );
  });
});
