// The page's model without a browser: fed what the client core would emit,
// it is checked for what the page shows (lines in order, once; unread counts)
// and for the requests it makes (rejoins and catch-up pages after a reconnect).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutgoingFile } from "../../src/client/chat-client.js";
import type { FileSource } from "../../src/client/files.js";
import type { Command } from "../../src/protocol/commands.js";
import { ErrorCode, ProtocolError, RemoteError } from "../../src/protocol/errors.js";
import type { ChatMessage, FileEntry, ServerMessage } from "../../src/protocol/messages.js";
import {
  type Alert,
  ChatModel,
  type ChatPort,
  RESUME_PAGE_LINES,
} from "../../src/web/model/chat-model.js";
import type { Conversation, Line } from "../../src/web/model/conversation.js";

interface Sent {
  command: Command;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A port that records requests; the test answers them as the server would. */
class FakePort implements ChatPort {
  readonly sent: Sent[] = [];
  readonly alerts: Alert[] = [];
  readonly downloads: string[] = [];
  readonly cancels: number[] = [];
  readonly nicks: string[] = [];
  files: ((source: FileSource, signal: AbortSignal) => Promise<OutgoingFile>) | undefined;
  closed = false;
  clock = 1_000;

  send(command: Command): Promise<void> {
    return new Promise((resolve, reject) => this.sent.push({ command, resolve, reject }));
  }

  sendFile(source: FileSource, signal: AbortSignal): Promise<OutgoingFile> {
    if (this.files === undefined) return Promise.reject(new Error("no files here"));
    return this.files(source, signal);
  }

  cancelFile(id: number | undefined): boolean {
    if (id === undefined) return false;
    this.cancels.push(id);
    return true;
  }

  uploadIds(): number[] {
    return [];
  }

  close(): void {
    this.closed = true;
  }

  download(url: string): void {
    this.downloads.push(url);
  }

  notify(alert: Alert): void {
    this.alerts.push(alert);
  }

  nickChosen(nick: string): void {
    this.nicks.push(nick);
  }

  now(): number {
    return this.clock;
  }

  /** The requests sent and not yet answered, of `type` if given. */
  open(type?: Command["type"]): Sent[] {
    return this.sent.filter((s) => type === undefined || s.command.type === type);
  }

  /** Confirms request `sent` as the client does: the event, then the promise. */
  ack(model: ChatModel, sent: Sent): void {
    this.sent.splice(this.sent.indexOf(sent), 1);
    model.confirmed(sent.command);
    sent.resolve();
  }

  ackAll(model: ChatModel): void {
    for (const sent of [...this.sent]) this.ack(model, sent);
  }
}

function welcome(nick = "alice"): ServerMessage {
  return { type: "welcome", nick, server: "test", maxMessageBytes: 4096, room: "#lobby" };
}

function line(
  id: number,
  from: string,
  text: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    type: "message",
    kind: "say",
    ts: id * 1000,
    from,
    to: "",
    text,
    room: "#lobby",
    id,
    replayed: false,
    ...extra,
  };
}

function replayed(id: number, from: string, text: string, extra: Partial<ChatMessage> = {}) {
  return line(id, from, text, { replayed: true, ...extra });
}

function chat(conv: Conversation | undefined): string[] {
  return (conv?.lines.entries ?? [])
    .map((entry) => entry.item)
    .filter((item): item is Extract<Line, { kind: "chat" }> => item.kind === "chat")
    .map((item) => `${item.from}: ${item.text}`);
}

function events(conv: Conversation | undefined): string[] {
  return (conv?.lines.entries ?? [])
    .map((entry) => entry.item)
    .filter((item): item is Extract<Line, { kind: "event" }> => item.kind === "event")
    .map((item) => item.text);
}

/** File `id` as a file list gives it: bob's, shared after stored line `afterLine`. */
function kept(id: number, name: string, afterLine: number): FileEntry {
  return {
    id,
    from: "bob",
    name,
    size: 2048,
    expiresAt: 90_000_000,
    afterLine,
    sharedAt: afterLine * 1000 + 500,
    sha256: new Uint8Array(32).fill(id),
  };
}

function fileList(files: FileEntry[]): ServerMessage {
  return { type: "file-list", seq: 7, files, total: files.length };
}

