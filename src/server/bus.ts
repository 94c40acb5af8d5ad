// Where everything said in a room goes to reach its members: chat lines (kept
// in the store first), presence, topics and file notices. The local bus
// delivers to this process's members; a clustered one (NATS JetStream) will
// carry the same events to every node, each delivering to its own.

import type { ChatMessage, ServerMessage } from "../protocol/messages.js";
import type { LineDraft, Store, StoredLine } from "../store/store.js";
import { messageChannel, publish } from "./diagnostics.js";
import type { Member } from "./member.js";
import type { Rooms } from "./rooms.js";

export interface Bus {
  /**
   * Keeps the line, then delivers it to everyone in its room but `from`, or,
   * a private line, to `to`: the person addressed when it was sent, whatever
   * they are called by then. Resolves once it is stored and delivered, rejects
   * with the store's error when it could not be kept (and then nobody sees it).
   * `stored` is called in the step that delivers the line, before any later
   * line is delivered: the sender's confirmation then sits in its stream
   * where the line sits in the room's order.
   */
  post(
    draft: LineDraft,
    from: Member,
    to?: Member,
    stored?: (line: StoredLine) => void,
  ): Promise<StoredLine>;
  /** Delivers an event nobody keeps to everyone in room `name` but `except`. */
  announce(name: string, message: ServerMessage, except?: object): void;
  /** Delivers an event once to everyone in any of the rooms `names` but `except`: someone leaving, or renamed. */
  announceOnce(names: readonly string[], message: ServerMessage, except?: object): void;
}

/** Delivers `message` to each of `members` but `except`. */
export function deliverAll(
  members: Iterable<{ deliver(message: ServerMessage): void }>,
  message: ServerMessage,
  except?: object,
): void {
  for (const member of members) if (member !== except) member.deliver(message);
}

/** A stored line as its receivers get it. */
export function chatMessage(line: StoredLine, replayed: boolean): ChatMessage {
  return {
    type: "message",
    kind: line.kind,
    ts: line.ts,
    from: line.from,
    to: line.to,
    text: line.text,
    room: line.room,
    id: line.id,
    replayed,
  };
}

export class LocalBus implements Bus {
  readonly #store: Store;
  readonly #rooms: Rooms;

  constructor(store: Store, rooms: Rooms) {
    this.#store = store;
    this.#rooms = rooms;
  }

  /**
   * Delivery waits for the commit, so nobody sees a line a crash could lose.
   * Lines of one turn commit together and are delivered in id order, all of
   * them before any of their senders' next requests is handled: a member
   * joining then gets a replay up to the last of them and every later one live.
   */
  async post(
    draft: LineDraft,
    from: Member,
    to?: Member,
    stored?: (line: StoredLine) => void,
  ): Promise<StoredLine> {
    const appended = this.#store.append(draft);
    await appended.stored;
    const { line } = appended;
    const message = chatMessage(line, false);
    stored?.(line);
    if (line.kind === "private") {
      to?.deliver(message);
      return line;
    }
    this.announce(line.room, message, from);
    publish(messageChannel, message);
    return line;
  }

  announce(name: string, message: ServerMessage, except?: object): void {
    const room = this.#rooms.get(name);
    if (room !== undefined) deliverAll(room.members, message, except);
  }

  announceOnce(names: readonly string[], message: ServerMessage, except?: object): void {
    if (names.length === 1) {
      this.announce(names[0] as string, message, except);
      return;
    }
    const told = new Set<Member>();
    for (const name of names) {
      for (const member of this.#rooms.get(name)?.members ?? []) told.add(member);
    }
    deliverAll(told, message, except);
  }
}
