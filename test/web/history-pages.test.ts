// Pages of history in flight, and when a reconnect's catch-up has closed its gap.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HistoryPages, isFresh, nextResumePage } from "../../src/web/model/history-pages.js";

describe("HistoryPages", () => {
  it("gives each replayed line to the oldest open page of its conversation", () => {
    const pages = new HistoryPages();
    const join = pages.start("#dev", "join");
    const older = pages.start("#dev", "older");
    const other = pages.start("#ops", "join");
    assert.equal(pages.line("#dev", 40), join);
    assert.equal(pages.line("#dev", 41), join);
    assert.equal(pages.line("#ops", 7), other);
    assert.equal(pages.end("#dev", true), join);
    assert.equal(pages.line("#dev", 12), older);
    assert.deepEqual([join.count, join.oldest, join.more, join.ended], [2, 40, true, true]);
    assert.equal(pages.loading("#dev", "older"), true);
    // An empty page sends no history-end: the request's confirmation ends it.
    assert.equal(pages.settle(older), true);
    assert.equal(pages.settle(older), false);
    assert.equal(pages.loading("#dev", "older"), false);
    assert.equal(pages.line("#dev", 1), undefined);
    assert.equal(pages.open("#ops"), true);
    pages.clear();
    assert.equal(pages.open("#ops"), false);
    assert.equal(other.ended, true);
  });

  it("asks for older resume pages until one reaches the last line seen, or there is no more", () => {
    const pages = new HistoryPages();
    // 50 lines seen up to id 100; the reconnect's replay brings 101–150 of more.
    const first = pages.start("#dev", "resume", 100);
    for (let id = 120; id <= 150; id++) pages.line("#dev", id);
    pages.end("#dev", true);
    assert.equal(nextResumePage(first), 120, "a gap may remain before 120");
    assert.equal(isFresh(first, 120), true);
    const second = pages.start("#dev", "resume", 100);
    for (let id = 95; id < 120; id++) pages.line("#dev", id);
    pages.end("#dev", true);
    assert.equal(nextResumePage(second), undefined, "it reached 100: the gap is closed");
    assert.equal(isFresh(second, 100), false, "the last line seen is no news");
    assert.equal(isFresh(second, 101), true);

    const whole = pages.start("#ops", "resume", 10);
    pages.line("#ops", 30);
    pages.end("#ops", false);
    assert.equal(nextResumePage(whole), undefined, "nothing older is kept");

    const join = pages.start("#new", "join");
    pages.line("#new", 5);
    pages.end("#new", true);
    assert.equal(nextResumePage(join), undefined, "only a resume catches up");
    assert.equal(isFresh(join, 5), false);
    assert.equal(isFresh(undefined, 5), false);
  });
});