/** A file offered live in #lobby, or its verdict. */
function liveFile(type: "file-offered" | "file-verified", id: number, name: string): ServerMessage {
  const file = { id, from: "bob", name, size: 2048, room: "#lobby" };
  return type === "file-offered"
    ? { type, ...file, offset: 0, requested: false }
    : { type, ...file, ok: true, reason: "", senderHash: true, sha256: new Uint8Array(32) };
}

/** The chat lines and shared files of `conv` in the order shown: `bob: hi`, `[notes.txt]`. */
function shown(model: ChatModel, conv: Conversation | undefined): string[] {
  return (conv?.lines.entries ?? []).flatMap(({ item }) => {
    if (item.kind === "chat") return [`${item.from}: ${item.text}`];
    if (item.kind === "file") return [`[${model.file(item.fileId)?.name}]`];
    return [];
  });
}

/** A model welcomed into #lobby, its first requests answered. */
function joined(): { model: ChatModel; port: FakePort } {
  const port = new FakePort();
  const model = new ChatModel(port);
  model.server(welcome());
  port.ackAll(model);
  return { model, port };
}

/** Joins `room` as the user does, the server's replay being `lines`. */
function joinRoom(
  model: ChatModel,
  port: FakePort,
  room: string,
  lines: ChatMessage[],
  more = false,
) {
  model.submit(`/join ${room}`);
  const [join] = port.open("join");
  assert.ok(join !== undefined);
  model.server({ type: "room", seq: 9, name: room, topic: "", members: 3 });
  for (const m of lines) model.server(m);
  if (lines.length > 0) {
    model.server({ type: "history-end", seq: 9, target: room, count: lines.length, more });
  }
  port.ack(model, join);
}

