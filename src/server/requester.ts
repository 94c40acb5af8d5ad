// What a handler may do with the client whose request it handles, and what it
// may use of the server: a narrow view of each, so handlers never reach
// through a session into the rest of the server.

import type { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { Store } from "../store/store.js";
import type { Confirmable } from "../transport/codec.js";
import type { Bus } from "./bus.js";
import type { ServerConfig } from "./config.js";
import type { Directory } from "./directory.js";
import type { FileRelay } from "./file-relay.js";
import type { Member } from "./member.js";
import type { Room, Rooms } from "./rooms.js";
import type { FilePeer } from "./transfer.js";

export interface Requester extends Member, FilePeer {
  nick: string;
  readonly joined: boolean;
  /** Where lines go that name no room: the room joined last; undefined when in none. */
  typingInto: Room<Requester> | undefined;
  /** How many lines to replay on joining a room. */
  historyLimit: number;
  /** The oldest line shown of each conversation, by key: /history pages back from it. */
  readonly shownFrom: Map<string, number>;
  /** Marks the client admitted: it may send anything from now on. */
  admitted(): void;
  send(message: ServerMessage): void;
  /** `request` is done: the client hears so as its kind expects (an ack, or an echoed line). */
  confirm(request: Confirmable): void;
  /** Tells the client `error` (if any) about request `seq`; returns whether there was one. */
  refuseIfError(seq: number, error: ProtocolError | undefined): boolean;
  end(code: ErrorCode, reason: string): void;
}

/** What every handler shares. */
export interface ServerContext {
  readonly directory: Directory;
  readonly rooms: Rooms<Requester>;
  readonly bus: Bus;
  readonly store: Store;
  readonly relay: FileRelay;
  readonly config: ServerConfig;
}
