// A conversation's lines: in id order whatever order they come in, each stored
// line once, own lines claimed by the server's copy of them.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageList } from "../../src/web/model/message-list.js";

function texts(list: MessageList<string>): string[] {
  return list.entries.map((entry) => entry.item);
}

describe("MessageList", () => {
  it("keeps live lines and replayed pages interleaved in id order, each id once", () => {
    const list = new MessageList<string>();
    // Live lines as they come, then the join's replay, then an older page, then a reconnect's replay.
    for (const id of [20, 21]) assert.equal(list.addStored(id, `live ${id}`), true);
    for (const id of [15, 16, 17, 18, 19, 20]) list.addStored(id, `replayed ${id}`);
    for (const id of [10, 12, 14]) list.addStored(id, `page ${id}`);
    for (const id of [19, 20, 21, 22, 23]) list.addStored(id, `again ${id}`);
    assert.deepEqual(texts(list), [
      "page 10",
      "page 12",
      "page 14",
      "replayed 15",
      "replayed 16",
      "replayed 17",
      "replayed 18",
      "replayed 19",
      "live 20",
      "live 21",
      "again 22",
      "again 23",
    ]);
    assert.equal(list.addStored(21, "duplicate"), false, "a duplicate is dropped");
    assert.deepEqual([list.oldestId, list.newestId, list.size], [10, 23, 12]);
    assert.deepEqual(
      list.entries.map((entry) => entry.id),
      [10, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
    );
  });

  it("keeps a line without an id after the line newest when it came", () => {
    const list = new MessageList<string>();
    list.addStored(5, "five");
    list.addLocal("notice after five");
    list.addStored(7, "seven");
    list.addLocal("notice after seven");
    list.addStored(3, "three"); // an older page
    list.addStored(6, "six"); // a line stored between, told late
    assert.deepEqual(texts(list), [
      "three",
      "five",
      "notice after five",
      "six",
      "seven",
      "notice after seven",
    ]);
    assert.equal(list.oldestId, 3, "lines without ids are no page boundary");
  });

  it("puts a line without an id after the stored line named, where that line is or will be", () => {
    const list = new MessageList<string>();
    list.addStored(10, "ten");
    list.addStored(12, "twelve");
    assert.equal(list.addAfter(10, "file after ten", "f1"), true);
    list.addAfter(10, "another after ten", "f2");
    list.addAfter(3, "file after three", "f3"); // older than any line here
    assert.deepEqual(texts(list), [
      "file after three",
      "ten",
      "file after ten",
      "another after ten",
      "twelve",
    ]);
    // Older pages and a line told late go on the side their ids say.
    for (const id of [2, 3, 4]) list.addStored(id, String(id));
    list.addStored(11, "eleven");
    list.addLocal("notice after twelve");
    list.addAfter(12, "file after twelve", "f4");
    assert.equal(list.addAfter(4, "file after ten, again", "f1"), false, "a key is added once");
    assert.deepEqual(texts(list), [
      "2",
      "3",
      "file after three",
      "4",
      "ten",
      "file after ten",
      "another after ten",
      "eleven",
      "twelve",
      "notice after twelve",
      "file after twelve",
    ]);
    assert.deepEqual([list.oldestId, list.newestId], [2, 12], "lines without ids are no boundary");
    list.addStored(13, "thirteen");
    assert.equal(texts(list).at(-1), "thirteen");
  });

  it("moves an own line where the server answered it, before own lines still unanswered", () => {
    const list = new MessageList<string>();
    list.addStored(1, "bob: hi");
    const first = list.addLocal("me: hello", { claim: "say hello", awaiting: true });
    list.addStored(2, "carol: stored before mine");
    list.addLocal("me: second", { claim: "say second", awaiting: true });
    list.settle(first);
    assert.deepEqual(texts(list), [
      "bob: hi",
      "carol: stored before mine",
      "me: hello",
      "me: second",
    ]);
    list.addStored(4, "bob: after mine");
    assert.deepEqual(texts(list), [
      "bob: hi",
      "carol: stored before mine",
      "me: hello",
      "me: second",
      "bob: after mine",
    ]);
    list.settle("m2");
    list.settle(first);
    assert.equal(texts(list)[1], "carol: stored before mine", "a stored or answered line stays");
    assert.equal(texts(list)[2], "me: hello");
  });

  it("lets the server's copy of an own line take its place, once, in id order, under its key", () => {
    const list = new MessageList<string>();
    list.addStored(1, "bob: hi");
    const first = list.addLocal("me: hello (sending)", { claim: "say hello" });
    const second = list.addLocal("me: hello again (sending)", { claim: "say hello" });
    list.addStored(3, "bob: you there?");
    // After a reconnect the replay brings both own lines back, stored as 2 and 4.
    assert.equal(list.addStored(2, "me: hello", "say hello"), true);
    assert.equal(list.addStored(4, "me: hello again", "say hello"), true);
    assert.equal(list.addStored(2, "me: hello", "say hello"), false);
    assert.deepEqual(texts(list), ["bob: hi", "me: hello", "bob: you there?", "me: hello again"]);
    assert.deepEqual(
      list.entries.map((entry) => entry.key),
      ["m1", first, "m3", second],
    );
    assert.equal(list.addStored(5, "me: hello", "say hello"), true, "nothing left to claim: added");
    assert.equal(list.size, 5);
  });

  it("adds a keyed line once, and updates it in place", () => {
    const list = new MessageList<string>();
    assert.equal(list.addLocal("file 9 arriving", { key: "f9" }), "f9");
    list.addStored(1, "one");
    assert.equal(list.addLocal("file 9 again", { key: "f9" }), "f9");
    assert.equal(
      list.update("f9", () => "file 9 verified"),
      true,
    );
    assert.equal(
      list.update("nope", () => "x"),
      false,
    );
    assert.deepEqual(texts(list), ["file 9 verified", "one"]);
    assert.equal(list.get("f9"), "file 9 verified");
  });
});
