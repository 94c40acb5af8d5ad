// One timer for all sessions: pings clients that answer pings and have gone quiet, and
// drops those that leave a ping unanswered for a whole interval. Checking twice
// per interval keeps a late timer from dropping a client whose pong just came.

import { ErrorCode } from "../protocol/errors.js";
import type { Session } from "./session.js";

export function startHeartbeat(sessions: Iterable<Session>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const session of sessions) {
      if (!session.capabilities.heartbeat) continue;
      if (session.pingSentAt !== 0 && session.lastHeard >= session.pingSentAt)
        session.pingSentAt = 0;
      if (session.pingSentAt === 0) {
        if (now - session.lastHeard >= intervalMs) session.ping(now);
      } else if (now - session.pingSentAt >= intervalMs) {
        session.end(
          ErrorCode.PingTimeout,
          `ping timeout: nothing heard for ${Math.round((now - session.lastHeard) / 1000)} s`,
        );
      }
    }
  }, intervalMs / 2);
  return () => clearInterval(timer);
}
