import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type LineSink, LineSplitter } from "../../src/protocol/line-splitter.js";

/** The V8 collector, exposed at run time so no command-line flag is needed. */
function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** A sink that records what it was given: lines as text, tooLong as a marker. */
class Recorder implements LineSink {
  readonly events: string[] = [];
  line(b: Uint8Array): void {
    this.events.push(decoder.decode(b));
  }
  tooLong(): void {
    this.events.push("<TOO LONG>");
  }
  get tooLongCount(): number {
    return this.events.filter((e) => e === "<TOO LONG>").length;
  }
}

function split(chunks: readonly (string | Uint8Array)[], maxLineBytes = 1024): string[] {
  const splitter = new LineSplitter(maxLineBytes);
  const sink = new Recorder();
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? bytes(chunk) : chunk, sink);
  return sink.events;
}

describe("LineSplitter", () => {
  it("says whether a line has begun and not ended, held or being discarded", () => {
    const splitter = new LineSplitter(4);
    const sink = new Recorder();
    const states = ["", "ab", "c\n", "toolong", "!\n"].map((chunk) => {
      splitter.push(bytes(chunk), sink);
      return splitter.unfinished;
    });
    assert.deepEqual(states, [false, true, false, true, false]);
  });

  it("splits LF-terminated lines", () => {
    assert.deepEqual(split(["one\ntwo\n"]), ["one", "two"]);
  });

  it("strips the CR of CRLF endings", () => {
    assert.deepEqual(split(["one\r\ntwo\r\n"]), ["one", "two"]);
  });

  it("handles mixed LF and CRLF and keeps a CR that is not before the LF", () => {
    assert.deepEqual(split(["a\r\nb\nc\rd\r\n\r\n"]), ["a", "b", "c\rd", ""]);
  });

  it("delivers empty lines", () => {
    assert.deepEqual(split(["\n\r\n\n"]), ["", "", ""]);
  });

  it("holds back a final line until its newline arrives", () => {
    const splitter = new LineSplitter(100);
    const sink = new Recorder();
    splitter.push(bytes("done\npartial"), sink);
    assert.deepEqual(sink.events, ["done"]);
    splitter.push(bytes(" line"), sink);
    assert.deepEqual(sink.events, ["done"]);
    splitter.push(bytes("\r"), sink);
    assert.deepEqual(sink.events, ["done"]);
    splitter.push(bytes("\n"), sink);
    assert.deepEqual(sink.events, ["done", "partial line"]);
  });

  it("ignores empty chunks", () => {
    assert.deepEqual(split(["", "a", "", "\n", ""]), ["a"]);
  });

  it("reassembles lines split across chunks at every byte boundary", () => {
    const input = bytes("héllo\r\nwörld 🌍\nlast line\r\n");
    const expected = ["héllo", "wörld 🌍", "last line"];
    for (let i = 0; i <= input.length; i++) {
      assert.deepEqual(split([input.subarray(0, i), input.subarray(i)]), expected, `split at ${i}`);
    }
  });

  it("reassembles lines split at every pair of byte boundaries", () => {
    const input = bytes("ab\r\ncd\n\r\nef\r\n");
    const expected = ["ab", "cd", "", "ef"];
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) {
        const chunks = [input.subarray(0, i), input.subarray(i, j), input.subarray(j)];
        assert.deepEqual(split(chunks), expected, `split at ${i} and ${j}`);
      }
    }
  });

  it("reassembles lines fed one byte at a time", () => {
    const input = bytes("one\r\ntwo\nthree\r\n");
    const chunks = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
    assert.deepEqual(split(chunks), ["one", "two", "three"]);
  });

  it("does not lose coalesced lines (the original Python chat did)", () => {
    // Several lines that arrive in one read must each come out, not just the first.
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    assert.deepEqual(split([`${lines.join("\n")}\n`]), lines);
    assert.deepEqual(split([`${lines.join("\r\n")}\r\n`]), lines);
  });

  it("does not lose coalesced lines that also straddle chunk boundaries", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `msg-${i}`);
    const text = bytes(`${lines.join("\r\n")}\r\n`);
    for (const size of [3, 7, 64, 1000]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
      assert.deepEqual(split(chunks), lines, `chunk size ${size}`);
    }
  });

  it("returns the line bytes unmodified (no decoding or normalisation)", () => {
    const raw = Uint8Array.from([0xff, 0x00, 0xc3, 0x0d, 0x41, 0x0d, 0x0a]);
    const got: number[][] = [];
    new LineSplitter(100).push(raw, { line: (b) => got.push([...b]), tooLong: () => {} });
    assert.deepEqual(got, [[0xff, 0x00, 0xc3, 0x0d, 0x41]]);
  });

  describe("line length limit", () => {
    const LIMIT = 10;

    it("accepts a line of exactly the limit", () => {
      assert.deepEqual(split(["0123456789\n"], LIMIT), ["0123456789"]);
    });

    it("accepts a CRLF line of exactly the limit (the CR does not count)", () => {
      assert.deepEqual(split(["0123456789\r\n"], LIMIT), ["0123456789"]);
    });

    it("accepts a CRLF line of exactly the limit however the CR and LF are split", () => {
      const input = bytes("0123456789\r\nok\n");
      for (let i = 0; i <= input.length; i++) {
        assert.deepEqual(
          split([input.subarray(0, i), input.subarray(i)], LIMIT),
          ["0123456789", "ok"],
          `split at ${i}`,
        );
      }
    });

    it("rejects a line one byte over the limit, LF or CRLF, split anywhere", () => {
      for (const ending of ["\n", "\r\n"]) {
        const input = bytes(`0123456789A${ending}next${ending}`);
        for (let i = 0; i <= input.length; i++) {
          assert.deepEqual(
            split([input.subarray(0, i), input.subarray(i)], LIMIT),
            ["<TOO LONG>", "next"],
            `${JSON.stringify(ending)} split at ${i}`,
          );
        }
      }
    });

    it("counts a CR that is followed by more text as part of the line", () => {
      // 10 bytes + CR + "x": 12 bytes before the LF, so too long.
      assert.deepEqual(split(["0123456789\rx\nok\n"], LIMIT), ["<TOO LONG>", "ok"]);
    });

    it("calls tooLong once for an over-long line and still delivers the next line", () => {
      assert.deepEqual(split([`${"y".repeat(50)}\nafter\n`], LIMIT), ["<TOO LONG>", "after"]);
    });

    it("keeps lines before and after an over-long one in order", () => {
      assert.deepEqual(split([`before\n${"y".repeat(50)}\r\nafter\r\n`], LIMIT), [
        "before",
        "<TOO LONG>",
        "after",
      ]);
    });

    it("reports two separate over-long lines twice", () => {
      assert.deepEqual(split([`${"a".repeat(20)}\n${"b".repeat(20)}\nok\n`], LIMIT), [
        "<TOO LONG>",
        "<TOO LONG>",
        "ok",
      ]);
    });

    it("calls tooLong once for an over-long line spread over many chunks", () => {
      const chunks = [...Array.from({ length: 30 }, () => "zzz"), "\n", "next\n"];
      assert.deepEqual(split(chunks, LIMIT), ["<TOO LONG>", "next"]);
    });

    it("discards the whole over-long line, not just its first part", () => {
      // If the tail of the long line leaked, "zzz…" would show up as a line.
      const chunks = ["0123456789AB", "tail-of-the-long-line", "\r\n", "clean\n"];
      assert.deepEqual(split(chunks, LIMIT), ["<TOO LONG>", "clean"]);
    });

    it("signals tooLong while the line is still streaming, before any newline", () => {
      // A peer that never sends a newline must be noticed, not buffered.
      const splitter = new LineSplitter(LIMIT);
      const sink = new Recorder();
      let received = 0;
      while (sink.tooLongCount === 0 && received < 1000) {
        splitter.push(bytes("q"), sink);
        received += 1;
      }
      // Room for the limit plus the CR of a CRLF ending, and not a byte more.
      assert.equal(received, LIMIT + 2);
      assert.deepEqual(sink.events, ["<TOO LONG>"]);
    });

    it("keeps memory bounded for an endless line without a newline", async () => {
      // 16 MiB with no newline against a 64-byte limit, in fresh 64 KiB reads as a
      // socket gives them. A splitter that buffered the line would keep the reads'
      // buffers alive (a subarray holds its whole ArrayBuffer); a bounded one lets
      // the garbage collector have them. WeakRefs observe exactly that.
      const gc = exposedGc();
      const splitter = new LineSplitter(64);
      const sink = new Recorder();
      const reads: WeakRef<ArrayBufferLike>[] = [];
      for (let i = 0; i < 256; i++) {
        const read = new Uint8Array(64 * 1024).fill(0x61);
        reads.push(new WeakRef(read.buffer));
        splitter.push(read, sink);
      }
      // A WeakRef target stays alive until the job that made it ends: collect in the next.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      const retained = reads.filter((r) => r.deref() !== undefined).length;
      assert.ok(retained <= 1, `the splitter keeps ${retained} of 256 64 KiB reads alive`);
      assert.equal(sink.tooLongCount, 1, "tooLong once for the whole line");
      splitter.push(bytes("end of the endless line\nhello\n"), sink);
      assert.deepEqual(sink.events, ["<TOO LONG>", "hello"]);
    });

    it("does not count bytes of earlier lines against the next line", () => {
      // Nine-byte lines in one chunk: each fits even though the chunk does not.
      const lines = Array.from({ length: 20 }, (_, i) => `line-${String(i).padStart(4, "0")}`);
      assert.ok(lines.every((l) => l.length === 9));
      assert.deepEqual(split([`${lines.join("\n")}\n`], LIMIT), lines);
    });

    it("accepts a partial line that fills the limit across chunks", () => {
      assert.deepEqual(split(["01234", "56789", "\r", "\n"], LIMIT), ["0123456789"]);
      assert.deepEqual(split(["01234", "567890", "\n", "ok\n"], LIMIT), ["<TOO LONG>", "ok"]);
    });
  });
});
