// One timer for all sessions, ticking twice per interval so a late tick never
// drops a client whose pong just came; each session applies the rule itself.

import type { Session } from "./session.js";

export function startHeartbeat(sessions: Iterable<Session>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const session of sessions) session.heartbeat(now, intervalMs);
  }, intervalMs / 2);
  return () => clearInterval(timer);
}
