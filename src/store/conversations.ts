// The keys history is paged by: a room's, or a pair of nicknames' for a
// private conversation (the same whichever of the two asks).

import { nickKey } from "../protocol/nicknames.js";
import { roomKey } from "../protocol/rooms.js";

export function roomConversation(room: string): string {
  return roomKey(room);
}

/** Nicknames hold no spaces and rooms start with #, so this key is neither a room's nor ambiguous. */
export function privateConversation(a: string, b: string): string {
  const [first, second] = [nickKey(a), nickKey(b)].sort();
  return `${first} ${second}`;
}
