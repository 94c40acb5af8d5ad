// Pages of stored lines sent to a client: the replay on joining a room, and
// /history. Each page is the lines oldest first, then a history-end.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { chatMessage } from "./bus.js";
import type { Requester, ServerContext } from "./requester.js";

export interface PageRequest {
  seq: number;
  /** How the client names the conversation: a room, or the other person's nickname. */
  target: string;
  conversation: string;
  /**
   * Lines before this id; 0: before the oldest shown to this client, or the
   * newest; "newest": the newest, whatever was shown (a join's replay).
   */
  before: number | "newest";
  limit: number;
  /** A join's replay of an empty room says nothing, as joining an empty chat always did. */
  quietWhenEmpty?: boolean;
}

/** Sends the page; an error when the request asks for an impossible one. */
export function sendPage(
  context: ServerContext,
  client: Requester,
  page: PageRequest,
): ProtocolError | undefined {
  const { store, config } = context;
  if (page.limit > config.maxHistoryPage) {
    return new ProtocolError(
      ErrorCode.Malformed,
      `a history page holds at most ${config.maxHistoryPage} lines`,
    );
  }
  if (page.limit === 0) return undefined;
  const before =
    page.before === "newest" ? 0 : page.before || client.shownFrom.get(page.conversation) || 0;
  // One line more than asked tells whether older ones are kept.
  const lines =
    before === 0
      ? store.latest(page.conversation, page.limit + 1)
      : store.before(page.conversation, before, page.limit + 1);
  const more = lines.length > page.limit;
  if (more) lines.shift();
  if (lines.length === 0 && page.quietWhenEmpty) return undefined;
  for (const line of lines) client.send(chatMessage(line, true));
  const oldest = lines[0];
  if (oldest !== undefined) client.shownFrom.set(page.conversation, oldest.id);
  client.send({
    type: "history-end",
    seq: page.seq,
    target: page.target,
    count: lines.length,
    more,
  });
  return undefined;
}
