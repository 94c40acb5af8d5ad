// One timer for all sessions: pings native clients that have gone quiet and
// drops those that leave a ping unanswered for a whole interval. Checking twice
// per interval keeps a late timer from dropping a client whose pong just came.

import { ErrorCode } from "../protocol/errors.js";
import { heartbeatStep } from "../protocol/heartbeat-rule.js";
import type { Session } from "./session.js";

export function startHeartbeat(sessions: Iterable<Session>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const session of sessions) {
      if (!session.framed) continue;
      const step = heartbeatStep(session, now, intervalMs);
      if (step === "ping") session.ping(now);
      else if (step === "dead") {
        session.end(
          ErrorCode.PingTimeout,
          `ping timeout: nothing heard for ${Math.round((now - session.lastHeard) / 1000)} s`,
        );
      }
    }
  }, intervalMs / 2);
  return () => clearInterval(timer);
}
