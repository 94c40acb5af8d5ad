import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concatBytes } from "../../src/protocol/bytes.js";
import { FlushTurn, WriteBatcher } from "../../src/protocol/write-batcher.js";

/** A turn whose end the test calls, counting how often it was asked for. */
function manualTurn() {
  const ends: (() => void)[] = [];
  return { turn: new FlushTurn((callback) => ends.push(callback)), ends };
}

describe("WriteBatcher", () => {
  it("hands a turn's writes on in one, joined at the end of the turn", () => {
    const { turn, ends } = manualTurn();
    const written: number[][] = [];
    const batcher = new WriteBatcher((bytes) => written.push([...bytes]), { turn });
    batcher.push(Uint8Array.of(1, 2));
    batcher.push(Uint8Array.of(3));
    assert.equal(batcher.bytes, 3);
    assert.deepEqual(written, []);
    assert.equal(ends.length, 1);
    ends.shift()?.();
    assert.deepEqual(written, [[1, 2, 3]]);
    assert.equal(batcher.bytes, 0);
  });

  it("flushes every batcher sharing a turn with one callback", () => {
    const { turn, ends } = manualTurn();
    const written: string[] = [];
    const a = new WriteBatcher((bytes) => written.push(`a${bytes.length}`), { turn });
    const b = new WriteBatcher((bytes) => written.push(`b${bytes.length}`), { turn });
    a.push(new Uint8Array(2));
    b.push(new Uint8Array(5));
    a.push(new Uint8Array(1));
    assert.equal(ends.length, 1);
    ends.shift()?.();
    assert.deepEqual(written, ["a3", "b5"]);
  });

  it("writes at once when flushed early, and nothing of what it discards", () => {
    const { turn, ends } = manualTurn();
    const written: number[] = [];
    const batcher = new WriteBatcher((bytes) => written.push(bytes.length), { turn });
    batcher.push(new Uint8Array(4));
    batcher.flush();
    assert.deepEqual(written, [4]);
    batcher.push(new Uint8Array(6));
    batcher.discard();
    for (const end of ends.splice(0)) end();
    assert.deepEqual(written, [4]);
  });

  it("passes a lone write on as it is, and joins several with the host's `join`", () => {
    const { turn, ends } = manualTurn();
    const joined: number[] = [];
    const written: Uint8Array[] = [];
    const batcher = new WriteBatcher((bytes) => written.push(bytes), {
      turn,
      join: (chunks, length) => {
        joined.push(length);
        return concatBytes(chunks);
      },
    });
    const lone = Uint8Array.of(7);
    batcher.push(lone);
    ends.shift()?.();
    batcher.push(Uint8Array.of(8));
    batcher.push(Uint8Array.of(9));
    ends.shift()?.();
    assert.equal(written[0], lone);
    assert.deepEqual([...(written[1] as Uint8Array)], [8, 9]);
    assert.deepEqual(joined, [2]);
  });

  it("joins the same chunks once for every batcher of a turn, and only within the turn", () => {
    const { turn, ends } = manualTurn();
    let joins = 0;
    const join = (chunks: readonly Uint8Array[]) => {
      joins += 1;
      return concatBytes(chunks);
    };
    const written = new Map<string, Uint8Array>();
    const batcher = (name: string) =>
      new WriteBatcher((bytes) => written.set(name, bytes), { turn, join });
    const [a, b, c, early] = [batcher("a"), batcher("b"), batcher("c"), batcher("early")];
    const one = Uint8Array.of(1);
    const two = Uint8Array.of(2);
    for (const member of [a, b, early]) {
      member.push(one);
      member.push(two);
    }
    // The same bytes, but other chunks: c's join is its own.
    c.push(Uint8Array.of(1));
    c.push(two);
    early.flush();
    assert.equal(joins, 1);
    ends.shift()?.();
    assert.equal(joins, 3);
    assert.equal(written.get("a"), written.get("b"));
    assert.notEqual(written.get("a"), written.get("early"));
    assert.notEqual(written.get("a"), written.get("c"));
    for (const name of ["a", "b", "c", "early"]) {
      assert.deepEqual([...(written.get(name) as Uint8Array)], [1, 2], name);
    }
    // A later turn joins afresh: what was joined before is not kept.
    a.push(one);
    a.push(two);
    ends.shift()?.();
    assert.equal(joins, 4);
  });
});