describe("ChatModel", () => {
  it("shows the welcome's replay, live lines and own lines in id order, each once", () => {
    const port = new FakePort();
    const model = new ChatModel(port);
    model.server(welcome());
    model.server(replayed(1, "bob", "earlier"));
    model.server(replayed(2, "alice", "mine, from before"));
    model.server({ type: "history-end", seq: 0, target: "#lobby", count: 2, more: true });
    model.server(line(3, "bob", "now"));
    assert.equal(model.submit("hello"), true);
    const say = port.open("say")[0] as Sent;
    assert.deepEqual(say.command, { type: "say", text: "hello" });
    model.server(line(4, "carol", "hi all"));
    const lobby = model.active;
    assert.equal(lobby?.key, "#lobby");
    assert.deepEqual(chat(lobby), [
      "bob: earlier",
      "alice: mine, from before",
      "bob: now",
      "alice: hello",
      "carol: hi all",
    ]);
    const own = lobby?.lines.entries.find((e) => e.item.kind === "chat" && e.item.text === "hello");
    assert.equal(own?.item.kind === "chat" && own.item.status, "sending");
    assert.equal(lobby?.more, true);
    assert.equal(lobby?.unread, 0, "lines in the conversation looked at are read");
  });

  it("places an own line where the server confirmed it, after the lines stored before it", () => {
    const { model, port } = joined();
    model.submit("mine");
    model.server(line(5, "bob", "his, stored first"));
    assert.deepEqual(chat(model.active), ["alice: mine", "bob: his, stored first"]);
    port.ack(model, port.open("say")[0] as Sent);
    model.server(line(7, "carol", "after mine"));
    assert.deepEqual(chat(model.active), [
      "bob: his, stored first",
      "alice: mine",
      "carol: after mine",
    ]);
    // Its stored copy, replayed after a reconnect, takes its place once.
    model.server(replayed(6, "alice", "mine"));
    assert.deepEqual(chat(model.active), [
      "bob: his, stored first",
      "alice: mine",
      "carol: after mine",
    ]);
  });

  it("marks an own line sent when confirmed, failed with the reason when refused", async () => {
    const { model, port } = joined();
    model.submit("fine");
    model.submit("x".repeat(5000));
    const [fine, long] = port.open("say") as [Sent, Sent];
    port.ack(model, fine);
    port.sent.splice(port.sent.indexOf(long), 1);
    long.reject(new RemoteError("CHAT_ERR_MESSAGE_TOO_LARGE", "a message has at most 4096 bytes"));
    await new Promise((resolve) => setImmediate(resolve));
    const statuses = model.active?.lines.entries.flatMap((e) =>
      e.item.kind === "chat" ? [`${e.item.status} ${e.item.problem}`] : [],
    );
    assert.deepEqual(statuses, ["sent ", "failed a message has at most 4096 bytes"]);
    assert.deepEqual(events(model.active), [], "the refusal shows on the line, not twice");
  });

  it("counts unread lines and mentions of conversations not looked at, and clears them on opening", () => {
    const { model, port } = joined();
    joinRoom(model, port, "#dev", [replayed(5, "bob", "old news, not unread")]);
    assert.equal(model.active?.key, "#dev", "a room joined is shown");
    model.server(line(10, "bob", "in the lobby"));
    model.server(line(11, "bob", "alice, look", {}));
    model.server(line(12, "alice", "an own line from another page is no news"));
    model.server(line(13, "bob", "in dev", { room: "#dev" }));
    model.server({ ...line(14, "bob", "psst", { kind: "private", to: "alice", room: "" }) });
    const lobby = model.conversation("#lobby");
    const talk = model.conversation("@bob");
    assert.deepEqual([lobby?.unread, lobby?.mentions], [2, 1]);
    assert.deepEqual([talk?.unread, talk?.mentions], [1, 1], "a private line counts as a mention");
    assert.equal(model.conversation("#dev")?.unread, 0);
    assert.equal(model.unread, 3);
    assert.deepEqual(port.alerts, [], "no notification while the page is visible");

    model.setVisible(false);
    model.server(line(15, "bob", "still there?", { room: "#dev" }));
    model.server(line(16, "carol", "ALICE!", { room: "#dev" }));
    assert.equal(model.conversation("#dev")?.unread, 2, "a hidden page reads nothing");
    assert.deepEqual(port.alerts, [{ title: "carol in #dev", body: "ALICE!", conv: "#dev" }]);
    model.setVisible(true);
    assert.equal(model.conversation("#dev")?.unread, 0);

    model.open("#lobby");
    assert.deepEqual([lobby?.unread, lobby?.mentions], [0, 0]);
    assert.deepEqual(
      port.open("join").map((s) => s.command),
      [{ type: "join", room: "#lobby" }],
      "the room opened becomes the one typed into",
    );
  });

  it("after a reconnect rejoins every room, the one shown last, and catches up private talks", () => {
    const { model, port } = joined();
    model.server(line(1, "bob", "lobby line"));
    joinRoom(model, port, "#dev", [replayed(2, "bob", "dev line")]);
    joinRoom(model, port, "#ops", []);
    model.server(line(3, "bob", "psst", { kind: "private", to: "alice", room: "" }));
    model.open("#dev");
    port.ackAll(model);

    model.disconnected({ reason: "connection lost", retryInMs: 500 });
    assert.deepEqual(model.connection, {
      state: "lost",
      reason: "connection lost",
      retryInMs: 500,
    });
    assert.deepEqual(events(model.active).slice(-1), [
      "* connection lost: connection lost; reconnecting in 0.5 s",
    ]);
    model.server(welcome());
    assert.deepEqual(
      port.sent.map((s) => s.command),
      [
        { type: "join", room: "#ops" },
        { type: "files", room: "#ops" },
        { type: "join", room: "#dev" },
        { type: "files", room: "#dev" },
        { type: "history", target: "bob", before: 0, limit: RESUME_PAGE_LINES },
        { type: "who", room: "" },
        { type: "who", room: "#lobby" },
        { type: "files", room: "#lobby" },
      ],
    );
    assert.equal(model.active?.key, "#dev", "the page shows what it showed");
  });

  it("catches up a room after a reconnect with no gap and no duplicate, new lines unread", () => {
    const { model, port } = joined();
    model.open("#lobby");
    for (let id = 1; id <= 3; id++) model.server(line(id, "bob", `before ${id}`));
    model.submit("sent before the loss");
    // It was stored as 4, but the ack was lost with the connection.
    (port.open("say")[0] as Sent).reject(
      new ProtocolError(ErrorCode.ConnectionLost, "connection lost before the server confirmed"),
    );
    port.sent.length = 0;
    model.disconnected({ reason: "connection reset", retryInMs: 500 });
    model.setVisible(false);

    // The welcome's replay holds the newest 3 lines: 8–10; more are kept.
    model.server(welcome());
    for (let id = 8; id <= 10; id++) model.server(replayed(id, "bob", `while away ${id}`));
    model.server(line(11, "carol", "live during the catch-up"));
    model.server({ type: "history-end", seq: 0, target: "#lobby", count: 3, more: true });
    const page = port.open("history")[0] as Sent;
    assert.deepEqual(page.command, {
      type: "history",
      target: "#lobby",
      before: 8,
      limit: RESUME_PAGE_LINES,
    });
    // The page before 8 reaches back past 3, the last line seen: the gap is closed.
    model.server(replayed(2, "bob", "before 2"));
    model.server(replayed(3, "bob", "before 3"));
    model.server(replayed(4, "alice", "sent before the loss"));
    for (let id = 5; id <= 7; id++) model.server(replayed(id, "bob", `while away ${id}`));
    model.server({ type: "history-end", seq: 5, target: "#lobby", count: 6, more: true });
    port.ack(model, page);
    assert.equal(port.open("history").length, 0, "no further page");

    const lobby = model.conversation("#lobby");
    assert.deepEqual(chat(lobby), [
      "bob: before 1",
      "bob: before 2",
      "bob: before 3",
      "alice: sent before the loss",
      "bob: while away 5",
      "bob: while away 6",
      "bob: while away 7",
      "bob: while away 8",
      "bob: while away 9",
      "bob: while away 10",
      "carol: live during the catch-up",
    ]);
    assert.deepEqual(
      lobby?.lines.entries.flatMap((e) => (e.id === undefined ? [] : [e.id])),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    assert.equal(lobby?.unread, 7, "what was said while away is unread: 5–11");
    const own = lobby?.lines.entries.find((e) => e.id === 4)?.item;
    assert.equal(own?.kind === "chat" && own.status, "stored", "the own line was claimed");
    assert.equal(lobby?.more, false, "the room was empty when joined: nothing is older than 1");
  });

  it("stops catching up at an empty room, and pages older lines when asked", () => {
    const port = new FakePort();
    const model = new ChatModel(port);
    model.server(welcome());
    model.server(replayed(6, "bob", "replayed"));
    model.server({ type: "history-end", seq: 0, target: "#lobby", count: 1, more: true });
    port.ackAll(model);
    model.server(line(7, "bob", "live"));
    model.disconnected({ reason: "lost", retryInMs: 500 });
    model.server(welcome());
    // The room's lines were deleted meanwhile: the replay is empty, so no history-end comes.
    port.ackAll(model);
    assert.equal(port.open("history").length, 0);

    model.loadOlder();
    const older = port.open("history")[0] as Sent;
    assert.deepEqual(older.command, { type: "history", target: "#lobby", before: 6, limit: 50 });
    assert.equal(model.loadingOlder("#lobby"), true);
    model.loadOlder();
    assert.equal(port.open("history").length, 1, "one page at a time");
    model.server(replayed(5, "bob", "older"));
    model.server({ type: "history-end", seq: 3, target: "#lobby", count: 1, more: false });
    port.ack(model, older);
    assert.equal(model.loadingOlder("#lobby"), false);
    assert.equal(model.active?.more, false);
    model.loadOlder();
    assert.equal(port.open("history").length, 0, "nothing older to ask for");
    assert.deepEqual(chat(model.active), ["bob: older", "bob: replayed", "bob: live"]);
    assert.equal(model.active?.unread, 0, "an older page is no news");
  });

  it("talks privately with /msg, and types into a private conversation as private lines", () => {
    const { model, port } = joined();
    model.submit("/msg bob are you there?");
    assert.equal(model.active?.key, "@bob");
    model.submit("second line");
    assert.deepEqual(
      port.open().map((s) => s.command),
      [
        { type: "private", to: "bob", text: "are you there?" },
        { type: "private", to: "bob", text: "second line" },
      ],
    );
    model.server(line(3, "bob", "yes", { kind: "private", to: "alice", room: "" }));
    assert.deepEqual(chat(model.active), [
      "alice: are you there?",
      "alice: second line",
      "bob: yes",
    ]);
    assert.equal(model.submit("/me waves"), false, "no actions in private");
    model.server({ type: "renamed", from: "bob", to: "robert" });
    assert.equal(model.active?.key, "@robert", "the talk follows a rename");
    assert.equal(model.active?.name, "robert");
  });

  it("keeps who is online from /who and presence, and shows a typed /who as lines", () => {
    const { model, port } = joined();
    const users = [
      { nick: "alice", address: "127.0.0.1", idleSeconds: 0 },
      { nick: "bob", address: "127.0.0.1", idleSeconds: 5 },
    ];
    model.server({ type: "who-list", seq: 1, users, room: "" });
    model.server({ type: "who-list", seq: 2, users: users.slice(0, 1), room: "#lobby" });
    assert.deepEqual(model.online, ["alice", "bob"]);
    assert.deepEqual(events(model.active), [], "the page's own /who is silent");
    model.server({ type: "joined", nick: "carol", room: "#lobby" });
    model.server({ type: "left", nick: "bob", reason: "bye", room: "" });
    assert.deepEqual(model.online, ["alice", "carol"]);
    model.submit("/who");
    model.server({ type: "who-list", seq: 3, users, room: "" });
    port.ackAll(model);
    assert.deepEqual(events(model.active), [
      "* carol joined",
      "* bob left (bye)",
      "* 2 users online:",
      "*   alice  127.0.0.1  idle 0s",
      "*   bob    127.0.0.1  idle 5s",
    ]);
  });

  it("keeps each room's members as the server listed them, through joins, leaves and renames", () => {
    const { model, port } = joined();
    assert.deepEqual(
      port.sent.map((s) => s.command).filter((c) => c.type === "who"),
      [],
      "answered by now",
    );
    const who = (nick: string) => ({ nick, address: "127.0.0.1", idleSeconds: 0 });
    assert.equal(model.members("#lobby"), undefined, "not known until listed");
    model.server({ type: "who-list", seq: 2, users: [who("alice"), who("bob")], room: "#lobby" });
    assert.deepEqual(model.members("#lobby"), ["alice", "bob"]);
    model.server({ type: "joined", nick: "carol", room: "#lobby" });
    model.server({ type: "left", nick: "bob", reason: "", room: "#lobby" });
    model.server({ type: "renamed", from: "carol", to: "caroline" });
    assert.deepEqual(model.members("#lobby"), ["alice", "caroline"]);
    model.server({ type: "left", nick: "caroline", reason: "gone", room: "" });
    assert.deepEqual(model.members("#lobby"), ["alice"], "leaving the server leaves every room");

    // Joining a room asks who is in it.
    joinRoom(model, port, "#dev", []);
    assert.deepEqual(
      port.open("who").map((s) => s.command),
      [{ type: "who", room: "#dev" }],
    );
    model.server({ type: "who-list", seq: 10, users: [who("alice"), who("dan")], room: "#dev" });
    assert.deepEqual(model.members("#dev"), ["alice", "dan"]);
    assert.deepEqual(
      events(model.active).filter((e) => e.includes("users")),
      [],
      "kept, not shown",
    );
  });

  it("shows shared files once, with their state and verified hash, and downloads one with /get", () => {
    const { model, port } = joined();
    const offer = {
      type: "file-offered",
      id: 9,
      from: "bob",
      name: "song.mp3",
      size: 4_000_000,
      offset: 0,
      requested: false,
      room: "#lobby",
    } as const;
    model.server(offer);
    model.server(offer);
    model.server({
      type: "file-verified",
      id: 9,
      from: "bob",
      name: "song.mp3",
      size: 4_000_000,
      ok: true,
      reason: "",
      senderHash: true,
      room: "#lobby",
      sha256: new Uint8Array(32).fill(0xab),
    });
    const files = model.active?.lines.entries.filter((e) => e.item.kind === "file") ?? [];
    assert.equal(files.length, 1);
    assert.equal(model.file(9)?.status, "verified");
    assert.equal(model.file(9)?.sha256, "ab".repeat(32), "the verdict's hash, to show by the link");
    model.submit("/get song.mp3");
    model.submit("/get 9");
    model.submit("/get 10");
    assert.deepEqual(port.downloads, ["/files/9/song.mp3", "/files/9/song.mp3"]);
    assert.deepEqual(events(model.active), [
      "* error: no file 10 here; /files lists the room's files",
    ]);
  });

  it("puts the files a room keeps in its log where they were shared, once, older pages around them", () => {
    const port = new FakePort();
    const model = new ChatModel(port);
    model.server(welcome());
    model.server(replayed(10, "bob", "here comes the plan"));
    model.server(replayed(11, "bob", "did you get it?"));
    model.server({ type: "history-end", seq: 0, target: "#lobby", count: 2, more: true });
    port.ack(model, port.open("who")[0] as Sent);
    const asked = port.open("files");
    assert.deepEqual(
      asked.map((s) => s.command),
      [{ type: "files", room: "#lobby" }],
      "asked for after the welcome",
    );
    model.server(fileList([kept(6, "old.txt", 4), kept(7, "plan.pdf", 10)]));
    port.ack(model, asked[0] as Sent);

    const lobby = model.conversation("#lobby");
    assert.deepEqual(shown(model, lobby), [
      "[old.txt]",
      "bob: here comes the plan",
      "[plan.pdf]",
      "bob: did you get it?",
    ]);
    assert.deepEqual(model.file(7), {
      id: 7,
      name: "plan.pdf",
      size: 2048,
      from: "bob",
      room: "#lobby",
      status: "verified",
      reason: "",
      sha256: "07".repeat(32),
      own: false,
    });
    assert.deepEqual(lobby?.lines.get("f7"), { kind: "file", ts: 10_500, fileId: 7 });
    assert.deepEqual(events(lobby), [], "asked quietly: no line says so");
    assert.equal(lobby?.unread, 0, "no news");

    // An older page goes around the file shared within it.
    model.loadOlder();
    const older = port.open("history")[0] as Sent;
    for (const id of [3, 4, 5]) model.server(replayed(id, "bob", `older ${id}`));
    model.server({ type: "history-end", seq: 5, target: "#lobby", count: 3, more: false });
    port.ack(model, older);
    assert.deepEqual(shown(model, lobby), [
      "bob: older 3",
      "bob: older 4",
      "[old.txt]",
      "bob: older 5",
      "bob: here comes the plan",
      "[plan.pdf]",
      "bob: did you get it?",
    ]);

    // Seen live, then listed again after a reconnect: still once, where it was seen.
    model.server(liveFile("file-offered", 8, "notes.txt"));
    model.server(line(12, "bob", "and the notes"));
    model.server(liveFile("file-verified", 8, "notes.txt"));
    model.disconnected({ reason: "lost", retryInMs: 500 });
    model.server(welcome());
    model.server(replayed(11, "bob", "did you get it?"));
    model.server(replayed(12, "bob", "and the notes"));
    model.server({ type: "history-end", seq: 0, target: "#lobby", count: 2, more: true });
    port.ack(model, port.open("who").at(-1) as Sent);
    model.server(
      fileList([kept(6, "old.txt", 4), kept(7, "plan.pdf", 10), kept(8, "notes.txt", 12)]),
    );
    port.ack(model, port.open("files").at(-1) as Sent);
    assert.deepEqual(shown(model, lobby), [
      "bob: older 3",
      "bob: older 4",
      "[old.txt]",
      "bob: older 5",
      "bob: here comes the plan",
      "[plan.pdf]",
      "bob: did you get it?",
      "[notes.txt]",
      "bob: and the notes",
    ]);
    assert.equal(model.file(8)?.sha256, "08".repeat(32), "the list's hash");
  });

  it("asks for the files of each room it joins, and shows a typed /files as one line, as before", async () => {
    const { model, port } = joined();
    joinRoom(model, port, "#dev", [replayed(20, "bob", "the build is up", { room: "#dev" })]);
    const quiet = port.open("files")[0] as Sent;
    assert.deepEqual(quiet.command, { type: "files", room: "#dev" });
    model.server(fileList([kept(9, "build.zip", 20)]));
    port.ack(model, quiet);
    const dev = model.conversation("#dev");
    assert.deepEqual(shown(model, dev), ["bob: the build is up", "[build.zip]"]);
    assert.deepEqual(shown(model, model.conversation("#lobby")), []);

    // One of its own refused (the room is gone by then), then a typed /files, both
    // answered before the refusal is settled: the list shown is the typed one's.
    model.submit("/join #gone");
    const [gone] = port.open("files");
    model.submit("/files");
    const typed = port.open("files")[1] as Sent;
    assert.deepEqual(typed.command, { type: "files" });
    gone?.reject(new RemoteError(ErrorCode.NoSuchRoom, "there is no room #gone"));
    model.server(fileList([kept(9, "build.zip", 20), kept(10, "notes.txt", 20)]));
    port.ack(model, typed);
    const lists = dev?.lines.entries.filter((e) => e.item.kind === "file-list") ?? [];
    assert.equal(lists.length, 1, "a typed /files is one line, in the room shown");
    assert.deepEqual(shown(model, dev), ["bob: the build is up", "[build.zip]"], "nothing placed");
    assert.equal(model.file(10)?.status, "verified", "its files are known, for /get");
    assert.equal(model.file(10)?.sha256, "0a".repeat(32));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      !events(dev).some((text) => text.includes("no room #gone")),
      "its own request's refusal is not told",
    );
  });

  it("sends files to the room shown, with progress, and says how each ended", async () => {
    const { model, port } = joined();
    let deliver = (_: unknown) => {};
    port.files = async (source) => ({
      id: 4,
      delivered: new Promise((resolve) => {
        deliver = resolve as (value: unknown) => void;
        void source;
      }),
    });
    const source: FileSource = {
      name: "notes.txt",
      size: 1000,
      read: async () => new Uint8Array(0),
      close: async () => {},
    };
    model.sendFiles([source]);
    assert.equal(model.uploads.length, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(model.uploads[0]?.id, 4);
    port.clock += 1000;
    model.transfer({ type: "upload-progress", id: 4, name: "notes.txt", sent: 500, size: 1000 });
    assert.deepEqual([model.uploads[0]?.sent, model.uploads[0]?.rate], [500, 500]);
    assert.equal(model.file(4)?.own, true);
    model.server({
      type: "file-complete",
      id: 4,
      name: "notes.txt",
      delivered: 2,
      failed: 0,
      detail: "",
    });
    deliver({ id: 4, name: "notes.txt", delivered: 2, failed: 0, detail: "" });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(model.uploads.length, 0);
    assert.deepEqual(events(model.active), ["* notes.txt delivered to 2 of 2 receivers"]);

    model.submit("/msg bob hi");
    model.sendFiles([source]);
    assert.deepEqual(events(model.active), ["* error: files go to rooms: open a room first"]);
  });

  it("takes back a file still waiting to be accepted when its upload is cancelled", async () => {
    const { model, port } = joined();
    let signal: AbortSignal | undefined;
    port.files = (_source, given) =>
      new Promise((_resolve, reject) => {
        signal = given;
        given.addEventListener("abort", () => reject(new Error(`cancelled: ${given.reason}`)));
      });
    const source: FileSource = {
      name: "queued.bin",
      size: 10,
      read: async () => new Uint8Array(0),
      close: async () => {},
    };
    model.sendFiles([source]);
    const [upload] = model.uploads;
    assert.equal(upload?.id, undefined, "not accepted yet");
    assert.equal(model.cancelUpload(upload?.key ?? ""), true);
    assert.equal(signal?.aborted, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(model.uploads.length, 0);
    assert.deepEqual(events(model.active), ["* cancelled sending queued.bin"]);
  });

  it("after /quit closes for good", () => {
    const { model, port } = joined();
    model.submit("/quit bye");
    port.ackAll(model);
    assert.equal(port.closed, true);
    model.disconnected({ reason: "connection closed", retryInMs: undefined });
    assert.deepEqual(model.connection, { state: "closed", reason: "connection closed" });
  });

  it("refuses what cannot be sent while disconnected, keeping it in the box", () => {
    const { model } = joined();
    model.disconnected({ reason: "lost", retryInMs: 500 });
    assert.equal(model.submit("hello?"), false);
    assert.equal(model.submit("/nosuch"), false);
    assert.deepEqual(events(model.active).slice(-2), [
      "* error: not connected, nothing sent",
      "* error: unknown command /nosuch; /help lists the commands",
    ]);
  });
});
