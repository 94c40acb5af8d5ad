import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_ROOM,
  MAX_ROOM_NAME_LENGTH,
  roomKey,
  roomProblem,
} from "../../src/protocol/rooms.js";

describe("roomProblem", () => {
  it("accepts ordinary room names", () => {
    for (const name of [
      "#lobby",
      "#dev",
      "#a",
      "#7",
      "#dev-ops",
      "#v1.2",
      "#snake_case",
      "#MiXeD",
    ]) {
      assert.equal(roomProblem(name), undefined, name);
    }
  });

  it("accepts the default room", () => {
    assert.equal(roomProblem(DEFAULT_ROOM), undefined);
  });

  it("accepts letters and digits of any script", () => {
    for (const name of ["#Ünïcode", "#комната", "#山田", "#محمد", "#Δημήτρης", "#٣٤", "#𝒜𝓁𝒾𝒸ℯ"]) {
      assert.equal(roomProblem(name), undefined, name);
    }
  });

  it("refuses a name without the leading #, suggesting it with one", () => {
    assert.equal(roomProblem("dev"), "a room name starts with #, as in #dev");
    assert.match(roomProblem("dev#") ?? "", /starts with #/);
    assert.match(roomProblem(" #dev") ?? "", /starts with #/);
  });

  it("refuses an empty name", () => {
    assert.match(roomProblem("") ?? "", /starts with #, as in #dev/);
  });

  it("refuses a # alone", () => {
    assert.match(roomProblem("#") ?? "", /needs a letter or digit after the #/);
  });

  it("accepts exactly 32 characters after the # and refuses 33", () => {
    assert.equal(MAX_ROOM_NAME_LENGTH, 32);
    assert.equal(roomProblem(`#${"a".repeat(32)}`), undefined);
    assert.match(roomProblem(`#${"a".repeat(33)}`) ?? "", /at most 32 characters/);
  });

  it("counts characters, not UTF-16 units: 32 astral letters are fine, 33 are not", () => {
    assert.equal(roomProblem(`#${"𝒜".repeat(32)}`), undefined);
    assert.match(roomProblem(`#${"𝒜".repeat(33)}`) ?? "", /at most 32 characters/);
  });

  it("refuses spaces, punctuation, a second #, control characters, bidi controls and emoji", () => {
    for (const name of [
      "#two words",
      "# dev",
      "#dev ",
      "#a,b",
      "#a:b",
      "#a/b",
      "#a#b",
      "##",
      "#a\tb",
      "#a\nb",
      "#a\u001b[2J",
      "#a\u202eb",
      "#👋",
    ]) {
      assert.match(roomProblem(name) ?? "", /may contain letters, digits/, JSON.stringify(name));
    }
  });
});

describe("roomKey", () => {
  it("is the same for names that differ only in case", () => {
    assert.equal(roomKey("#Dev"), roomKey("#dev"));
    assert.equal(roomKey("#DEV"), roomKey("#dev"));
    assert.equal(roomKey("#ÜNÏCODE"), roomKey("#ünïcode"));
    assert.equal(roomKey("#КОМНАТА"), roomKey("#комната"));
    assert.equal(roomKey("#ｄｅｖ"), roomKey("#dev"), "and in compatibility characters");
  });

  it("differs for different names", () => {
    assert.notEqual(roomKey("#dev"), roomKey("#dev2"));
    assert.notEqual(roomKey("#dev"), roomKey("dev"));
    assert.notEqual(roomKey("#dev-ops"), roomKey("#dev_ops"));
  });
});
