// Mentions, rates, and how sizes and links read.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileUrl, formatRate, hex } from "../../src/web/model/format.js";
import { mentions } from "../../src/web/model/mentions.js";
import { RateMeter } from "../../src/web/model/rate-meter.js";

describe("mentions", () => {
  it("finds a nickname as a word, without regard to case", () => {
    assert.equal(mentions("alice: look", "alice"), true);
    assert.equal(mentions("hey @Alice!", "alice"), true);
    assert.equal(mentions("thanks alice.", "alice"), true);
    assert.equal(mentions("ping [x]", "[x]"), true);
    assert.equal(mentions("malice aforethought", "alice"), false);
    assert.equal(mentions("alice_2 is here", "alice"), false);
    assert.equal(mentions("anything", ""), false);
  });
});

describe("RateMeter", () => {
  it("gives bytes per second over the last seconds", () => {
    const meter = new RateMeter();
    assert.equal(meter.perSecond, 0);
    meter.sample(0, 0);
    assert.equal(meter.perSecond, 0);
    meter.sample(1000, 1_000_000);
    assert.equal(meter.perSecond, 1_000_000);
    for (let s = 2; s <= 10; s++) meter.sample(s * 1000, 1_000_000 + (s - 1) * 250_000);
    assert.equal(meter.perSecond, 250_000, "the fast first second is forgotten");
  });
});

describe("format", () => {
  it("links a file by id and its name, escaped", () => {
    assert.equal(fileUrl(12, "my song #1.mp3"), "/files/12/my%20song%20%231.mp3");
    assert.equal(fileUrl(3, "a/b?.txt"), "/files/3/a%2Fb%3F.txt");
  });

  it("reads rates and digests", () => {
    assert.equal(formatRate(2_500_000), "2.5 MB/s");
    assert.equal(hex(Uint8Array.of(0, 15, 255)), "000fff");
  });
});
