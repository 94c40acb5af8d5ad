import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { Deadlines } from "../../src/server/deadlines.js";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("Deadlines", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  function recorder(ms: number) {
    const expired: string[] = [];
    return { expired, deadlines: new Deadlines<string>(ms, (key) => expired.push(key)) };
  }

  it("expires each key once its time has run, in the order they were set", () => {
    const { expired, deadlines } = recorder(1000);
    deadlines.set("a");
    mock.timers.tick(400);
    deadlines.set("b");
    mock.timers.tick(599);
    assert.deepEqual(expired, []);
    mock.timers.tick(1);
    assert.deepEqual(expired, ["a"]);
    mock.timers.tick(400);
    assert.deepEqual(expired, ["a", "b"]);
    assert.equal(deadlines.size, 0);
  });

  it("starts a key's time again when it is set again, and forgets a cleared key", () => {
    const { expired, deadlines } = recorder(1000);
    deadlines.set("renewed");
    deadlines.set("cleared");
    mock.timers.tick(900);
    deadlines.set("renewed");
    deadlines.clear("cleared");
    mock.timers.tick(900);
    assert.deepEqual(expired, []);
    mock.timers.tick(100);
    assert.deepEqual(expired, ["renewed"]);
  });

  it("keeps time beyond setTimeout's limit of about 24.8 days", () => {
    // 1000 hours: a single setTimeout would overflow and fire at once.
    const { expired, deadlines } = recorder(1000 * 60 * 60 * 1000);
    deadlines.set("kept");
    mock.timers.tick(1);
    assert.deepEqual(expired, [], "not at once");
    mock.timers.tick(2 ** 31); // past the first timer of the chain
    assert.deepEqual(expired, []);
    mock.timers.tick(41 * DAY_MS - 2 ** 31 - 1);
    assert.deepEqual(expired, [], "not a moment early");
    mock.timers.tick(16 * 60 * 60 * 1000);
    assert.deepEqual(expired, ["kept"]);
  });

  it("lets a key set from within the expiry callback wait its full time", () => {
    const expired: number[] = [];
    const deadlines: Deadlines<number> = new Deadlines(100, (n) => {
      expired.push(n);
      if (n < 3) deadlines.set(n + 1);
    });
    deadlines.set(1);
    mock.timers.tick(100);
    assert.deepEqual(expired, [1]);
    mock.timers.tick(99);
    assert.deepEqual(expired, [1]);
    mock.timers.tick(1);
    mock.timers.tick(100);
    assert.deepEqual(expired, [1, 2, 3]);
  });

  it("stops: nothing expires after stop", () => {
    const { expired, deadlines } = recorder(10);
    deadlines.set("x");
    deadlines.stop();
    mock.timers.tick(100);
    assert.deepEqual(expired, []);
  });
});
