// What the page shows of one conversation, a room or a private talk, and the
// lines in it.

import type { FileEntry, MessageKind } from "../../protocol/messages.js";
import { nickKey } from "../../protocol/nicknames.js";
import { roomKey } from "../../protocol/rooms.js";
import { MessageList } from "./message-list.js";

export type Line =
  | {
      kind: "chat";
      style: MessageKind;
      ts: number;
      from: string;
      text: string;
      own: boolean;
      /** It names this page's user. */
      mention: boolean;
      /** Sent from the history rather than as it was said. */
      replayed: boolean;
      /** An own line: on its way, confirmed by the server, or refused (`problem` says why). */
      status: "stored" | "sending" | "sent" | "failed";
      problem: string;
    }
  | { kind: "event"; ts: number; text: string; tone: "info" | "error" }
  /** A shared file, shown from the page's file map. */
  | { kind: "file"; ts: number; fileId: number }
  /** The answer to /files: the room's files, with their links. */
  | { kind: "file-list"; ts: number; files: FileEntry[]; total: number };

export interface Conversation {
  /** `#lobby` (a room's key) or `@bob` (a nickname's key). */
  readonly key: string;
  readonly kind: "room" | "private";
  /** As shown: the room as its creator spelled it, or the other person's nickname. */
  name: string;
  topic: string;
  /** A room's members by nickname key, as the server last listed them, kept by joins, leaves and renames. */
  members: Map<string, string> | undefined;
  readonly lines: MessageList<Line>;
  /** Lines said while it was not looked at. */
  unread: number;
  /** Of those, the ones that name this page's user or were private. */
  mentions: number;
  /** The server keeps lines older than the oldest shown; undefined until a page has said. */
  more: boolean | undefined;
}

export function roomConvKey(room: string): string {
  return roomKey(room);
}

export function privateConvKey(nick: string): string {
  return `@${nickKey(nick)}`;
}

export function newConversation(kind: "room" | "private", name: string): Conversation {
  return {
    key: kind === "room" ? roomConvKey(name) : privateConvKey(name),
    kind,
    name,
    topic: "",
    members: undefined,
    lines: new MessageList<Line>(),
    unread: 0,
    mentions: 0,
    more: undefined,
  };
}

/** What an own line is claimed by: the server's copy has the same kind and text. */
export function ownClaim(style: MessageKind, text: string): string {
  return `${style}\u0000${text}`;
}
