import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DOWNLOAD_WINDOW_BYTES,
  FILE_CHUNK_BYTES,
  UPLOAD_WINDOW_BYTES,
} from "../../src/protocol/frame.js";
import { WindowGrants } from "../../src/protocol/window-grants.js";

const MIB = 1024 * 1024;

describe("WindowGrants", () => {
  it("grants a quarter window at a time, once that much is stored", () => {
    const grants = new WindowGrants(UPLOAD_WINDOW_BYTES);
    assert.equal(grants.batchBytes, MIB);
    const given = Array.from({ length: 8 }, () => grants.stored(FILE_CHUNK_BYTES));
    assert.deepEqual(given, [0, 0, 0, MIB, 0, 0, 0, MIB]);
    assert.equal(new WindowGrants(DOWNLOAD_WINDOW_BYTES).batchBytes, 4 * MIB);
  });

  it("grants everything owed when uneven pieces pass the batch, losing no byte", () => {
    const grants = new WindowGrants(UPLOAD_WINDOW_BYTES);
    const pieces = [700_000, 300_000, 100_000, 1_000_000, 48_581];
    const given = pieces.map((bytes) => grants.stored(bytes));
    assert.deepEqual(given, [0, 0, 1_100_000, 0, 1_048_581]);
  });

  it("never leaves a sender with less than three quarters of its window", () => {
    for (const window of [UPLOAD_WINDOW_BYTES, DOWNLOAD_WINDOW_BYTES]) {
      // The sender's credit: the window, less what it sent, plus what was granted.
      const grants = new WindowGrants(window);
      let sent = 0;
      let granted = 0;
      for (let i = 0; i < 400; i++) {
        const chunk = 1 + ((i * 7919) % FILE_CHUNK_BYTES);
        sent += chunk;
        granted += grants.stored(chunk);
        assert.ok(window - sent + granted > (3 * window) / 4);
      }
    }
  });
});
