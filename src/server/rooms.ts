// The rooms: who is in each, and its topic. A room exists while someone is in
// it; the default room always does. What was said in a room is the store's.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { RoomEntry } from "../protocol/messages.js";
import { normalRoom, roomKey, roomProblem } from "../protocol/rooms.js";
import type { Member } from "./member.js";

export class Room<M extends Member = Member> {
  /** As its first member spelled it. */
  readonly name: string;
  readonly key: string;
  topic = "";
  topicBy = "";
  readonly members = new Set<M>();

  constructor(name: string) {
    this.name = name;
    this.key = roomKey(name);
  }

  entry(): RoomEntry {
    return { name: this.name, members: this.members.size, topic: this.topic };
  }
}

export class Rooms<M extends Member = Member> {
  readonly defaultRoom: Room<M>;
  readonly #rooms = new Map<string, Room<M>>();
  /** Each member's rooms, oldest joined first. */
  readonly #memberships = new Map<M, Room<M>[]>();

  constructor(defaultRoom: string) {
    this.defaultRoom = new Room<M>(defaultRoom);
    this.#rooms.set(this.defaultRoom.key, this.defaultRoom);
  }

  get(name: string): Room<M> | undefined {
    return this.#rooms.get(roomKey(name));
  }

  /** The room `name`, made if new; an error for a name that breaks the rules. */
  open(name: string): Room<M> | ProtocolError {
    const existing = this.get(name);
    if (existing !== undefined) return existing;
    const normal = normalRoom(name);
    const problem = roomProblem(normal);
    if (problem !== undefined) return new ProtocolError(ErrorCode.BadRoom, problem);
    const room = new Room<M>(normal);
    this.#rooms.set(room.key, room);
    return room;
  }

  /** Whether `member` came in (false: it was there already). */
  join(member: M, room: Room<M>): boolean {
    if (room.members.has(member)) return false;
    room.members.add(member);
    const joined = this.#memberships.get(member);
    if (joined === undefined) this.#memberships.set(member, [room]);
    else joined.push(room);
    return true;
  }

  /** Whether `member` was in `room` (and is no longer). */
  part(member: M, room: Room<M>): boolean {
    if (!room.members.delete(member)) return false;
    const joined = this.#memberships.get(member) ?? [];
    joined.splice(joined.indexOf(room), 1);
    if (joined.length === 0) this.#memberships.delete(member);
    this.#closeIfEmpty(room);
    return true;
  }

  /** Takes `member` out of every room. */
  leaveAll(member: M): void {
    for (const room of this.#memberships.get(member) ?? []) {
      room.members.delete(member);
      this.#closeIfEmpty(room);
    }
    this.#memberships.delete(member);
  }

  /** `member`'s rooms, oldest joined first. */
  of(member: M): readonly Room<M>[] {
    return this.#memberships.get(member) ?? [];
  }

  list(): RoomEntry[] {
    return [...this.#rooms.values()]
      .map((room) => room.entry())
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  #closeIfEmpty(room: Room<M>): void {
    if (room.members.size === 0 && room !== this.defaultRoom) this.#rooms.delete(room.key);
  }
}
