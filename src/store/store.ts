// What the server keeps: chat lines under server-assigned ids, in the order
// they were posted, and the index of shared files. One interface, two
// implementations: SQLite in the data directory (the default) and memory.

import type { MessageKind } from "../protocol/messages.js";

export interface StoredLine {
  /** Assigned by the store: increasing in the order lines were appended, never reused. */
  readonly id: number;
  /** Server time in milliseconds since the epoch. */
  readonly ts: number;
  /**
   * The conversation the line belongs to, as a key: a room's key, or the key
   * of a private conversation (see conversations.ts). History is paged by it.
   */
  readonly conversation: string;
  readonly kind: MessageKind;
  /** The room as its creator spelled it; "" for a private line. */
  readonly room: string;
  readonly from: string;
  /** The recipient of a private line; "" otherwise. */
  readonly to: string;
  readonly text: string;
}

export type LineDraft = Omit<StoredLine, "id" | "ts">;

export interface FileDraft {
  room: string;
  from: string;
  name: string;
  size: number;
}

export interface FileRecord extends FileDraft {
  id: number;
  sha256: Uint8Array;
  /** False when the sender gave no hash (the original client's upload) and the server's stands. */
  senderHash: boolean;
  /** When the upload was verified, ms since the epoch. */
  sharedAt: number;
  /** When the file is removed, ms since the epoch. */
  expiresAt: number;
  /**
   * Where it sits in its room's history: the id of the room's newest
   * committed line when it was kept, 0 if there was none.
   */
  afterLine: number;
}

/** What the relay knows of an upload it keeps; the store adds where it sits. */
export type KeptFile = Pick<
  FileRecord,
  "size" | "sha256" | "senderHash" | "sharedAt" | "expiresAt"
>;

/** Why a write failed: the disk is full, or the database failed otherwise. */
export class StoreWriteError extends Error {
  readonly diskFull: boolean;
  constructor(message: string, diskFull: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreWriteError";
    this.diskFull = diskFull;
  }
}

/** The data directory or database cannot be used; `message` is one line for the operator. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}

export interface Store {
  /**
   * Gives the line its id and time now, so the order of calls is the order of
   * ids. `stored` resolves once the line is committed, together with every
   * other line appended in the same event-loop turn (one transaction), and
   * rejects with a StoreWriteError if that commit fails; a line whose commit
   * failed is not in the history.
   */
  append(draft: LineDraft, now?: number): { line: StoredLine; stored: Promise<void> };
  /** The newest `limit` committed lines of a conversation, oldest first. */
  latest(conversation: string, limit: number): StoredLine[];
  /** The `limit` committed lines just before id `before`, oldest first. */
  before(conversation: string, before: number, limit: number): StoredLine[];
  /** The `limit` committed lines just after id `after`, oldest first. */
  after(conversation: string, after: number, limit: number): StoredLine[];
  /** Deletes lines older than `cutoff` (ms since the epoch); returns how many went. */
  expireLines(cutoff: number): number;

  /** Records an upload that has begun; its id was never given before, across restarts too. Durable on return. */
  beginFile(draft: FileDraft): number;
  /**
   * The upload was verified and spooled: it is listed until `expiresAt`. `size`
   * replaces the draft's, which the original client's upload cannot know when
   * it begins. Durable on return. Returns its `afterLine`: the id of its
   * room's newest line committed now, so lines of this turn not yet committed
   * (and delivered only once they are) come after it.
   */
  keepFile(id: number, kept: KeptFile): number;
  /** Forgets a file, kept or unfinished. */
  dropFile(id: number): void;
  /** Every kept file, oldest first. */
  keptFiles(): FileRecord[];
  /** Uploads begun and never kept (cut off by a restart or crash): forgotten, their ids returned. */
  takeUnfinishedFiles(): number[];

  /** Commits what is pending and closes; the store is unusable after. */
  close(): void;
}
