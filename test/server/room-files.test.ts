// The index of one room's kept files: listing order, counts, and the newest of a name.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RoomFiles } from "../../src/server/room-files.js";

const file = (id: number, name: string) => ({ id, name });

describe("RoomFiles", () => {
  it("lists the newest files, oldest of them first, and counts them all", () => {
    const files = new RoomFiles<{ id: number; name: string }>();
    for (let id = 1; id <= 5; id++) files.add(file(id, `f${id}`));
    assert.deepEqual(
      files.newest(3).map((f) => f.id),
      [3, 4, 5],
    );
    assert.deepEqual(
      files.newest(10).map((f) => f.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(files.newest(0), []);
    assert.equal(files.size, 5);
  });

  it("finds the newest of a name, and the one before once it goes", () => {
    const files = new RoomFiles<{ id: number; name: string }>();
    const [a1, b, a2] = [file(1, "a"), file(2, "b"), file(3, "a")];
    for (const f of [a1, b, a2]) files.add(f);
    assert.equal(files.newestNamed("a"), a2);
    files.delete(a2);
    assert.equal(files.newestNamed("a"), a1);
    files.delete(a1);
    files.delete(a1); // twice: no harm
    assert.equal(files.newestNamed("a"), undefined);
    assert.equal(files.newestNamed("b"), b);
    assert.equal(files.size, 1);
  });
});
