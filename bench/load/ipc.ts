// The load process's side of the IPC channel to the runner. Messages are kept
// until asked for, so one that arrives before its step begins is not lost.

import type { FromLoad, ToLoad } from "./messages.js";

const inbox: ToLoad[] = [];
const waiters = new Map<ToLoad["type"], ((message: ToLoad) => void)[]>();

process.on("message", (message: ToLoad) => {
  const waiting = waiters.get(message.type);
  const resolve = waiting?.shift();
  if (resolve !== undefined) resolve(message);
  else inbox.push(message);
});

export function tell(message: FromLoad): void {
  process.send?.(message);
}

/** The next message of `type` from the runner, including one that came earlier. */
export function nextMessage<T extends ToLoad["type"]>(
  type: T,
): Promise<Extract<ToLoad, { type: T }>> {
  const at = inbox.findIndex((m) => m.type === type);
  if (at >= 0) return Promise.resolve(inbox.splice(at, 1)[0] as Extract<ToLoad, { type: T }>);
  return new Promise((resolve) => {
    const waiting = waiters.get(type) ?? [];
    waiting.push(resolve as (message: ToLoad) => void);
    waiters.set(type, waiting);
  });
}
