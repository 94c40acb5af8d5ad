import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_FILE_NAME_BYTES, safeFileName } from "../../src/protocol/file-names.js";

describe("safeFileName", () => {
  const cases: [string, string][] = [
    ["See-Saw.mp3", "See-Saw.mp3"],
    ["../../etc/passwd", "passwd"],
    ["a/b", "b"],
    ["C:\\Windows\\evil.exe", "evil.exe"],
    ["line\nbreak.txt", "line_break.txt"],
    ["bell\u0007.txt", "bell_.txt"],
    ["right\u202eto-left.txt", "right_to-left.txt"],
    [".bashrc", "bashrc"],
    ["..", "file"],
    ["", "file"],
    ["   ", "file"],
    ["trailing. ", "trailing"],
    ['what?<>:"|*.txt', "what_______.txt"],
    ["cafe\u0301.txt", "café.txt"],
  ];
  for (const [offered, saved] of cases) {
    it(`${JSON.stringify(offered)} is saved as ${JSON.stringify(saved)}`, () => {
      assert.equal(safeFileName(offered), saved);
    });
  }

  it("bounds the length in UTF-8 bytes and keeps a short extension", () => {
    const saved = safeFileName(`${"x".repeat(10_000)}.tar.gz`);
    assert.ok(Buffer.byteLength(saved) <= MAX_FILE_NAME_BYTES);
    assert.match(saved, /^x+\.gz$/);
  });

  it("never splits a multi-byte character when truncating", () => {
    const saved = safeFileName("é".repeat(500));
    assert.ok(Buffer.byteLength(saved) <= MAX_FILE_NAME_BYTES);
    assert.equal(saved, "é".repeat(MAX_FILE_NAME_BYTES / 2));
  });
});
