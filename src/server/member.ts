// What the directory, the rooms and the bus know of a connected person: a
// nickname and an address to deliver to, never the transport behind them.

import type { ServerMessage } from "../protocol/messages.js";

export interface Member {
  readonly address: string;
  /** Set by the directory on join and rename. */
  nick: string;
  /** When the member last said something, for /who. */
  lastActive: number;
  deliver(message: ServerMessage): void;
}
