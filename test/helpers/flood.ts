// A sender that fills a stalled client's path until the server lets it go.
// How much that takes is the host's business (its socket buffers may hold
// tens of MB), so the flood runs until the watcher sees the drop, not for a
// fixed count.

import assert from "node:assert/strict";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { type NativePeer, nativePeer } from "./peers.js";

const MESSAGE = "x".repeat(4000);
/** 1 GiB of messages: past any host's socket buffers and any queue limit a test sets. */
const MAX_MESSAGES = 262_144;
/** Messages sent ahead of their confirmations, so the loop hears the drop when it comes. */
const UNCONFIRMED = 256;

export interface Flood {
  /** How many messages "flooder" sent. */
  sent: number;
  /** The message the watcher waited for. */
  outcome: ServerMessage;
}

/**
 * Sends 4 KB messages as "flooder" until `watcher` receives a message matching
 * `until`; before each one, waits as `pace` says (a test keeps the sender close
 * to a healthy receiver with it, so that on a busy machine only the stalled one lags).
 */
export async function floodUntil(
  port: number,
  watcher: NativePeer,
  until: (m: ServerMessage) => boolean,
  pace: (sent: number) => Promise<void> = async () => {},
): Promise<Flood> {
  const sender = await nativePeer(port, "flooder");
  let outcome: ServerMessage | undefined;
  void watcher.waitFor(until, 300_000).then((m) => {
    outcome = m;
  });
  const unconfirmed: Promise<void>[] = [];
  let sent = 0;
  while (outcome === undefined) {
    assert.ok(sent < MAX_MESSAGES, `no outcome after ${sent} messages`);
    await pace(sent);
    unconfirmed.push(sender.client.send({ type: "say", text: `${sent} ${MESSAGE}` }));
    sent += 1;
    if (unconfirmed.length >= UNCONFIRMED) await unconfirmed.shift();
  }
  await Promise.all(unconfirmed);
  await sender.client.close();
  return { sent, outcome };
}

/**
 * Floods until `stalled` is let go, the sender kept no more than 512 KB ahead
 * of the `healthy` receiver so that only the stalled one lags; also says how
 * many of the lines `healthy` has had so far.
 */
export async function floodPastStalled(
  port: number,
  healthy: NativePeer,
  stalled: string,
): Promise<Flood & { delivered: () => number }> {
  let delivered = 0;
  healthy.client.on("server", (m) => {
    if (m.type === "message" && m.from === "flooder") delivered += 1;
  });
  const flood = await floodUntil(
    port,
    healthy,
    (m) => m.type === "left" && m.nick === stalled,
    async (sent) => {
      if (sent - delivered >= 128) await healthy.waitFor(() => sent - delivered < 64, 30_000);
    },
  );
  return { ...flood, delivered: () => delivered };
}
