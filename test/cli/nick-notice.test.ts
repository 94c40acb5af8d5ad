// What the terminal client says when the server gave another nickname than the one asked for.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nickNotice } from "../../src/cli/nick-notice.js";

describe("nickNotice", () => {
  it("says nothing when the name asked for was given", () => {
    assert.equal(nickNotice("alice", "alice"), undefined);
  });

  it("says the name was taken, or broke a rule, or was written another way", () => {
    assert.equal(nickNotice("alice", "alice-2"), "* you are alice-2: alice is taken");
    assert.match(
      nickNotice("bad nick!", "badnick") ?? "",
      /^\* you are badnick, not "bad nick!": /,
    );
    assert.equal(
      nickNotice("ａｌｉｃｅ", "alice"),
      '* you are alice: "ａｌｉｃｅ" is that name written another way',
    );
  });
});
