// One handler per client request type, each a few lines over the server's
// parts. A handler that returns a promise holds the connection's later
// requests until it settles; a chat line's settles once it is stored.

import { HELP_TEXT, TEXT_HELP_TEXT } from "../protocol/commands.js";
import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { ClientMessage } from "../protocol/messages.js";
import { nickProblem } from "../protocol/nicknames.js";
import { roomProblem } from "../protocol/rooms.js";
import { privateConversation, roomConversation } from "../store/conversations.js";
import { type LineDraft, StoreWriteError } from "../store/store.js";
import type { Inbound } from "../transport/connection.js";
import { sendPage } from "./history.js";
import type { Member } from "./member.js";
import { reasonProblem, textProblem, topicProblem } from "./message-rules.js";
import { arrive, enter, leaveRoom, rename, welcome } from "./presence.js";
import type { Requester, ServerContext } from "./requester.js";
import type { Room } from "./rooms.js";

type Handlers = {
  [K in Inbound["type"]]: (
    context: ServerContext,
    client: Requester,
    message: Extract<Inbound, { type: K }>,
  ) => Promise<void> | undefined | void;
};

export const handlers: Handlers = {
  hello(context, client, m) {
    if (m.history !== undefined)
      client.historyLimit = Math.min(m.history, context.config.maxHistoryPage);
    if (!client.joined) {
      arrive(context, client, m.nick);
      return;
    }
    // A client that upgraded from text after its welcome joined as a guest:
    // it takes the nickname it asked for if it can, and is welcomed anew.
    if (m.nick !== "") client.refuseIfError(0, rename(context, client, m.nick));
    welcome(context, client);
  },
  say: postToRoom,
  action: postToRoom,
  private(context, client, m) {
    if (client.refuseIfError(m.seq, textProblem(m.text, context.config.maxMessageBytes))) return;
    const target = context.directory.find(m.to);
    if (target === undefined) {
      client.refuseIfError(
        m.seq,
        new ProtocolError(ErrorCode.NoSuchNick, `nobody here is called ${m.to}`),
      );
      return;
    }
    const draft = {
      conversation: privateConversation(client.nick, target.nick),
      kind: "private",
      room: "",
      from: client.nick,
      to: target.nick,
      text: m.text,
    } as const;
    return post(context, client, m, draft, target);
  },
  nick(context, client, m) {
    if (client.refuseIfError(m.seq, rename(context, client, m.nick))) return;
    client.confirm(m);
  },
  who(context, client, m) {
    const name = m.room ?? "";
    const room = name === "" ? undefined : anyRoom(context, client, name);
    if (refused(client, m.seq, room)) return;
    const users = context.directory.who(Date.now(), room?.members).map((user) =>
      // Where someone connects from is theirs to see, nobody else's.
      user.nick === client.nick ? user : { ...user, address: "" },
    );
    client.send({ type: "who-list", seq: m.seq, users, room: room?.name ?? "" });
    client.confirm(m);
  },
  help(_context, client, m) {
    client.send({ type: "notice", text: client.capabilities.files ? HELP_TEXT : TEXT_HELP_TEXT });
    client.confirm(m);
  },
  quit(_context, client, m) {
    const reason = acceptedReason(client, m.reason);
    client.confirm(m);
    client.end(ErrorCode.Quit, reason === "" ? "quit" : `quit: ${reason}`);
  },
  join(context, client, m) {
    const room = context.rooms.open(m.room);
    if (refused(client, m.seq, room)) return;
    enter(context, client, room, { seq: m.seq, arriving: false });
    client.confirm(m);
  },
  part(context, client, m) {
    const room = memberRoom(context, client, m.room);
    if (refused(client, m.seq, room)) return;
    const reason = acceptedReason(client, m.reason);
    if (client.refuseIfError(m.seq, leaveRoom(context, client, room, reason))) return;
    client.confirm(m);
  },
  rooms(context, client, m) {
    client.send({ type: "room-list", seq: m.seq, rooms: context.rooms.list() });
    client.confirm(m);
  },
  topic(context, client, m) {
    const room = m.set ? memberRoom(context, client, m.room) : anyRoom(context, client, m.room);
    if (refused(client, m.seq, room)) return;
    if (!m.set) {
      client.send({ type: "topic-is", room: room.name, topic: room.topic, by: room.topicBy });
      client.confirm(m);
      return;
    }
    if (client.refuseIfError(m.seq, topicProblem(m.text))) return;
    room.topic = m.text;
    room.topicBy = client.nick;
    context.bus.announce(room.name, {
      type: "topic-is",
      room: room.name,
      topic: m.text,
      by: client.nick,
    });
    client.confirm(m);
  },
  history(context, client, m) {
    const of = historyOf(context, client, m.target);
    if (refused(client, m.seq, of)) return;
    const page = {
      seq: m.seq,
      target: of.target,
      conversation: of.key,
      before: m.before,
      limit: m.limit,
    };
    if (client.refuseIfError(m.seq, sendPage(context, client, page))) return;
    client.confirm(m);
  },
  "file-offer"(context, client, m) {
    const room = memberRoom(context, client, m.room ?? "");
    if (refused(client, m.seq, room)) return;
    context.relay.offer(client, room.name, m.name, m.size).then(
      (transfer) => {
        if (client.refuseIfError(m.seq, transfer instanceof ProtocolError ? transfer : undefined))
          return;
        client.send({ type: "file-accepted", seq: m.seq, id: (transfer as { id: number }).id });
        client.confirm(m);
      },
      (error: Error) =>
        client.refuseIfError(
          m.seq,
          new ProtocolError(ErrorCode.Internal, `could not start the transfer: ${error.message}`),
        ),
    );
  },
  "file-chunk"(context, client, m) {
    client.refuseIfError(0, context.relay.chunk(client, m));
  },
  "file-end"(context, client, m) {
    void context.relay.end(client, m).then((error) => client.refuseIfError(0, error));
  },
  "file-cancel"(context, client, m) {
    client.refuseIfError(0, context.relay.cancel(client, m.id, acceptedReason(client, m.reason)));
  },
  "file-window"(context, client, m) {
    context.relay.window(client, m.id, m.bytes);
  },
  "file-get"(context, client, m) {
    const id = m.id !== 0 || !m.name ? m.id : namedFile(context, client, m.name, m.room ?? "");
    if (refused(client, m.seq, id)) return;
    if (client.refuseIfError(m.seq, context.relay.get(client, id, m.offset))) return;
    client.confirm(m);
  },
  "file-received"(context, client, m) {
    context.relay.received(client, m.id, m.ok, acceptedReason(client, m.reason));
  },
  files(context, client, m) {
    const room = anyRoom(context, client, m.room ?? "");
    if (refused(client, m.seq, room)) return;
    client.send({ type: "file-list", seq: m.seq, ...context.relay.list(room.name) });
    client.confirm(m);
  },
  "legacy-start"(context, client, m) {
    // Someone in no room still shares with everyone, as the original client always did.
    const room = client.typingInto ?? context.rooms.defaultRoom;
    return context.relay.legacyStart(client, room.name, m.path);
  },
  "legacy-data"(context, client, m) {
    return context.relay.legacyData(client, m.data);
  },
  "legacy-end"(context, client) {
    return context.relay.legacyEnd(client);
  },
  ping(_context, client, m) {
    client.send({ type: "pong", token: m.token });
  },
  pong() {
    // Arrival alone proves the peer alive; the session noted the time.
  },
};

