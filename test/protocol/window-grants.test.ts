import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FILE_CHUNK_BYTES, FILE_WINDOW_BYTES } from "../../src/protocol/frame.js";
import { GRANT_BATCH_BYTES, WindowGrants } from "../../src/protocol/window-grants.js";

describe("WindowGrants", () => {
  it("grants a quarter window at a time, once that much is stored", () => {
    assert.equal(GRANT_BATCH_BYTES, FILE_WINDOW_BYTES / 4);
    const grants = new WindowGrants();
    const given = Array.from({ length: 8 }, () => grants.stored(FILE_CHUNK_BYTES));
    assert.deepEqual(given, [0, 0, 0, GRANT_BATCH_BYTES, 0, 0, 0, GRANT_BATCH_BYTES]);
  });

  it("grants everything owed when uneven pieces pass the batch, losing no byte", () => {
    const grants = new WindowGrants();
    const pieces = [700_000, 300_000, 100_000, 1_000_000, 48_581];
    const given = pieces.map((bytes) => grants.stored(bytes));
    assert.deepEqual(given, [0, 0, 1_100_000, 0, 1_048_581]);
  });

  it("never leaves a sender with less than three quarters of its window", () => {
    // The sender's credit: the window, less what it sent, plus what was granted.
    const grants = new WindowGrants();
    let sent = 0;
    let granted = 0;
    for (let i = 0; i < 100; i++) {
      const chunk = 1 + ((i * 7919) % FILE_CHUNK_BYTES);
      sent += chunk;
      granted += grants.stored(chunk);
      assert.ok(FILE_WINDOW_BYTES - sent + granted > (3 * FILE_WINDOW_BYTES) / 4);
    }
  });
});
