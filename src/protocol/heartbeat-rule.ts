// When to ping a quiet peer and when to give it up, the same at both ends: a
// peer silent for an interval is pinged, once; one still silent an interval
// after that ping is taken for dead. Each end checks about twice an interval,
// so a timer that runs late never drops a peer whose answer has just come.

/** What an end knows of its peer's heartbeat; times in milliseconds since the epoch. */
export interface PeerHeard {
  /** When anything last arrived from the peer. */
  lastHeard: number;
  /** When the last ping went out, 0 if none has; anything heard since answers it. */
  pingSentAt: number;
}

export type HeartbeatStep = "ping" | "wait" | "dead";

export function heartbeatStep(peer: PeerHeard, now: number, intervalMs: number): HeartbeatStep {
  if (peer.pingSentAt <= peer.lastHeard)
    return now - peer.lastHeard >= intervalMs ? "ping" : "wait";
  return now - peer.pingSentAt >= intervalMs ? "dead" : "wait";
}
