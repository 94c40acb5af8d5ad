import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_NICK_LENGTH,
  NicknameAllocator,
  nickBase,
  nickKey,
  nickProblem,
} from "../../src/server/nicknames.js";

const codePoints = (s: string): number => [...s].length;

describe("nickProblem", () => {
  it("accepts ordinary nicknames", () => {
    for (const nick of [
      "ana",
      "Ben",
      "cy_2",
      "d-e",
      "e.f",
      "[g]",
      "{h}",
      "i|j",
      "k^",
      "`l`",
      "7",
    ]) {
      assert.equal(nickProblem(nick), undefined, nick);
    }
  });

  it("accepts letters and digits of any script", () => {
    for (const nick of ["Zoë", "Зоя", "山田", "محمد", "Δημήτρης", "٣٤", "𝒜𝓁𝒾𝒸ℯ"]) {
      assert.equal(nickProblem(nick), undefined, nick);
    }
  });

  it("refuses an empty nickname", () => {
    assert.match(nickProblem("") ?? "", /empty/);
  });

  it("refuses spaces, punctuation, control characters and emoji", () => {
    for (const nick of [
      "two words",
      " ana",
      "ana ",
      "a,b",
      "a:b",
      "a@b",
      "a/b",
      "a\tb",
      "a\u001b",
      "👋",
    ]) {
      assert.match(nickProblem(nick) ?? "", /may contain/, JSON.stringify(nick));
    }
  });

  it("accepts exactly 24 characters and refuses 25", () => {
    assert.equal(MAX_NICK_LENGTH, 24);
    assert.equal(nickProblem("a".repeat(24)), undefined);
    assert.match(nickProblem("a".repeat(25)) ?? "", /at most 24/);
  });

  it("counts characters, not UTF-16 units: 24 astral letters are fine", () => {
    const nick = "𝒜".repeat(24); // 48 UTF-16 code units
    assert.equal(nick.length, 48);
    assert.equal(nickProblem(nick), undefined);
    assert.match(nickProblem("𝒜".repeat(25)) ?? "", /at most 24/);
  });

  it('refuses "You" in any case: every client shows its own lines as <You>', () => {
    for (const nick of ["You", "you", "YOU", "yOu"]) {
      assert.match(nickProblem(nick) ?? "", /reserved/, nick);
    }
  });

  it('refuses "server" in any case', () => {
    for (const nick of ["server", "Server", "SERVER"]) {
      assert.match(nickProblem(nick) ?? "", /reserved/, nick);
    }
  });

  it("accepts nicknames that merely contain a reserved word", () => {
    for (const nick of ["Yours", "you2", "_you", "servers"]) {
      assert.equal(nickProblem(nick), undefined, nick);
    }
  });
});

describe("nickKey", () => {
  it("ignores case", () => {
    assert.equal(nickKey("AnA"), nickKey("ana"));
    assert.equal(nickKey("ZOË"), nickKey("zoë"));
    assert.notEqual(nickKey("ana"), nickKey("anna"));
  });
});

describe("nickBase", () => {
  it("keeps a valid OS user name as it is", () => {
    assert.equal(nickBase("ana"), "ana");
    assert.equal(nickBase("Ana_B-2"), "Ana_B-2");
  });

  it("drops characters a nickname may not contain", () => {
    assert.equal(nickBase("John Doe"), "JohnDoe");
    assert.equal(nickBase("DOMAIN\\jdoe"), "DOMAINjdoe");
    assert.equal(nickBase("jdoe@example.com"), "jdoeexample.com");
    assert.equal(nickBase("Zoë O'Brien"), "ZoëOBrien");
    assert.equal(nickBase("user\u0000\u001b[31m"), "user[31m");
  });

  it('falls back to "guest" when nothing usable is left', () => {
    for (const name of ["", " ", "   ", "@#$%", "👋👋", "\t\n"]) {
      assert.equal(nickBase(name), "guest", JSON.stringify(name));
    }
  });

  it('falls back to "guest" for a reserved name', () => {
    assert.equal(nickBase("You"), "guest");
    assert.equal(nickBase("y o u"), "guest");
    assert.equal(nickBase("SERVER"), "guest");
  });

  it("truncates to 24 characters", () => {
    assert.equal(nickBase("a".repeat(40)), "a".repeat(24));
    const astral = nickBase("𝒜".repeat(30));
    assert.equal(codePoints(astral), 24);
    assert.equal(astral, "𝒜".repeat(24));
  });

  it("truncates after dropping invalid characters, not before", () => {
    const name = `${"a b ".repeat(12)}tail`; // 24 valid letters among spaces, then "tail"
    assert.equal(nickBase(name), "ab".repeat(12));
  });

  it("always returns an acceptable nickname", () => {
    const samples = ["", "x", "You", "a b", "a".repeat(100), "💥💥", "Ω", "-", "..", "Ана Мария"];
    for (const s of samples) {
      assert.equal(nickProblem(nickBase(s)), undefined, JSON.stringify(s));
    }
  });
});

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
