import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_NICK_LENGTH, nickBase, nickKey, nickProblem } from "../../src/protocol/nicknames.js";

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
    const astral = nickBase("𠀀".repeat(30));
    assert.equal(codePoints(astral), 24);
    assert.equal(astral, "𠀀".repeat(24));
  });

  it("writes compatibility characters as the letters they stand for (NFKC)", () => {
    assert.equal(nickBase("𝒜𝓁𝒾𝒸ℯ"), "Alice");
    assert.equal(nickBase("ａｌｉｃｅ"), "alice");
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
