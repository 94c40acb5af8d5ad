// One benchmark client, whatever protocol it speaks: it joins the chat, says
// lines, tells when the server has taken them, and reports bench text it receives.

import type { Parsed } from "./payload.js";

export interface PeerEvents {
  /** Bench text arrived (absent for peers that only send: they skip parsing). */
  bench?: (parsed: Parsed) => void;
  /** The connection ended after it had joined. */
  closed: (reason: string) => void;
}

export interface Peer {
  /** Connects and joins the common room or channel. */
  join(): Promise<void>;
  /** Queues one chat line; lines said in one turn leave in one write. */
  say(text: string): void;
  /** Resolves once the server has taken every line said so far. */
  confirmed(): Promise<void>;
  /** Lines the server refused. */
  readonly refused: number;
  close(): void;
}

export const HOST = "127.0.0.1";
