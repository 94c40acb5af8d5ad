import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULTS } from "../../src/server/config.js";
import { RateLimiter } from "../../src/server/rate-limiter.js";

const T0 = 1_700_000_000_000;

/** Takes `count` tokens at `now` and returns the waits reported. */
function takeMany(limiter: RateLimiter, count: number, now: number): number[] {
  return Array.from({ length: count }, () => limiter.take(now));
}

describe("RateLimiter", () => {
  it("uses a burst of 100 at 20 per second by default", () => {
    assert.equal(DEFAULTS.rateBurst, 100);
    assert.equal(DEFAULTS.rateLimit, 20);
  });

  it("lets 50 pasted lines through at once with the default settings", () => {
    const limiter = new RateLimiter(DEFAULTS.rateLimit, DEFAULTS.rateBurst, T0);
    assert.deepEqual(takeMany(limiter, 50, T0), new Array(50).fill(0));
  });

  it("lets a whole burst through at once, then reports the wait in ms", () => {
    const limiter = new RateLimiter(20, 100, T0);
    assert.deepEqual(takeMany(limiter, 100, T0), new Array(100).fill(0));
    // 20 per second: one token every 50 ms.
    assert.equal(limiter.take(T0), 50);
  });

  it("does not consume a token when it reports a wait", () => {
    const limiter = new RateLimiter(10, 1, T0);
    assert.equal(limiter.take(T0), 0);
    assert.equal(limiter.take(T0), 100);
    assert.equal(limiter.take(T0), 100);
    assert.equal(limiter.take(T0 + 100), 0);
  });

  it("reports a shorter wait as the token refills", () => {
    const limiter = new RateLimiter(1, 1, T0);
    limiter.take(T0);
    assert.equal(limiter.take(T0 + 250), 750);
    assert.equal(limiter.take(T0 + 500), 500);
    assert.equal(limiter.take(T0 + 750), 250);
    assert.equal(limiter.take(T0 + 1000), 0);
  });

  it("reports 1 ms, not 2, when a token is 1 ms away", () => {
    // At 10 per second the token taken at T0 is back at T0 + 100.
    const limiter = new RateLimiter(10, 1, T0);
    limiter.take(T0);
    assert.equal(limiter.take(T0 + 99), 1);
    assert.equal(limiter.take(T0 + 100), 0);
  });

  it("refills at the configured rate", () => {
    const limiter = new RateLimiter(20, 100, T0);
    takeMany(limiter, 100, T0);
    // After one second, 20 more tokens and not 21.
    const later = T0 + 1000;
    assert.deepEqual(takeMany(limiter, 20, later), new Array(20).fill(0));
    assert.equal(limiter.take(later), 50);
  });

  it("refills fractionally: half an interval and another half make one token", () => {
    const limiter = new RateLimiter(20, 1, T0);
    limiter.take(T0);
    assert.equal(limiter.take(T0 + 25), 25);
    assert.equal(limiter.take(T0 + 50), 0);
  });

  it("never holds more than the burst, however long it was idle", () => {
    const limiter = new RateLimiter(20, 5, T0);
    const muchLater = T0 + 24 * 3600 * 1000;
    assert.deepEqual(takeMany(limiter, 5, muchLater), [0, 0, 0, 0, 0]);
    assert.equal(limiter.take(muchLater), 50);
  });

  it("starts full even if it was created long before the first take", () => {
    const limiter = new RateLimiter(1, 3, T0);
    assert.deepEqual(takeMany(limiter, 4, T0 + 3_600_000), [0, 0, 0, 1000]);
  });

  it("sustains exactly the rate for a client that keeps sending", () => {
    // After the burst, a client that waits as told gets one message per interval.
    const limiter = new RateLimiter(20, 10, T0);
    takeMany(limiter, 10, T0);
    let now = T0;
    let sent = 0;
    while (now <= T0 + 10_000) {
      const wait = limiter.take(now);
      if (wait === 0) sent += 1;
      else now += wait;
    }
    assert.equal(sent, 200); // 10 s at 20 per second
  });

  it("treats a burst below 1 as 1", () => {
    const limiter = new RateLimiter(10, 0, T0);
    assert.equal(limiter.take(T0), 0);
    assert.equal(limiter.take(T0), 100);
  });

  it("is unlimited with a rate of 0", () => {
    const limiter = new RateLimiter(0, 1, T0);
    assert.deepEqual(takeMany(limiter, 10_000, T0), new Array(10_000).fill(0));
  });

  it("is unlimited with a rate of 0 whatever the burst", () => {
    const limiter = new RateLimiter(0, 0, T0);
    assert.equal(
      takeMany(limiter, 1000, T0).every((w) => w === 0),
      true,
    );
  });

  it("handles rates below one per second", () => {
    const limiter = new RateLimiter(0.5, 1, T0);
    assert.equal(limiter.take(T0), 0);
    assert.equal(limiter.take(T0), 2000);
    assert.equal(limiter.take(T0 + 1000), 1000);
    assert.equal(limiter.take(T0 + 2000), 0);
  });

  it("has a token ready after waiting exactly the time it reported", () => {
    // take() promises "how many ms until one is": a client waiting that long
    // must then be let through, or the server sets one more timer for 1 ms.
    // Rates whose interval is not a whole number of ms (3/s = 333.33… ms) accumulate
    // floating-point error in the fractional token count.
    const cases = [
      { rate: 20, burst: 100, step: 7 },
      { rate: 3, burst: 5, step: 38 },
      { rate: 0.3, burst: 2, step: 7 },
      { rate: 7, burst: 3, step: 13 },
    ];
    for (const { rate, burst, step } of cases) {
      const limiter = new RateLimiter(rate, burst, 0);
      let now = 0;
      for (let i = 0; i < 2000; i++) {
        const wait = limiter.take(now);
        if (wait > 0) {
          now += wait;
          assert.equal(
            limiter.take(now),
            0,
            `rate ${rate}/s, burst ${burst}, sending every ${step} ms: take ${i} said wait ${wait} ms, but at t=${now} there was still no token`,
          );
        }
        now += step;
      }
    }
  });
});
