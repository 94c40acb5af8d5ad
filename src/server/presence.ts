// Coming and going: into a room (with its recent lines replayed), out of one,
// out of the server, and under a new name, each told to those it concerns.
// In a crowd, every arrival told to everyone costs the square of its size, so
// joins and leaves are announced in rooms of at most `presenceLimit` members.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { roomConversation } from "../store/conversations.js";
import { joinChannel, leaveChannel, publish, renameChannel } from "./diagnostics.js";
import { sendPage } from "./history.js";
import type { Requester, ServerContext } from "./requester.js";
import type { Room } from "./rooms.js";

/** Admits a client that said hello: named, in the default room, shown its recent lines. */
export function arrive(context: ServerContext, client: Requester, wanted: string): void {
  const { directory, rooms } = context;
  directory.admit(client, wanted);
  client.admitted();
  client.typingInto = rooms.defaultRoom;
  welcome(context, client);
  publish(joinChannel, { nick: client.nick, address: client.address });
  enter(context, client, rooms.defaultRoom, { seq: 0, arriving: true });
}

/** Tells `client` its nickname, the server's limits, and the room it types into. */
export function welcome(context: ServerContext, client: Requester): void {
  const { rooms, config } = context;
  client.send({
    type: "welcome",
    nick: client.nick,
    server: config.serverName,
    maxMessageBytes: config.maxMessageBytes,
    room: (client.typingInto ?? rooms.defaultRoom).name,
  });
}

/**
 * Puts `client` in `room`, where it now types, and replays the room's latest
 * lines to it; `arriving`: at hello, when the welcome has named the room.
 */
export function enter(
  context: ServerContext,
  client: Requester,
  room: Room<Requester>,
  { seq, arriving }: { seq: number; arriving: boolean },
): void {
  const { rooms, bus, config } = context;
  const isNew = rooms.join(client, room);
  client.typingInto = room;
  if (!arriving) client.send({ type: "room", seq, ...room.entry() });
  if (!isNew) return;
  if (room.topic !== "") {
    client.send({ type: "topic-is", room: room.name, topic: room.topic, by: room.topicBy });
  }
  sendPage(context, client, {
    seq,
    target: room.name,
    conversation: roomConversation(room.name),
    before: "newest",
    limit: client.historyLimit,
    quietWhenEmpty: true,
  });
  if (room.members.size <= config.presenceLimit) {
    bus.announce(room.name, { type: "joined", nick: client.nick, room: room.name }, client);
  }
}

/** Takes `client` out of `room`; the room it types into falls back to the one it joined last. */
export function leaveRoom(
  context: ServerContext,
  client: Requester,
  room: Room<Requester>,
  reason: string,
): ProtocolError | undefined {
  const { rooms, bus, config } = context;
  const announced = room.members.size <= config.presenceLimit;
  if (!rooms.part(client, room)) {
    return new ProtocolError(ErrorCode.NotInRoom, `you are not in ${room.name}`);
  }
  const left = { type: "left", nick: client.nick, reason, room: room.name } as const;
  if (announced) bus.announce(room.name, left);
  client.send(left);
  if (client.typingInto === room) {
    const joined = rooms.of(client);
    client.typingInto = joined[joined.length - 1];
    if (client.typingInto !== undefined)
      client.send({ type: "room", seq: 0, ...client.typingInto.entry() });
  }
  return undefined;
}

/** Takes a client that has gone out of every room and the directory, telling who shared a room with it. */
export function depart(context: ServerContext, client: Requester, reason: string): void {
  const { directory, rooms, bus, config } = context;
  // A room over the limit hears no goodbyes, and costs nothing to skip.
  const told = rooms
    .of(client)
    .filter((room) => room.members.size <= config.presenceLimit)
    .map((room) => room.name);
  rooms.leaveAll(client);
  if (!directory.remove(client)) return;
  bus.announceOnce(told, { type: "left", nick: client.nick, reason, room: "" }, client);
  publish(leaveChannel, { nick: client.nick, address: client.address, reason });
}

/** Renames `client`, telling itself and everyone who shares a room with it. */
export function rename(
  context: ServerContext,
  client: Requester,
  wanted: string,
): ProtocolError | undefined {
  const from = client.nick;
  if (from === wanted) return undefined;
  const error = context.directory.rename(client, wanted);
  if (error !== undefined) return error;
  const renamed = { type: "renamed", from, to: wanted } as const;
  const rooms = context.rooms.of(client).map((room) => room.name);
  context.bus.announceOnce(rooms, renamed, client);
  client.send(renamed);
  context.relay.renamed(client);
  publish(renameChannel, { from, to: wanted });
  return undefined;
}
