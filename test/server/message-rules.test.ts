import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import { DEFAULTS } from "../../src/server/config.js";
import { MAX_REASON_BYTES, reasonProblem, textProblem } from "../../src/server/message-rules.js";

const LIMIT = DEFAULTS.maxMessageBytes;

function assertProblem(text: string, code: string, maxBytes = LIMIT): ProtocolError {
  const problem = textProblem(text, maxBytes);
  assert.ok(problem instanceof ProtocolError, `expected ${code} for ${JSON.stringify(text)}`);
  assert.equal(problem.code, code, JSON.stringify(text));
  assert.equal(problem.fatal, false, "a bad message must not end the connection");
  return problem;
}

describe("textProblem", () => {
  it("accepts ordinary text", () => {
    for (const text of [
      "hi",
      "hello, world!",
      "Zoë says 👋",
      "שלום",
      "a  b",
      " leading",
      "trailing ",
    ]) {
      assert.equal(textProblem(text, LIMIT), undefined, text);
    }
  });

  describe("empty messages", () => {
    it("refuses an empty message", () => {
      assertProblem("", ErrorCode.EmptyMessage);
    });

    it("refuses a message of only whitespace", () => {
      for (const text of [" ", "   ", "\t", "\n", " \t\n ", "\u00a0", "\u3000"]) {
        assertProblem(text, ErrorCode.EmptyMessage);
      }
    });
  });

  describe("size limit in UTF-8 bytes", () => {
    it("accepts exactly the limit and refuses one byte more", () => {
      assert.equal(textProblem("a".repeat(LIMIT), LIMIT), undefined);
      const problem = assertProblem("a".repeat(LIMIT + 1), ErrorCode.MessageTooLarge);
      assert.match(problem.message, new RegExp(`${LIMIT + 1} bytes.*${LIMIT}`));
    });

    it("counts two-byte characters as two bytes", () => {
      // "é" is one UTF-16 unit but two UTF-8 bytes.
      assert.equal(textProblem("é".repeat(5), 10), undefined);
      assertProblem("é".repeat(6), ErrorCode.MessageTooLarge, 11);
    });

    it("counts three-byte characters as three bytes", () => {
      assert.equal(textProblem("€".repeat(3), 9), undefined);
      assertProblem("€".repeat(3), ErrorCode.MessageTooLarge, 8);
    });

    it("counts astral characters as four bytes, not two UTF-16 units", () => {
      assert.equal(textProblem("👋👋", 8), undefined);
      assertProblem("👋👋", ErrorCode.MessageTooLarge, 7);
    });

    it("refuses text within the limit in characters but over it in bytes", () => {
      const text = "日本語".repeat(LIMIT / 6 + 1); // under LIMIT characters, over LIMIT bytes
      assert.ok(text.length < LIMIT);
      assertProblem(text, ErrorCode.MessageTooLarge);
    });

    it("counts a multi-byte character that straddles the limit as too large", () => {
      assertProblem(`${"a".repeat(LIMIT - 1)}é`, ErrorCode.MessageTooLarge);
      assert.equal(textProblem(`${"a".repeat(LIMIT - 2)}é`, LIMIT), undefined);
    });
  });

  describe("control characters", () => {
    it("refuses ESC, which could drive the receivers' terminals", () => {
      assertProblem("\u001b[2J", ErrorCode.ControlCharacters);
      assertProblem("red \u001b[31mtext", ErrorCode.ControlCharacters);
    });

    it("refuses every C0 control except tab and line feed", () => {
      for (let c = 0; c < 0x20; c++) {
        const text = `a${String.fromCharCode(c)}b`;
        if (c === 0x09 || c === 0x0a) assert.equal(textProblem(text, LIMIT), undefined);
        else assertProblem(text, ErrorCode.ControlCharacters);
      }
    });

    it("refuses CR, NUL, BEL, backspace and DEL", () => {
      for (const c of ["\r", "\u0000", "\u0007", "\b", "\u007f"]) {
        assertProblem(`x${c}y`, ErrorCode.ControlCharacters);
      }
    });

    it("refuses C1 controls such as CSI (U+009B)", () => {
      assertProblem("x\u009b31my", ErrorCode.ControlCharacters);
      assertProblem("x\u0085y", ErrorCode.ControlCharacters);
    });

    it("accepts tab and newline", () => {
      assert.equal(textProblem("col1\tcol2", LIMIT), undefined);
      assert.equal(textProblem("line 1\nline 2", LIMIT), undefined);
      assert.equal(textProblem("\tindented\n\tblock", LIMIT), undefined);
    });

    it("accepts formatting characters that are not controls (ZWJ emoji, combining marks)", () => {
      assert.equal(textProblem("👩‍👩‍👧", LIMIT), undefined);
      assert.equal(textProblem("e\u0301", LIMIT), undefined);
    });

    it("names the allowed characters in the error", () => {
      const problem = assertProblem("\u001b", ErrorCode.ControlCharacters);
      assert.match(problem.message, /tab and newline/);
    });
  });

  describe("reasonProblem", () => {
    it("accepts an empty reason and plain text up to 300 bytes, tab included", () => {
      assert.equal(reasonProblem(""), undefined);
      assert.equal(reasonProblem("off to lunch\tback at 2"), undefined);
      assert.equal(reasonProblem("é".repeat(MAX_REASON_BYTES / 2)), undefined);
    });

    it("refuses a line feed, which could forge a line, and every other control", () => {
      for (const c of ["\n", "\r", "\u001b", "\u0007", "\u009b", "\u0000"]) {
        const problem = reasonProblem(`quit${c}<alice> fake`);
        assert.equal(problem?.code, ErrorCode.ControlCharacters, JSON.stringify(c));
      }
    });

    it("refuses a reason over 300 bytes", () => {
      const problem = reasonProblem("x".repeat(MAX_REASON_BYTES + 1));
      assert.equal(problem?.code, ErrorCode.MessageTooLarge);
      assert.equal(problem?.fatal, false);
    });
  });
});
