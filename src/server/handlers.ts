// One handler per client request type, each a few lines over the hub. A
// handler that returns a promise holds the connection's later requests until
// it settles.

import { HELP_TEXT, TEXT_HELP_TEXT } from "../protocol/commands.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { DEFAULT_ROOM } from "../protocol/rooms.js";
import type { Inbound } from "../transport/connection.js";
import { reasonProblem, textProblem } from "./message-rules.js";
import type { Session } from "./session.js";

type Handlers = {
  [K in Inbound["type"]]: (
    session: Session,
    message: Extract<Inbound, { type: K }>,
  ) => Promise<void> | undefined | void;
};

export const handlers: Handlers = {
  hello(session, m) {
    if (!session.joined) {
      session.join(m.nick);
      return;
    }
    // A client that upgraded from text after its welcome joined as a guest:
    // it takes the nickname it asked for if it can, and is welcomed anew.
    if (m.nick !== "" && !session.refuseIfError(0, session.hub.rename(session, m.nick)))
      session.relay.renamed(session);
    session.welcome();
  },
  say(session, m) {
    if (session.refuseIfError(m.seq, textProblem(m.text, session.config.maxMessageBytes))) return;
    session.hub.post(session, "say", m.text);
    session.confirm(m);
  },
  action(session, m) {
    if (session.refuseIfError(m.seq, textProblem(m.text, session.config.maxMessageBytes))) return;
    session.hub.post(session, "action", m.text);
    session.confirm(m);
  },
  private(session, m) {
    if (session.refuseIfError(m.seq, textProblem(m.text, session.config.maxMessageBytes))) return;
    if (session.refuseIfError(m.seq, session.hub.whisper(session, m.to, m.text))) return;
    session.confirm(m);
  },
  nick(session, m) {
    if (session.refuseIfError(m.seq, session.hub.rename(session, m.nick))) return;
    session.relay.renamed(session);
    session.confirm(m);
  },
  who(session, m) {
    session.send({ type: "who-list", seq: m.seq, users: session.hub.who() });
    session.confirm(m);
  },
  help(session, m) {
    session.send({ type: "notice", text: session.framed ? HELP_TEXT : TEXT_HELP_TEXT });
    session.confirm(m);
  },
  quit(session, m) {
    const reason = acceptedReason(session, m.reason);
    session.confirm(m);
    session.end(ErrorCode.Quit, reason === "" ? "quit" : `quit: ${reason}`);
  },
  "file-offer"(session, m) {
    session.relay.offer(session, DEFAULT_ROOM, m.name, m.size).then(
      (transfer) => {
        if (session.refuseIfError(m.seq, transfer instanceof ProtocolError ? transfer : undefined))
          return;
        session.send({ type: "file-accepted", seq: m.seq, id: (transfer as { id: number }).id });
        session.confirm(m);
      },
      (error: Error) =>
        session.refuseIfError(
          m.seq,
          new ProtocolError(ErrorCode.Internal, `could not start the transfer: ${error.message}`),
        ),
    );
  },
  "file-chunk"(session, m) {
    session.refuseIfError(0, session.relay.chunk(session, m));
  },
  "file-end"(session, m) {
    void session.relay.end(session, m).then((error) => session.refuseIfError(0, error));
  },
  "file-cancel"(session, m) {
    session.refuseIfError(
      0,
      session.relay.cancel(session, m.id, acceptedReason(session, m.reason)),
    );
  },
  "file-window"(session, m) {
    session.relay.window(session, m.id, m.bytes);
  },
  "file-get"(session, m) {
    if (session.refuseIfError(m.seq, session.relay.get(session, m.id, m.offset))) return;
    session.confirm(m);
  },
  "file-received"(session, m) {
    session.relay.received(session, m.id, m.ok, acceptedReason(session, m.reason));
  },
  files(session, m) {
    session.send({ type: "file-list", seq: m.seq, ...session.relay.list(DEFAULT_ROOM) });
    session.confirm(m);
  },
  "legacy-start"(session, m) {
    return session.relay.legacyStart(session, DEFAULT_ROOM, m.path);
  },
  "legacy-data"(session, m) {
    return session.relay.legacyData(session, m.data);
  },
  "legacy-end"(session) {
    return session.relay.legacyEnd(session);
  },
  ping(session, m) {
    session.send({ type: "pong", token: m.token });
  },
  pong() {
    // Arrival alone proves the peer alive; the session noted the time.
  },
};

/**
 * A peer's reason for leaving, cancelling or declining, which others will see:
 * passed on if it meets the rules, else dropped for the default (the action
 * itself always goes ahead), and the peer is told why.
 */
function acceptedReason(session: Session, reason: string): string {
  const problem = reasonProblem(reason);
  if (problem === undefined) return reason;
  session.refuseIfError(0, new ProtocolError(problem.code, `${problem.message}; it was left out`));
  return "";
}
