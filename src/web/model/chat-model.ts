// What the page shows and does, without a DOM: conversations and their lines,
// unread counts, who is online, shared files, uploads, and the requests that
// keep it whole across reconnects. It is fed the client core's events and the
// user's input, and reaches the client, the browser and the clock only
// through a ChatPort, so all of it runs in a unit test.

import type { Disconnect, OutgoingFile } from "../../client/chat-client.js";
import type { FileSource, TransferEvent } from "../../client/files.js";
import { type Command, HISTORY_PAGE, parseInput } from "../../protocol/commands.js";
import { ErrorCode, ProtocolError } from "../../protocol/errors.js";
import type { FileEntry, ServerMessage } from "../../protocol/messages.js";
import { nickKey } from "../../protocol/nicknames.js";
import { renderServerMessage } from "../../protocol/render.js";
import { roomKey } from "../../protocol/rooms.js";
import {
  type Conversation,
  type Line,
  newConversation,
  ownClaim,
  privateConvKey,
  roomConvKey,
} from "./conversation.js";
import { fileUrl, hex } from "./format.js";
import { HistoryPages, isFresh, nextResumePage, type Page } from "./history-pages.js";
import { mentions } from "./mentions.js";
import { type Upload, UploadBook } from "./upload-book.js";

/** Lines per page when catching up after a reconnect. */
export const RESUME_PAGE_LINES = 500;
/** Pages a catch-up takes at most; past that, the rest is left to scrolling. */
export const MAX_RESUME_PAGES = 20;
const CANCELLED_BY_SENDER = "cancelled by the sender";

export interface Alert {
  title: string;
  body: string;
  conv: string;
}

/** How the model reaches the client core, the browser and the clock. */
export interface ChatPort {
  send(command: Command): Promise<void>;
  /** Offers a file; aborting `signal` before it is accepted takes it back. */
  sendFile(source: FileSource, signal: AbortSignal): Promise<OutgoingFile>;
  /** Stops sending file `id`, telling its receivers `reason`; false if there is no such upload. */
  cancelFile(id: number | undefined, reason: string): boolean;
  uploadIds(): number[];
  /** Closes the connection for good: no reconnect (after /quit). */
  close(): void;
  /** Starts downloading a shared file from `url`. */
  download(url: string, name: string): void;
  /** A line for this user came while the page was hidden. */
  notify(alert: Alert): void;
  /** The user chose this nickname: the one to ask for next time. */
  nickChosen(nick: string): void;
  now(): number;
}

export type Connection =
  | { state: "connecting" }
  | { state: "connected" }
  | { state: "lost"; reason: string; retryInMs: number | undefined }
  | { state: "closed"; reason: string };

export interface SharedFile {
  readonly id: number;
  name: string;
  size: number;
  from: string;
  room: string;
  status: "arriving" | "verified" | "failed" | "cancelled";
  reason: string;
  /** The SHA-256 checked end to end, as hex, when this page knows it ("" when not). */
  sha256: string;
  own: boolean;
}

type JoinPurpose = "user" | "switch" | "resume";

export class ChatModel {
  readonly #port: ChatPort;
  readonly #conversations = new Map<string, Conversation>();
  readonly #online = new Map<string, string>();
  readonly #files = new Map<number, SharedFile>();
  readonly #uploads = new UploadBook();
  readonly #pages = new HistoryPages();
  readonly #pageOf = new Map<Command, Page>();
  /** Own lines sent and not yet confirmed, by their request. */
  readonly #unconfirmed = new Map<Command, { conv: Conversation; key: string }>();
  /** Pages asked for with a typed /history, whose end is told as a line. */
  readonly #typedPages = new Set<Page>();
  #helloPage: Page | undefined;
  readonly #resumeDepth = new Map<string, number>();
  #joins: { key: string; purpose: JoinPurpose; command: Command }[] = [];
  /** /who typed by the user, whose answers are shown as lines (the page's own are only kept). */
  readonly #typedWho = new Set<Command>();
  /** File lists this page asked for itself, to put a room's files in its log: each one's room. */
  readonly #filesAsked = new Map<Command, string>();
  /**
   * The who- or file list just heard, until the confirmation right after it
   * says which request it answers (a refused request brings neither).
   */
  #answer: Extract<ServerMessage, { type: "who-list" | "file-list" }> | undefined;
  #topicAsks = 0;
  readonly #cancelled = new Set<string>();
  /** Uploads not accepted yet (waiting their turn, or offered), by key: aborting takes one back. */
  readonly #unaccepted = new Map<string, AbortController>();
  readonly #ownNicks = new Set<string>();
  readonly #listeners = new Set<() => void>();
  #me = "";
  #connection: Connection = { state: "connecting" };
  #active: string | undefined;
  #typingInto = "";
  #welcomed = false;
  #quitting = false;
  #visible = true;
  #version = 0;

