// One timer for all sessions: pings native clients that have gone quiet and
// drops those that stay quiet. An idle server wakes once per interval.

import { ErrorCode } from "../protocol/errors.js";
import type { Session } from "./session.js";

export function startHeartbeat(sessions: Iterable<Session>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const session of sessions) {
      if (!session.framed) continue;
      const silentMs = now - session.lastHeard;
      if (silentMs >= 2 * intervalMs) {
        session.end(
          ErrorCode.PingTimeout,
          `ping timeout: nothing heard for ${Math.round(silentMs / 1000)} s`,
        );
      } else if (silentMs >= intervalMs) {
        session.ping();
      }
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
