import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concatBytes } from "../../src/protocol/bytes.js";
import { MarkerScanner } from "../../src/protocol/marker-scanner.js";

const utf8 = new TextEncoder();
const MARKER = utf8.encode("//AGUEL//TAMTAM//");

/** Feeds `chunks` and returns the data before the marker and what followed it (undefined: not found). */
function scan(chunks: Uint8Array[]): { data: string; rest: string | undefined } {
  const scanner = new MarkerScanner(MARKER);
  const data: Uint8Array[] = [];
  let rest: Uint8Array[] | undefined;
  for (const chunk of chunks) {
    if (rest !== undefined) {
      rest.push(chunk);
      continue;
    }
    const scanned = scanner.push(chunk);
    data.push(...scanned.data);
    if (scanned.rest !== undefined) rest = [scanned.rest];
  }
  const text = (parts: Uint8Array[]) => Buffer.from(concatBytes(parts)).toString("latin1");
  if (rest === undefined) data.push(scanner.held);
  return { data: text(data), rest: rest === undefined ? undefined : text(rest) };
}

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

describe("MarkerScanner", () => {
  it("finds the marker at every way of cutting the stream in three", () => {
    // The file holds near-misses of the marker, which must stay data.
    const file = "ab//AGUEL//TAMTA/x//AGUEL/";
    const after = "\nnext line\n";
    const stream = bytes(`${file}//AGUEL//TAMTAM//${after}`);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const chunks = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)];
        assert.deepEqual(scan(chunks), { data: file, rest: after }, `cut at ${i} and ${j}`);
      }
    }
  });

  it("finds a marker fed one byte at a time, and one at the very start", () => {
    const stream = bytes("xy//AGUEL//TAMTAM//z");
    const single = Array.from(stream, (_, k) => stream.subarray(k, k + 1));
    assert.deepEqual(scan(single), { data: "xy", rest: "z" });
    assert.deepEqual(scan([bytes("//AGUEL//TAMTAM//")]), { data: "", rest: "" });
  });

  it("holds back no more than a possible start of the marker, and gives it up when it is not", () => {
    const scanner = new MarkerScanner(MARKER);
    const first = scanner.push(bytes("hello //AGUEL"));
    assert.equal(Buffer.concat(first.data).toString(), "hello ");
    assert.equal(Buffer.from(scanner.held).toString(), "//AGUEL");
    const second = scanner.push(bytes("!!"));
    assert.equal(Buffer.concat(second.data).toString(), "//AGUEL!!");
    assert.equal(scanner.held.length, 0);
  });

  it("passes a large chunk on as views, without copying it", () => {
    const big = new Uint8Array(1 << 20).fill(7);
    const scanned = new MarkerScanner(MARKER).push(big);
    assert.equal(scanned.data.length, 1);
    assert.equal((scanned.data[0] as Uint8Array).buffer, big.buffer);
  });
});
