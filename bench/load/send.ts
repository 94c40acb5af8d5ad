// The senders of a load process: burst every message at once, or pace them,
// then wait until the server has taken all of them.

import type { LoadPlan, SendResult } from "./messages.js";
import { benchText, monoUs } from "./payload.js";
import type { Peer } from "./peer.js";

const PACE_TICK_MS = 2;

export async function send(plan: LoadPlan, peers: Peer[]): Promise<SendResult> {
  let firstSendUs = Number.POSITIVE_INFINITY;
  let lastSendUs = 0;
  const sayAll = (seq: number) => {
    for (const [i, peer] of peers.entries()) {
      const now = monoUs();
      if (now < firstSendUs) firstSendUs = now;
      lastSendUs = now;
      peer.say(benchText(plan.firstSender + i, seq, now));
    }
  };
  if (plan.pacePerSecond === 0) {
    for (let seq = 0; seq < plan.messages; seq++) sayAll(seq);
  } else {
    // Each tick catches up with the schedule, so timer jitter does not lower the rate.
    const startedUs = monoUs();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsedSeconds = (monoUs() - startedUs) / 1e6;
        const due = Math.min(plan.messages, Math.floor(elapsedSeconds * plan.pacePerSecond) + 1);
        for (; sent < due; sent++) sayAll(sent);
        if (sent >= plan.messages) {
          clearInterval(timer);
          resolve();
        }
      }, PACE_TICK_MS);
    });
  }
  await Promise.all(peers.map((peer) => peer.confirmed()));
  return {
    firstSendUs,
    lastSendUs,
    confirmedUs: monoUs(),
    sent: plan.messages * peers.length,
    refused: peers.reduce((sum, peer) => sum + peer.refused, 0),
  };
}
