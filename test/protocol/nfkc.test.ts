import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nfkc } from "../../src/protocol/nfkc.js";

describe("nfkc", () => {
  it("is String.prototype.normalize('NFKC'), ASCII left as it is without it", () => {
    for (const text of ["#dev", "alice", "", "ａｌｉｃｅ", "ﬁona", "𝒜𝓁𝒾𝒸ℯ", "Zoë", "e\u0301"]) {
      assert.equal(nfkc(text), text.normalize("NFKC"), text);
    }
    const ascii = "plain-ascii_name";
    assert.equal(nfkc(ascii), ascii);
  });
});
