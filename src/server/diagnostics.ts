// What the hub reports about itself, as diagnostics channels: the console log
// subscribes, and so can tests, metrics or a debugger, without the hub knowing.

import { channel } from "node:diagnostics_channel";
import type { ChatMessage } from "../protocol/messages.js";

export interface PresenceEvent {
  nick: string;
  address: string;
}
export interface LeaveEvent extends PresenceEvent {
  reason: string;
}
export interface RenameEvent {
  from: string;
  to: string;
}

export const joinChannel = channel("sockchat:join");
export const leaveChannel = channel("sockchat:leave");
export const renameChannel = channel("sockchat:rename");
/** Published for public messages only: private ones stay out of logs. */
export const messageChannel = channel("sockchat:message");

export function publish(
  target: typeof joinChannel,
  event: PresenceEvent | LeaveEvent | RenameEvent | ChatMessage,
): void {
  if (target.hasSubscribers) target.publish(event);
}