type RoomLine = Extract<ClientMessage, { type: "say" | "action" }>;

function postToRoom(
  context: ServerContext,
  client: Requester,
  m: RoomLine,
): Promise<void> | undefined {
  if (client.refuseIfError(m.seq, textProblem(m.text, context.config.maxMessageBytes))) return;
  const room = memberRoom(context, client, m.room ?? "");
  if (refused(client, m.seq, room)) return;
  return post(context, client, m, {
    conversation: roomConversation(room.name),
    kind: m.type,
    room: room.name,
    from: client.nick,
    to: "",
    text: m.text,
  });
}

/**
 * Posts the line through the bus; the client hears it is done once it is
 * stored, at its place among the room's lines.
 */
function post(
  context: ServerContext,
  client: Requester,
  m: Extract<ClientMessage, { type: "say" | "action" | "private" }>,
  draft: LineDraft,
  to?: Member,
): Promise<void> {
  client.lastActive = Date.now();
  return context.bus
    .post(draft, client, to, () => client.confirm(m))
    .then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof StoreWriteError)) throw error;
        const why = error.diskFull ? "the server's disk is full" : error.message;
        client.refuseIfError(
          m.seq,
          new ProtocolError(ErrorCode.NotStored, `not sent: it could not be stored (${why})`),
        );
      },
    );
}

