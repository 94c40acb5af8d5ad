import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nickProblem } from "../../src/protocol/nicknames.js";
import { NicknameAllocator } from "../../src/server/nickname-allocator.js";

const codePoints = (s: string): number => [...s].length;

/** What a fresh allocator picks: the first of base, base-2, base-3, … that is free. */
function uniqueNick(base: string, taken: (nick: string) => boolean): string {
  return new NicknameAllocator().allocate(base, taken);
}

describe("NicknameAllocator", () => {
  /** An allocator with the set of names in use it consults, as the hub keeps them. */
  function directory() {
    const inUse = new Set<string>();
    const allocator = new NicknameAllocator();
    let asked = 0;
    return {
      inUse,
      get asked() {
        return asked;
      },
      take(base: string): string {
        const nick = allocator.allocate(base, (n) => {
          asked += 1;
          return inUse.has(n);
        });
        inUse.add(nick);
        return nick;
      },
      release(nick: string) {
        inUse.delete(nick);
        allocator.release(nick);
      },
    };
  }

  it("gives released suffixes out again, lowest first, before new ones", () => {
    const d = directory();
    const nicks = Array.from({ length: 5 }, () => d.take("guest"));
    assert.deepEqual(nicks, ["guest", "guest-2", "guest-3", "guest-4", "guest-5"]);
    d.release("guest-3");
    d.release("guest-2");
    assert.deepEqual(
      [d.take("guest"), d.take("guest"), d.take("guest")],
      ["guest-2", "guest-3", "guest-6"],
    );
  });

  it("skips a released suffix that someone has chosen as their name meanwhile", () => {
    const d = directory();
    for (let i = 0; i < 4; i++) d.take("bo");
    d.release("bo-2");
    d.inUse.add("bo-2"); // taken by a rename, not by the allocator
    assert.equal(d.take("bo"), "bo-5");
  });

  it("starts again from -2 once no suffixed name of a base is in use", () => {
    const d = directory();
    for (let i = 0; i < 3; i++) d.take("cy");
    d.release("cy-3");
    d.release("cy-2");
    assert.equal(d.take("cy"), "cy-2");
  });

  it("assigns 10,000 guests with a constant number of look-ups each, not one per guest before", () => {
    const d = directory();
    for (let i = 0; i < 10_000; i++) d.take("guest");
    assert.equal(d.inUse.size, 10_000);
    assert.ok(d.asked <= 2 * 10_000, `${d.asked} look-ups`);
    // Churn: one leaves, one joins, many times over; each costs a few look-ups.
    const before = d.asked;
    for (let i = 0; i < 1_000; i++) {
      d.release(`guest-${2 + ((i * 7919) % 9_999)}`);
      d.take("guest");
    }
    assert.equal(d.inUse.size, 10_000);
    assert.ok(d.asked - before <= 2 * 1_000, `${d.asked - before} look-ups for 1,000 rejoins`);
  });
});

describe("uniqueNick", () => {
  it("returns the base when it is free", () => {
    assert.equal(
      uniqueNick("ana", () => false),
      "ana",
    );
  });

  it("adds -2, then -3, … for taken names", () => {
    const taken = new Set(["ana"]);
    assert.equal(
      uniqueNick("ana", (n) => taken.has(n)),
      "ana-2",
    );
    taken.add("ana-2");
    assert.equal(
      uniqueNick("ana", (n) => taken.has(n)),
      "ana-3",
    );
    for (let i = 3; i <= 11; i++) taken.add(`ana-${i}`);
    assert.equal(
      uniqueNick("ana", (n) => taken.has(n)),
      "ana-12",
    );
  });

  it("fills a gap instead of counting past it", () => {
    const taken = new Set(["ana", "ana-2", "ana-4"]);
    assert.equal(
      uniqueNick("ana", (n) => taken.has(n)),
      "ana-3",
    );
  });

  it("truncates a 24-character base so base plus suffix stays within 24", () => {
    const base = "abcdefghijklmnopqrstuvwx";
    assert.equal(base.length, 24);
    const taken = new Set([base]);
    const second = uniqueNick(base, (n) => taken.has(n));
    assert.equal(second, "abcdefghijklmnopqrstuv-2");
    assert.equal(second.length, 24);
    assert.equal(nickProblem(second), undefined);
  });

  it("truncates further once the suffix has two or three digits", () => {
    const base = "a".repeat(24);
    const taken = new Set<string>([base]);
    let last = "";
    for (let i = 0; i < 120; i++) {
      last = uniqueNick(base, (n) => taken.has(n));
      assert.ok(codePoints(last) <= 24, `${last} is ${codePoints(last)} characters`);
      assert.equal(nickProblem(last), undefined, last);
      assert.ok(!taken.has(last));
      taken.add(last);
    }
    assert.equal(last, `${"a".repeat(20)}-121`);
    assert.ok(taken.has(`${"a".repeat(21)}-10`));
    assert.ok(taken.has(`${"a".repeat(22)}-9`));
  });

  it("truncates by characters, never splitting a surrogate pair", () => {
    const base = "𝒜".repeat(24);
    const next = uniqueNick(base, (n) => n === base);
    assert.equal(next, `${"𝒜".repeat(22)}-2`);
    assert.equal(nickProblem(next), undefined);
  });

  it("asks about the candidates in order", () => {
    const asked: string[] = [];
    uniqueNick("bo", (n) => {
      asked.push(n);
      return asked.length < 4;
    });
    assert.deepEqual(asked, ["bo", "bo-2", "bo-3", "bo-4"]);
  });
});
