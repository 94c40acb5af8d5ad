import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { heartbeatStep, type PeerHeard } from "../../src/protocol/heartbeat-rule.js";

const INTERVAL = 1000;

describe("heartbeatStep", () => {
  it("waits while the peer was heard within an interval, and pings it once it was not", () => {
    const peer: PeerHeard = { lastHeard: 5000, pingSentAt: 0 };
    assert.equal(heartbeatStep(peer, 5000, INTERVAL), "wait");
    assert.equal(heartbeatStep(peer, 5999, INTERVAL), "wait");
    assert.equal(heartbeatStep(peer, 6000, INTERVAL), "ping");
  });

  it("gives a pinged peer an interval from the ping, then takes it for dead", () => {
    const peer: PeerHeard = { lastHeard: 5000, pingSentAt: 6000 };
    assert.equal(heartbeatStep(peer, 6500, INTERVAL), "wait", "no second ping meanwhile");
    assert.equal(heartbeatStep(peer, 6999, INTERVAL), "wait");
    assert.equal(heartbeatStep(peer, 7000, INTERVAL), "dead");
  });

  it("counts anything heard since the ping, even in its millisecond, as its answer: no drop, a new ping later", () => {
    assert.equal(heartbeatStep({ lastHeard: 6000, pingSentAt: 6000 }, 7000, INTERVAL), "ping");
    assert.equal(heartbeatStep({ lastHeard: 6400, pingSentAt: 6000 }, 7000, INTERVAL), "wait");
    assert.equal(heartbeatStep({ lastHeard: 6400, pingSentAt: 6000 }, 7400, INTERVAL), "ping");
  });

  it("checked every half interval, pings after one to one and a half of silence and drops after two to three", () => {
    for (const start of [0, 1, 250, 499]) {
      const peer: PeerHeard = { lastHeard: start, pingSentAt: 0 };
      let pingedAt: number | undefined;
      let deadAt: number | undefined;
      for (let now = 500; deadAt === undefined; now += INTERVAL / 2) {
        const step = heartbeatStep(peer, now, INTERVAL);
        if (step === "ping") {
          assert.equal(pingedAt, undefined, "one ping only");
          pingedAt = now;
          peer.pingSentAt = now;
        } else if (step === "dead") deadAt = now;
      }
      const silentAtPing = (pingedAt as number) - start;
      assert.ok(
        silentAtPing >= INTERVAL && silentAtPing < 1.5 * INTERVAL,
        `pinged at ${silentAtPing}`,
      );
      assert.ok(
        deadAt - start >= 2 * INTERVAL && deadAt - start < 3 * INTERVAL,
        `dead at ${deadAt}`,
      );
    }
  });

  it("never drops a peer whose answer came just before a late check", () => {
    const peer: PeerHeard = { lastHeard: 0, pingSentAt: 1000 };
    peer.lastHeard = 1990; // the pong, just before the interval since the ping was up
    assert.equal(heartbeatStep(peer, 2300, INTERVAL), "wait");
  });
});