/** The newest file called `name` in room `roomName` ("": the one typed into). */
function namedFile(
  context: ServerContext,
  client: Requester,
  name: string,
  roomName: string,
): number | ProtocolError {
  const room = anyRoom(context, client, roomName);
  if (room instanceof ProtocolError) return room;
  return (
    context.relay.newestNamed(room.name, name) ??
    new ProtocolError(
      ErrorCode.NoSuchFile,
      `no file called ${name} in ${room.name}; /files lists them`,
    )
  );
}

/** The room `name` names ("": the one typed into), if the client is in it. */
function memberRoom(
  context: ServerContext,
  client: Requester,
  name: string,
): Room<Requester> | ProtocolError {
  const room = anyRoom(context, client, name);
  if (room instanceof ProtocolError || room.members.has(client)) return room;
  return new ProtocolError(
    ErrorCode.NotInRoom,
    `you are not in ${room.name}; /join ${room.name} first`,
  );
}

/** The room `name` names ("": the one typed into). */
function anyRoom(
  context: ServerContext,
  client: Requester,
  name: string,
): Room<Requester> | ProtocolError {
  if (name === "") {
    return (
      client.typingInto ?? new ProtocolError(ErrorCode.NotInRoom, "you are in no room; /join one")
    );
  }
  return (
    context.rooms.get(name) ?? new ProtocolError(ErrorCode.NoSuchRoom, `there is no room ${name}`)
  );
}

/** The conversation /history `target` names: a room ("" the one typed into) or a private one. */
function historyOf(
  context: ServerContext,
  client: Requester,
  target: string,
): { key: string; target: string } | ProtocolError {
  if (target === "") {
    const room = anyRoom(context, client, target);
    return room instanceof ProtocolError ? room : { key: room.key, target: room.name };
  }
  // A room's history outlives its members, so an empty room's can be read too.
  const problem = target.startsWith("#") ? roomProblem(target) : nickProblem(target);
  if (problem !== undefined) {
    return new ProtocolError(
      target.startsWith("#") ? ErrorCode.BadRoom : ErrorCode.BadNick,
      problem,
    );
  }
  const key = target.startsWith("#")
    ? roomConversation(target)
    : privateConversation(client.nick, target);
  return { key, target };
}

/** Tells the client when `result` is an error; a type guard, so the caller goes on with the value. */
function refused<T>(
  client: Requester,
  seq: number,
  result: T | ProtocolError,
): result is ProtocolError {
  return client.refuseIfError(seq, result instanceof ProtocolError ? result : undefined);
}

/**
 * A peer's reason for leaving, cancelling or declining, which others will see:
 * passed on if it meets the rules, else dropped for the default (the action
 * itself always goes ahead), and the peer is told why.
 */
function acceptedReason(client: Requester, reason: string): string {
  const problem = reasonProblem(reason);
  if (problem === undefined) return reason;
  client.refuseIfError(0, new ProtocolError(problem.code, `${problem.message}; it was left out`));
  return "";
}