  constructor(port: ChatPort) {
    this.#port = port;
  }

  // ---- what the page shows -------------------------------------------------

  /** Counts changes, so a view can tell it is out of date. */
  get version(): number {
    return this.#version;
  }

  get me(): string {
    return this.#me;
  }

  get connection(): Connection {
    return this.#connection;
  }

  /** Rooms in the order they were joined, then private conversations. */
  get conversations(): Conversation[] {
    const all = [...this.#conversations.values()];
    return [...all.filter((c) => c.kind === "room"), ...all.filter((c) => c.kind === "private")];
  }

  get active(): Conversation | undefined {
    return this.#active === undefined ? undefined : this.#conversations.get(this.#active);
  }

  conversation(key: string): Conversation | undefined {
    return this.#conversations.get(key);
  }

  /** Everyone online, by nickname. */
  get online(): string[] {
    return sortedNicks(this.#online);
  }

  /** The members of room `key` by nickname; undefined until the server has listed them. */
  members(key: string): string[] | undefined {
    const members = this.#conversations.get(key)?.members;
    return members === undefined ? undefined : sortedNicks(members);
  }

  file(id: number): SharedFile | undefined {
    return this.#files.get(id);
  }

  get uploads(): readonly Upload[] {
    return this.#uploads.list;
  }

  get unread(): number {
    let total = 0;
    for (const conv of this.#conversations.values()) total += conv.unread;
    return total;
  }

  /** Whether older lines of `key` are being fetched now. */
  loadingOlder(key: string): boolean {
    return this.#pages.loading(key, "older");
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- what the client core says -------------------------------------------

  server(m: ServerMessage): void {
    switch (m.type) {
      case "welcome":
        this.#welcome(m);
        break;
      case "message":
        this.#message(m);
        break;
      case "joined": {
        this.#online.set(nickKey(m.nick), m.nick);
        const conv = this.#room(m.room);
        conv.members?.set(nickKey(m.nick), m.nick);
        this.#rendered(conv, m);
        break;
      }
      case "left":
        this.#left(m);
        break;
      case "renamed":
        this.#renamed(m);
        break;
      case "room":
        this.#roomIs(m);
        break;
      case "topic-is": {
        const conv = this.#conversations.get(roomConvKey(m.room));
        if (conv !== undefined) conv.topic = m.topic;
        const asked = m.by === "" && this.#topicAsks > 0;
        if (asked) this.#topicAsks -= 1;
        if (m.by !== "" || asked) this.#rendered(conv ?? this.active, m);
        break;
      }
      case "history-end": {
        const key =
          m.target === ""
            ? this.#typingInto
            : m.target.startsWith("#")
              ? roomConvKey(m.target)
              : privateConvKey(m.target);
        const page = this.#pages.end(key, m.more);
        if (page !== undefined) this.#pageEnded(page);
        break;
      }
      case "who-list": {
        const listed = m.room === "" ? this.#online : new Map<string, string>();
        listed.clear();
        for (const user of m.users) listed.set(nickKey(user.nick), user.nick);
        const room = m.room === "" ? undefined : this.#conversations.get(roomConvKey(m.room));
        if (room !== undefined) room.members = listed;
        this.#answer = m;
        break;
      }
      case "file-offered":
        // Asked for with /get: this page never asks over the socket, it downloads over HTTP.
        if (m.requested) break;
        this.#shared(m, "arriving", "");
        break;
      case "file-verified":
        this.#shared(m, m.ok ? "verified" : "failed", m.reason);
        break;
      case "file-cancelled": {
        const file = this.#files.get(m.id);
        if (file !== undefined) {
          file.status = "cancelled";
          file.reason = m.reason;
        }
        break;
      }
      case "file-complete":
        this.#rendered(this.#fileConversation(m.id), m);
        break;
      case "file-list":
        this.#answer = m;
        return;
      case "error":
      case "notice":
      case "room-list":
      case "bye":
        this.#rendered(this.active, m);
        break;
      default:
        return;
    }
    this.#changed();
  }

  /** The server accepted `command` (emitted in order with the server's messages). */
  confirmed(command: Command): void {
    // The server handles requests in order, the hello first: its replay is over.
    const hello = this.#helloPage;
    if (hello !== undefined && this.#pages.settle(hello)) this.#pageEnded(hello);
    this.#helloPage = undefined;
    const page = this.#pageOf.get(command);
    if (page !== undefined) {
      this.#pageOf.delete(command);
      if (this.#pages.settle(page)) this.#pageEnded(page);
    }
    this.#joins = this.#joins.filter((join) => join.command !== command);
    if (command.type === "who") this.#whoConfirmed(command);
    if (command.type === "files") this.#filesConfirmed(command);
    const own = this.#unconfirmed.get(command);
    if (own !== undefined) {
      // Lines that came before the confirmation were stored before this one.
      own.conv.lines.settle(own.key);
      this.#unconfirmed.delete(command);
    }
    if (command.type === "nick") this.#port.nickChosen(command.nick);
    if (command.type === "quit") {
      this.#quitting = true;
      this.#port.close();
    }
    this.#changed();
  }

  disconnected({ reason, retryInMs }: Disconnect): void {
    const wasConnected = this.#connection.state === "connected";
    this.#pages.clear();
    this.#pageOf.clear();
    this.#typedPages.clear();
    this.#helloPage = undefined;
    this.#joins = [];
    this.#typedWho.clear();
    this.#filesAsked.clear();
    this.#answer = undefined;
    this.#topicAsks = 0;
    const over = this.#quitting || retryInMs === undefined;
    this.#connection = over ? { state: "closed", reason } : { state: "lost", reason, retryInMs };
    if (wasConnected) {
      const retry = over ? "" : `; reconnecting in ${(retryInMs / 1000).toFixed(1)} s`;
      this.#event(this.active, `* connection lost: ${reason}${retry}`, "error");
    }
    this.#changed();
  }

  transfer(event: TransferEvent): void {
    if (event.type !== "upload-progress") return;
    if (this.#uploads.progress(event.id, event.sent, this.#port.now())) this.#changed();
  }

  // ---- what the user does --------------------------------------------------

  /** Handles a typed line; false when it was not taken (kept in the box to fix or resend). */
  submit(text: string): boolean {
    const input = parseInput(text);
    if (input.type === "empty") return false;
    if (input.type === "invalid") {
      this.#event(this.active, `* error: ${input.message}`, "error");
      this.#changed();
      return false;
    }
    const active = this.active;
    if (input.type === "send") {
      this.#event(active, "* to send a file: Send a file, or drop or paste it here", "info");
      this.#changed();
      return true;
    }
    if (input.type === "get") {
      this.#get(input.id, input.name);
      this.#changed();
      return true;
    }
    if (input.type === "cancel") {
      this.#cancel(input.id);
      this.#changed();
      return true;
    }
    if (this.#connection.state !== "connected" || active === undefined) {
      this.#event(active, "* error: not connected, nothing sent", "error");
      this.#changed();
      return false;
    }
    const taken = this.#command(input, active);
    this.#changed();
    return taken;
  }

  /** Shows conversation `key`; a room becomes the one typed into. */
  open(key: string): void {
    const conv = this.#conversations.get(key);
    if (conv === undefined) return;
    this.#active = key;
    if (this.#visible) this.#seen(conv);
    if (conv.kind === "room") this.#typeInto(conv);
    this.#changed();
  }

  /** Opens the private conversation with `nick`, making it if new. */
  talkTo(nick: string): void {
    if (nickKey(nick) === nickKey(this.#me)) return;
    this.open(this.#private(nick).key);
  }

  /** The page became visible or hidden. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    const active = this.active;
    if (visible && active !== undefined) this.#seen(active);
    this.#changed();
  }

  /** Asks for the page of lines before the oldest shown of `key` (the active conversation). */
  loadOlder(key = this.#active): void {
    const conv = key === undefined ? undefined : this.#conversations.get(key);
    if (conv === undefined || conv.more === false) return;
    if (this.#connection.state !== "connected" || this.#pages.open(conv.key)) return;
    this.#requestPage(conv, "older", conv.lines.oldestId ?? 0, 0, HISTORY_PAGE);
    this.#changed();
  }

  /** Leaves a room, or closes a private conversation. */
  close(key: string): void {
    const conv = this.#conversations.get(key);
    if (conv === undefined) return;
    if (conv.kind === "private") this.#remove(key);
    else if (this.#connection.state === "connected") {
      void this.#request({ type: "part", room: conv.name, reason: "" }, conv.key).catch(() => {});
    }
    this.#changed();
  }

  /** Sends files to the room shown. */
  sendFiles(sources: readonly FileSource[]): void {
    const conv = this.active;
    const problem =
      this.#connection.state !== "connected"
        ? "not connected, nothing sent"
        : conv?.kind !== "room"
          ? "files go to rooms: open a room first"
          : undefined;
    if (problem !== undefined || conv === undefined) {
      for (const source of sources) void source.close();
      this.#event(conv, `* error: ${problem}`, "error");
      this.#changed();
      return;
    }
    this.#typeInto(conv);
    for (const source of sources) void this.#sendFile(source, conv);
  }

  /** Stops sending upload `key`, or takes it back if not yet accepted; false when it cannot be (all sent). */
  cancelUpload(key: string): boolean {
    const upload = this.#uploads.get(key);
    if (upload === undefined) return false;
    this.#cancelled.add(key);
    const unaccepted = this.#unaccepted.get(key);
    if (unaccepted !== undefined) {
      unaccepted.abort(CANCELLED_BY_SENDER);
      return true;
    }
    if (upload.id === undefined) return false;
    if (this.#port.cancelFile(upload.id, CANCELLED_BY_SENDER)) return true;
    this.#cancelled.delete(key);
    return false;
  }

  // ---- inside ------------------------------------------------------------

  #welcome(m: Extract<ServerMessage, { type: "welcome" }>): void {
    const reconnect = this.#welcomed;
    this.#welcomed = true;
    this.#quitting = false;
    this.#me = m.nick;
    this.#ownNicks.add(nickKey(m.nick));
    this.#connection = { state: "connected" };
    this.#typingInto = roomConvKey(m.room);
    const lobby = this.#room(m.room);
    this.#active ??= lobby.key;
    // The server replays the default room's newest lines after the welcome.
    this.#helloPage = this.#startPage(lobby, reconnect);
    if (reconnect) {
      this.#event(this.active, `* reconnected as ${m.nick}`, "info");
      this.#rejoin(lobby);
    }
    this.#ask({ type: "who", room: "" });
    this.#ask({ type: "who", room: lobby.name });
    this.#askFiles(m.room);
  }

  /** After a reconnect: back into every room, the one shown last; private talks caught up. */
  #rejoin(lobby: Conversation): void {
    const active = this.active;
    const rooms = this.conversations.filter((c) => c.kind === "room" && c !== lobby);
    rooms.sort((a, b) => Number(a === active) - Number(b === active));
    for (const room of rooms) this.#join(room.name, "resume");
    if (active === lobby && rooms.length > 0) this.#join(lobby.name, "switch");
    for (const conv of this.#conversations.values()) {
      if (conv.kind !== "private" || conv.lines.newestId === undefined) continue;
      this.#requestPage(conv, "resume", 0, conv.lines.newestId, RESUME_PAGE_LINES);
    }
  }

  /** Asks who is online (in a room) for the page itself: the answer is kept, not shown. */
  #ask(command: Extract<Command, { type: "who" }>): void {
    void this.#request(command, undefined).catch(() => {});
  }

  #roomMembers(): Map<string, string>[] {
    return [...this.#conversations.values()].flatMap((conv) =>
      conv.members === undefined ? [] : [conv.members],
    );
  }

  #startPage(conv: Conversation, resuming: boolean): Page {
    const newest = conv.lines.newestId;
    return resuming && newest !== undefined
      ? this.#pages.start(conv.key, "resume", newest)
      : this.#pages.start(conv.key, "join");
  }

  #join(room: string, purpose: JoinPurpose): void {
    const key = roomConvKey(room);
    const command: Command = { type: "join", room };
    this.#joins.push({ key, purpose, command });
    this.#typingInto = key;
    let page: Page | undefined;
    if (purpose !== "switch") {
      const conv = this.#conversations.get(key);
      page =
        conv === undefined
          ? this.#pages.start(key, "join")
          : this.#startPage(conv, purpose === "resume");
    }
    void this.#request(command, this.#active, page).catch(() => {});
    // Asked after the join, so the room is there to list and the list follows its replay.
    if (purpose !== "switch") this.#askFiles(room);
  }

  /** Asks, without a word to the user, for the files `room` keeps, to show them in its log. */
  #askFiles(room: string): void {
    const command: Command = { type: "files", room };
    this.#filesAsked.set(command, room);
    void this.#request(command, undefined, undefined, true).catch(() => {
      this.#filesAsked.delete(command);
    });
  }

  /** The answer heard before `command`'s confirmation, if it is of `type`. */
  #answerTo<T extends "who-list" | "file-list">(
    type: T,
  ): Extract<ServerMessage, { type: T }> | undefined {
    const answer = this.#answer;
    this.#answer = undefined;
    return answer?.type === type ? (answer as Extract<ServerMessage, { type: T }>) : undefined;
  }

  /** A typed /who is shown once done; the page's own was kept as it came. */
  #whoConfirmed(command: Command): void {
    const list = this.#answerTo("who-list");
    if (this.#typedWho.delete(command) && list !== undefined) this.#rendered(this.active, list);
  }

  /** A file list came for `command`: the page's own goes in the room's log, a typed one is shown. */
  #filesConfirmed(command: Command): void {
    const list = this.#answerTo("file-list");
    const asked = this.#filesAsked.get(command);
    this.#filesAsked.delete(command);
    if (list === undefined) return;
    if (asked !== undefined) {
      const conv = this.#conversations.get(roomConvKey(asked));
      if (conv !== undefined) this.#placeFiles(conv, list.files);
      return;
    }
    const room = this.active?.kind === "room" ? this.active.name : "";
    for (const entry of list.files) this.#listed(entry, room);
    this.active?.lines.addLocal({
      kind: "file-list",
      ts: this.#port.now(),
      files: list.files,
      total: list.total,
    });
  }

  /** Puts each file of a room's list in its log, where in the history it was shared, once. */
  #placeFiles(conv: Conversation, files: readonly FileEntry[]): void {
    for (const entry of files) {
      // A server that does not say where a file sits: it is left to /files.
      if (entry.sha256.length === 0) continue;
      this.#listed(entry, conv.name);
      const line: Line = { kind: "file", ts: entry.sharedAt, fileId: entry.id };
      conv.lines.addAfter(entry.afterLine, line, `f${entry.id}`);
    }
  }

  /** Records a file a list says `room` keeps: verified, with its hash when the list has it. */
  #listed(entry: FileEntry, room: string): void {
    const sha256 = hex(entry.sha256);
    const known = this.#files.get(entry.id);
    if (known !== undefined) {
      // Seen live, its verdict perhaps missed while the connection was down.
      known.status = "verified";
      known.reason = "";
      if (sha256 !== "") known.sha256 = sha256;
      return;
    }
    this.#files.set(entry.id, {
      id: entry.id,
      name: entry.name,
      size: entry.size,
      from: entry.from,
      room,
      status: "verified",
      reason: "",
      sha256,
      own: this.#ownNicks.has(nickKey(entry.from)),
    });
  }

  /** Makes `conv` the room typed into, if it is not. */
  #typeInto(conv: Conversation): void {
    if (conv.kind !== "room" || this.#typingInto === conv.key) return;
    if (this.#connection.state !== "connected") return;
    this.#join(conv.name, "switch");
  }

  #requestPage(
    conv: Conversation,
    purpose: "older" | "resume",
    before: number,
    since: number,
    limit: number,
  ): Page {
    const page = this.#pages.start(conv.key, purpose, since);
    const command: Command = { type: "history", target: conv.name, before, limit };
    void this.#request(command, conv.key, page).catch(() => {});
    return page;
  }

  #pageEnded(page: Page): void {
    const conv = this.#conversations.get(page.conv);
    if (conv === undefined) return;
    if (this.#typedPages.delete(page)) {
      this.#event(conv, renderPageEnd(conv, page), "info");
    }
    if (page.purpose !== "resume") {
      conv.more = page.more;
      return;
    }
    conv.more ??= page.more;
    const before = nextResumePage(page);
    const depth = (this.#resumeDepth.get(conv.key) ?? 0) + 1;
    if (before === undefined) {
      this.#resumeDepth.delete(conv.key);
    } else if (depth > MAX_RESUME_PAGES) {
      this.#resumeDepth.delete(conv.key);
      this.#event(
        conv,
        `* more was said while disconnected than was loaded: ${MAX_RESUME_PAGES * RESUME_PAGE_LINES}+ lines`,
        "info",
      );
    } else {
      this.#resumeDepth.set(conv.key, depth);
      this.#requestPage(conv, "resume", before, page.since, RESUME_PAGE_LINES);
    }
  }

  /**
   * Sends `command`; a refusal is told in conversation `origin` (the one shown
   * when it was asked) unless `quiet`. Rejects as the client does.
   */
  #request(
    command: Command,
    origin: string | undefined,
    page?: Page,
    quiet = false,
  ): Promise<void> {
    if (page !== undefined) this.#pageOf.set(command, page);
    const sent = this.#port.send(command);
    sent.catch((error: Error) => {
      if (page !== undefined && this.#pageOf.delete(command) && this.#pages.settle(page)) {
        this.#pageEnded(page);
      }
      this.#joins = this.#joins.filter((join) => join.command !== command);
      const lost = error instanceof ProtocolError && error.code === ErrorCode.ConnectionLost;
      if (!quiet && !lost) {
        const conv = origin === undefined ? this.active : this.#conversations.get(origin);
        this.#event(conv ?? this.active, `* error: ${error.message}`, "error");
      }
      this.#changed();
    });
    return sent;
  }

  #command(
    input: Exclude<
      ReturnType<typeof parseInput>,
      { type: "empty" | "invalid" | "send" | "get" | "cancel" }
    >,
    active: Conversation,
  ): boolean {
    switch (input.type) {
      case "say":
        if (active.kind === "private") {
          this.#say(active, "private", input.text, {
            type: "private",
            to: active.name,
            text: input.text,
          });
        } else {
          this.#typeInto(active);
          this.#say(active, "say", input.text, input);
        }
        return true;
      case "action":
        if (active.kind === "private") {
          this.#event(active, "* error: /me works in rooms only", "error");
          return false;
        }
        this.#typeInto(active);
        this.#say(active, "action", input.text, input);
        return true;
      case "private": {
        const conv = this.#private(input.to);
        this.open(conv.key);
        this.#say(conv, "private", input.text, input);
        return true;
      }
      case "join":
        this.#join(input.room, "user");
        return true;
      case "part":
        if (input.room === "" && active.kind === "private") {
          this.#remove(active.key);
          return true;
        }
        if (input.room === "") this.#typeInto(active);
        void this.#request(input, active.key).catch(() => {});
        return true;
      case "topic":
        if (active.kind !== "room") {
          this.#event(active, "* error: topics are for rooms", "error");
          return false;
        }
        this.#typeInto(active);
        if (!input.set) this.#topicAsks += 1;
        void this.#request(input, active.key).catch(() => {});
        return true;
      case "history": {
        const conv =
          input.target === ""
            ? active
            : input.target.startsWith("#")
              ? this.#room(input.target)
              : this.#private(input.target);
        const page = this.#requestPage(conv, "older", conv.lines.oldestId ?? 0, 0, input.limit);
        this.#typedPages.add(page);
        return true;
      }
      case "who":
        this.#typedWho.add(input);
        void this.#request(input, active.key).catch(() => this.#typedWho.delete(input));
        return true;
      case "files":
        this.#typeInto(active);
        void this.#request(input, active.key).catch(() => {});
        return true;
      default:
        // nick, help, rooms, quit
        void this.#request(input, active.key).catch(() => {});
        return true;
    }
  }

  /** An own line: shown at once, confirmed or refused by the server, claimed by its stored copy. */
  #say(
    conv: Conversation,
    style: "say" | "action" | "private",
    text: string,
    command: Command,
  ): void {
    const line: Line = {
      kind: "chat",
      style,
      ts: this.#port.now(),
      from: this.#me,
      text,
      own: true,
      mention: false,
      replayed: false,
      status: "sending",
      problem: "",
    };
    const key = conv.lines.addLocal(line, { claim: ownClaim(style, text), awaiting: true });
    this.#unconfirmed.set(command, { conv, key });
    const settle = (status: "sent" | "failed", problem: string) => {
      // A refusal: where it came (a confirmation moved the line as it came).
      conv.lines.settle(key);
      this.#unconfirmed.delete(command);
      conv.lines.update(key, (l) =>
        l.kind === "chat" && l.status === "sending" ? { ...l, status, problem } : l,
      );
      this.#changed();
    };
    this.#request(command, conv.key, undefined, true).then(
      () => settle("sent", ""),
      (error: Error) => settle("failed", error.message),
    );
  }

  #message(m: Extract<ServerMessage, { type: "message" }>): void {
    const conv = m.kind === "private" ? this.#privateFor(m) : this.#room(m.room);
    const page = m.replayed ? this.#pages.line(conv.key, m.id) : undefined;
    const own = this.#ownNicks.has(nickKey(m.from));
    const fresh = !m.replayed || isFresh(page, m.id);
    const line: Line = {
      kind: "chat",
      style: m.kind,
      ts: m.ts,
      from: m.from,
      text: m.text,
      own,
      mention: !own && mentions(m.text, this.#me),
      replayed: !fresh,
      status: "stored",
      problem: "",
    };
    const added =
      m.id > 0
        ? conv.lines.addStored(m.id, line, own ? ownClaim(m.kind, m.text) : undefined)
        : conv.lines.addLocal(line) !== "";
    if (!added || own || !fresh) return;
    if (m.kind !== "private") this.#online.set(nickKey(m.from), m.from);
    const looking = conv.key === this.#active && this.#visible;
    const forMe = line.mention || m.kind === "private";
    if (!looking) {
      conv.unread += 1;
      if (forMe) conv.mentions += 1;
    }
    if (!this.#visible && forMe) {
      this.#port.notify({
        title: m.kind === "private" ? `${m.from} (private)` : `${m.from} in ${conv.name}`,
        body: m.text,
        conv: conv.key,
      });
    }
  }

  /** The private conversation a line belongs to: the page asked for, or the other person's. */
  #privateFor(m: Extract<ServerMessage, { type: "message" }>): Conversation {
    if (m.replayed) {
      for (const nick of [m.from, m.to]) {
        if (this.#pages.open(privateConvKey(nick))) return this.#private(nick);
      }
    }
    return this.#private(this.#ownNicks.has(nickKey(m.from)) ? m.to : m.from);
  }

  #left(m: Extract<ServerMessage, { type: "left" }>): void {
    const ownLeft = nickKey(m.nick) === nickKey(this.#me);
    if (m.room === "") {
      this.#online.delete(nickKey(m.nick));
      for (const conv of this.#conversations.values()) conv.members?.delete(nickKey(m.nick));
      const talk = this.#conversations.get(privateConvKey(m.nick));
      if (talk !== undefined && talk !== this.active) this.#rendered(talk, m);
      this.#rendered(this.active, m);
      return;
    }
    const conv = this.#conversations.get(roomConvKey(m.room));
    if (conv === undefined) return;
    if (ownLeft) {
      this.#remove(conv.key);
      this.#rendered(this.active, m);
      return;
    }
    conv.members?.delete(nickKey(m.nick));
    this.#rendered(conv, m);
  }

  #renamed(m: Extract<ServerMessage, { type: "renamed" }>): void {
    for (const members of [this.#online, ...this.#roomMembers()]) {
      if (!members.delete(nickKey(m.from))) continue;
      members.set(nickKey(m.to), m.to);
    }
    if (nickKey(m.from) === nickKey(this.#me)) {
      this.#me = m.to;
      this.#ownNicks.add(nickKey(m.to));
    }
    const talk = this.#conversations.get(privateConvKey(m.from));
    if (talk !== undefined && !this.#conversations.has(privateConvKey(m.to))) {
      // The talk goes on under the new name, in its place.
      const renamed: Conversation = { ...talk, key: privateConvKey(m.to), name: m.to };
      const entries = [...this.#conversations.entries()].map(
        ([key, conv]): [string, Conversation] =>
          key === talk.key ? [renamed.key, renamed] : [key, conv],
      );
      this.#conversations.clear();
      for (const [key, conv] of entries) this.#conversations.set(key, conv);
      if (this.#active === talk.key) this.#active = renamed.key;
      if (renamed !== this.active) this.#rendered(renamed, m);
    }
    this.#rendered(this.active, m);
  }

  #roomIs(m: Extract<ServerMessage, { type: "room" }>): void {
    const conv = this.#room(m.name);
    conv.name = m.name;
    conv.topic = m.topic;
    this.#typingInto = conv.key;
    // The answer says how many; who they are is asked for.
    if (conv.members?.size !== m.members) this.#ask({ type: "who", room: conv.name });
    if (m.seq === 0) {
      // A part fell back to this room: shown if what was shown is gone.
      if (this.active === undefined) this.#active = conv.key;
      return;
    }
    const at = this.#joins.findIndex((join) => join.key === conv.key);
    const join = at < 0 ? undefined : this.#joins.splice(at, 1)[0];
    if (join?.purpose === "user") {
      this.#active = conv.key;
      this.#seen(conv);
      this.#rendered(conv, m);
    }
  }

  /** Records a shared file and shows it in its room, once. */
  #shared(
    m: Extract<ServerMessage, { type: "file-offered" | "file-verified" }>,
    status: SharedFile["status"],
    reason: string,
  ): void {
    const sha256 = m.type === "file-verified" && m.sha256 !== undefined ? hex(m.sha256) : "";
    const known = this.#files.get(m.id);
    if (known === undefined) {
      this.#files.set(m.id, {
        id: m.id,
        name: m.name,
        size: m.size,
        from: m.from,
        room: m.room,
        status,
        reason,
        sha256,
        own: this.#ownNicks.has(nickKey(m.from)),
      });
    } else {
      known.status = status;
      known.reason = reason;
      if (sha256 !== "") known.sha256 = sha256;
    }
    const conv = this.#conversations.get(roomConvKey(m.room));
    conv?.lines.addLocal({ kind: "file", ts: this.#port.now(), fileId: m.id }, { key: `f${m.id}` });
  }

  #fileConversation(id: number): Conversation | undefined {
    const room = this.#files.get(id)?.room;
    return (
      (room === undefined ? undefined : this.#conversations.get(roomConvKey(room))) ?? this.active
    );
  }

  async #sendFile(source: FileSource, conv: Conversation): Promise<void> {
    const key = this.#uploads.start(source.name, source.size, conv.name);
    this.#changed();
    let outgoing: OutgoingFile;
    const taking = new AbortController();
    this.#unaccepted.set(key, taking);
    try {
      outgoing = await this.#port.sendFile(source, taking.signal);
    } catch (error) {
      this.#uploads.finish(key);
      if (this.#cancelled.delete(key)) {
        this.#event(conv, `* cancelled sending ${source.name}`, "info");
      } else {
        this.#event(
          conv,
          `* error: could not send ${source.name}: ${(error as Error).message}`,
          "error",
        );
      }
      this.#changed();
      return;
    } finally {
      this.#unaccepted.delete(key);
    }
    const { id } = outgoing;
    this.#uploads.accepted(key, id, this.#port.now());
    this.#files.set(id, {
      id,
      name: source.name,
      size: source.size,
      from: this.#me,
      room: conv.name,
      status: "arriving",
      reason: "",
      sha256: "",
      own: true,
    });
    conv.lines.addLocal({ kind: "file", ts: this.#port.now(), fileId: id }, { key: `f${id}` });
    this.#changed();
    try {
      await outgoing.delivered;
    } catch (error) {
      const file = this.#files.get(id);
      if (this.#cancelled.delete(key)) {
        if (file !== undefined) file.status = "cancelled";
        this.#event(conv, `* cancelled sending ${source.name}`, "info");
      } else {
        if (file !== undefined && file.status === "arriving") file.status = "failed";
        this.#event(
          conv,
          `* error: ${source.name} was not sent: ${(error as Error).message}`,
          "error",
        );
      }
    } finally {
      this.#cancelled.delete(key);
      this.#uploads.finish(key);
      this.#changed();
    }
  }

  #get(id: number, name: string): void {
    const room = this.active?.kind === "room" ? roomKey(this.active.name) : undefined;
    let file = id === 0 ? undefined : this.#files.get(id);
    if (id === 0) {
      for (const candidate of this.#files.values()) {
        if (candidate.name !== name || candidate.status !== "verified") continue;
        if (room !== undefined && roomKey(candidate.room) !== room) continue;
        if (file === undefined || candidate.id > file.id) file = candidate;
      }
    }
    if (file === undefined) {
      const what = id === 0 ? `no file called ${name}` : `no file ${id}`;
      this.#event(this.active, `* error: ${what} here; /files lists the room's files`, "error");
      return;
    }
    this.#port.download(fileUrl(file.id, file.name), file.name);
  }

  #cancel(id: number | undefined): void {
    const ids = this.#port.uploadIds();
    const target = id ?? (ids.length === 1 ? ids[0] : undefined);
    const upload = target === undefined ? undefined : this.#uploads.byId(target);
    if (upload !== undefined && this.cancelUpload(upload.key)) return;
    if (target !== undefined && this.#port.cancelFile(target, CANCELLED_BY_SENDER)) return;
    const problem =
      ids.length === 0 ? "no file is being sent" : `say which: /cancel ${ids.join(" or /cancel ")}`;
    this.#event(this.active, `* error: ${problem}`, "error");
  }

  #room(name: string): Conversation {
    return this.#conversation("room", name);
  }

  #private(nick: string): Conversation {
    return this.#conversation("private", nick);
  }

  #conversation(kind: "room" | "private", name: string): Conversation {
    const key = kind === "room" ? roomConvKey(name) : privateConvKey(name);
    let conv = this.#conversations.get(key);
    if (conv === undefined) {
      conv = newConversation(kind, name);
      this.#conversations.set(key, conv);
    }
    return conv;
  }

  #remove(key: string): void {
    this.#conversations.delete(key);
    if (this.#active !== key) return;
    const next = this.#conversations.get(this.#typingInto) ?? this.conversations[0];
    this.#active = next?.key;
    if (next !== undefined && this.#visible) this.#seen(next);
  }

  #seen(conv: Conversation): void {
    conv.unread = 0;
    conv.mentions = 0;
  }

  /** `m` as the terminal shows it, as event lines of `conv`. */
  #rendered(conv: Conversation | undefined, m: ServerMessage): void {
    const typingInto = conv?.kind === "room" ? conv.name : (this.active?.name ?? "");
    const tone = m.type === "error" || m.type === "bye" ? "error" : "info";
    for (const text of renderServerMessage(m, typingInto)) this.#event(conv, text, tone);
  }

  #event(conv: Conversation | undefined, text: string, tone: "info" | "error"): void {
    conv?.lines.addLocal({ kind: "event", ts: this.#port.now(), text, tone });
  }

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}

function renderPageEnd(conv: Conversation, page: Page): string {
  if (page.count === 0) return `* no earlier lines of ${conv.name}`;
  const lines = `${page.count} earlier ${page.count === 1 ? "line" : "lines"}`;
  return `* ${lines} of ${conv.name} above${page.more ? "; scroll up for more" : ""}`;
}

function sortedNicks(byKey: Map<string, string>): string[] {
  return [...byKey.values()].sort((a, b) => a.localeCompare(b));
}
