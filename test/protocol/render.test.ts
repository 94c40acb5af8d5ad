import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors.js";
import {
  HANDSHAKE_BYTES,
  handshakeBytes,
  MAGIC,
  PROTOCOL_VERSION,
  sniff,
} from "../../src/protocol/frame.js";
import type { ChatMessage } from "../../src/protocol/messages.js";
import { inert, renderOwnCommand, renderServerMessage } from "../../src/protocol/render.js";

/** A live line of #lobby (of no room when private), where renderServerMessage types by default. */
function chat(kind: ChatMessage["kind"], text: string, from = "ana", to = ""): ChatMessage {
  const room = kind === "private" ? "" : "#lobby";
  return {
    type: "message",
    kind,
    ts: 1_700_000_000_000,
    from,
    to,
    text,
    room,
    id: 1,
    replayed: false,
  };
}

describe("inert", () => {
  it("spells out C0 and C1 controls, DEL and line feed, keeping tab", () => {
    assert.equal(
      inert("a\x1b[2Jb\x07c\rd\ne\x7ff\x9bg\th"),
      "a\\x1b[2Jb\\x07c\\x0dd\\x0ae\\x7ff\\x9bg\th",
    );
  });

  it("spells out bidi embeddings, overrides and isolates", () => {
    assert.equal(inert("\u202aa\u202eb\u2066c\u2069"), "\\u202aa\\u202eb\\u2066c\\u2069");
  });

  it("leaves ordinary text alone: emoji sequences, combining marks, right-to-left letters, LRM", () => {
    for (const text of ["👩‍👩‍👧", "e\u0301", "שלום", "a\u200fb", "plain"])
      assert.equal(inert(text), text);
  });
});

describe("renderServerMessage", () => {
  it("shows every field a peer can set inert, and a line feed in a reason cannot start a line", () => {
    const attack = "\x1b[2J\x1b]52;c;eA==\x07\n<alice> fake";
    const lines = [
      ...renderServerMessage({ type: "left", nick: "m", reason: attack, room: "" }),
      ...renderServerMessage({ type: "file-cancelled", id: 1, name: attack, reason: attack }),
      ...renderServerMessage({
        type: "file-complete",
        id: 1,
        name: "n",
        delivered: 0,
        failed: 1,
        detail: attack,
      }),
      ...renderServerMessage(chat("say", `hi${attack}`, `x${attack}`)),
      ...renderServerMessage({
        type: "who-list",
        seq: 0,
        room: "",
        users: [{ nick: attack, address: attack, idleSeconds: 0 }],
      }),
    ];
    for (const line of lines) assert.doesNotMatch(line, /[^\P{Cc}\t]/u, JSON.stringify(line));
    assert.ok(!lines.some((line) => line.startsWith("<alice>")));
  });

  describe("chat messages", () => {
    it("renders a public message as <nick> text", () => {
      assert.deepEqual(renderServerMessage(chat("say", "hello")), ["<ana> hello"]);
    });

    it("renders an action as * nick action", () => {
      assert.deepEqual(renderServerMessage(chat("action", "waves")), ["<ana> *waves*"]);
    });

    it("renders a private message with a [private] marker", () => {
      assert.deepEqual(renderServerMessage(chat("private", "psst", "ana", "ben")), [
        "[private] <ana> psst",
      ]);
    });

    it("never lets an action read as a server notice: it is said by its sender", () => {
      for (const text of [
        "is now known as bob",
        "joined",
        "left (gone)",
        "a\n* server restarting",
      ]) {
        const lines = renderServerMessage(chat("action", text));
        assert.ok(lines.length > 0);
        for (const line of lines) assert.match(line, /^<ana> \*.*\*$/, line);
      }
      assert.deepEqual(renderServerMessage({ type: "renamed", from: "ana", to: "bob" }), [
        "* ana is now known as bob",
      ]);
    });

    it("renders a multi-line message as one prefixed line per line", () => {
      assert.deepEqual(renderServerMessage(chat("say", "one\ntwo\nthree")), [
        "<ana> one",
        "<ana> two",
        "<ana> three",
      ]);
      assert.deepEqual(renderServerMessage(chat("action", "a\nb")), ["<ana> *a*", "<ana> *b*"]);
      assert.deepEqual(renderServerMessage(chat("private", "a\nb")), [
        "[private] <ana> a",
        "[private] <ana> b",
      ]);
    });

    it("never puts a newline inside a rendered line", () => {
      const lines = renderServerMessage(chat("say", "x\ny\n\nz"));
      assert.equal(lines.length, 4);
      for (const line of lines) assert.ok(!line.includes("\n"), JSON.stringify(line));
    });

    it("keeps tabs and Unicode as sent", () => {
      assert.deepEqual(renderServerMessage(chat("say", "a\tb 👋", "Zoë")), ["<Zoë> a\tb 👋"]);
    });
  });

  describe("presence and status", () => {
    it("renders welcome with the nickname and server name", () => {
      assert.deepEqual(
        renderServerMessage({
          type: "welcome",
          nick: "ana",
          server: "sockchat",
          maxMessageBytes: 4096,
          room: "#lobby",
        }),
        ["* welcome to sockchat, you are ana; /help lists the commands"],
      );
    });

    it("renders joined", () => {
      assert.deepEqual(renderServerMessage({ type: "joined", nick: "ben", room: "#lobby" }), [
        "* ben joined",
      ]);
    });

    it("renders left with and without a reason", () => {
      assert.deepEqual(renderServerMessage({ type: "left", nick: "ben", reason: "", room: "" }), [
        "* ben left",
      ]);
      assert.deepEqual(
        renderServerMessage({ type: "left", nick: "ben", reason: "ping timeout", room: "" }),
        ["* ben left (ping timeout)"],
      );
    });

    it("renders renamed", () => {
      assert.deepEqual(renderServerMessage({ type: "renamed", from: "ben", to: "benny" }), [
        "* ben is now known as benny",
      ]);
    });

    it("renders an error by its message, not its code", () => {
      assert.deepEqual(
        renderServerMessage({
          type: "error",
          seq: 3,
          code: ErrorCode.NoSuchNick,
          message: "nobody here is called zed",
        }),
        ["* error: nobody here is called zed"],
      );
    });

    it("renders bye with the reason", () => {
      assert.deepEqual(
        renderServerMessage({ type: "bye", code: ErrorCode.Shutdown, reason: "server stopping" }),
        ["* disconnected by server: server stopping"],
      );
    });

    it("renders a notice one line per line", () => {
      assert.deepEqual(renderServerMessage({ type: "notice", text: "line 1\nline 2" }), [
        "* line 1",
        "* line 2",
      ]);
    });

    it("renders ack, ping and pong as nothing", () => {
      assert.deepEqual(renderServerMessage({ type: "ack", seq: 1 }), []);
      assert.deepEqual(renderServerMessage({ type: "ping", token: 1 }), []);
      assert.deepEqual(renderServerMessage({ type: "pong", token: 1 }), []);
    });
  });

  describe("who-list", () => {
    it("renders an empty list as a header only", () => {
      assert.deepEqual(renderServerMessage({ type: "who-list", seq: 1, users: [], room: "" }), [
        "* 0 users online:",
      ]);
    });

    it("leaves out the address it was not given (someone else's), and names the room listed", () => {
      assert.deepEqual(
        renderServerMessage({
          type: "who-list",
          seq: 1,
          room: "#dev",
          users: [
            { nick: "ana", address: "127.0.0.1", idleSeconds: 5 },
            { nick: "bo", address: "", idleSeconds: 61 },
          ],
        }),
        ["* 2 users in #dev:", "*   ana  127.0.0.1  idle 5s", "*   bo   idle 1m1s"],
      );
    });

    it("renders one user in the singular", () => {
      assert.deepEqual(
        renderServerMessage({
          type: "who-list",
          seq: 1,
          room: "",
          users: [{ nick: "ana", address: "127.0.0.1:5000", idleSeconds: 5 }],
        }),
        ["* 1 user online:", "*   ana  127.0.0.1:5000  idle 5s"],
      );
    });

    it("aligns nicknames and formats idle time as s, m+s and h+m", () => {
      assert.deepEqual(
        renderServerMessage({
          type: "who-list",
          seq: 1,
          room: "",
          users: [
            { nick: "al", address: "10.0.0.1:1", idleSeconds: 0 },
            { nick: "beatrice", address: "10.0.0.2:2", idleSeconds: 59 },
            { nick: "cy", address: "10.0.0.3:3", idleSeconds: 60 },
            { nick: "dee", address: "10.0.0.4:4", idleSeconds: 3599 },
            { nick: "ed", address: "10.0.0.5:5", idleSeconds: 3600 },
            { nick: "flo", address: "10.0.0.6:6", idleSeconds: 2 * 86400 + 3 * 3600 + 7 * 60 + 9 },
          ],
        }),
        [
          "* 6 users online:",
          "*   al        10.0.0.1:1  idle 0s",
          "*   beatrice  10.0.0.2:2  idle 59s",
          "*   cy        10.0.0.3:3  idle 1m0s",
          "*   dee       10.0.0.4:4  idle 59m59s",
          "*   ed        10.0.0.5:5  idle 1h0m",
          "*   flo       10.0.0.6:6  idle 51h7m",
        ],
      );
    });
  });
});

describe("renderServerMessage: files", () => {
  it("announces a file being sent, with a readable size and its id", () => {
    assert.deepEqual(
      renderServerMessage({
        type: "file-offered",
        id: 4,
        from: "ana",
        name: "notes.txt",
        size: 1234,
        offset: 0,
        requested: false,
        room: "#lobby",
      }),
      ["* ana is sending notes.txt (1.2 KB) [file 4]"],
    );
  });

  it("announces a file fetched again with /get as one sent before, not as a new offer", () => {
    assert.deepEqual(
      renderServerMessage({
        type: "file-offered",
        id: 4,
        from: "ana",
        name: "notes.txt",
        size: 1234,
        offset: 0,
        requested: true,
        room: "#lobby",
      }),
      ["* fetching notes.txt (1.2 KB), sent by ana [file 4]"],
    );
  });

  it("announces a resumed download from its offset", () => {
    assert.deepEqual(
      renderServerMessage({
        type: "file-offered",
        id: 4,
        from: "ana",
        name: "big.iso",
        size: 4 * 1024 ** 3,
        offset: 2_500_000,
        requested: true,
        room: "#lobby",
      }),
      ["* resuming big.iso from 2.5 MB of 4.3 GB [file 4]"],
    );
  });

  it("renders the verdict on an upload", () => {
    const verified = {
      type: "file-verified",
      id: 2,
      from: "ana",
      name: "a.txt",
      size: 3,
      senderHash: true,
      room: "#lobby",
    } as const;
    assert.deepEqual(renderServerMessage({ ...verified, ok: true, reason: "" }), [
      "* a.txt from ana arrived complete, SHA-256 verified [file 2]",
    ]);
    assert.deepEqual(
      renderServerMessage({ ...verified, ok: true, reason: "", senderHash: false }),
      ["* a.txt from ana arrived complete, SHA-256 computed by the server [file 2]"],
    );
    assert.deepEqual(renderServerMessage({ ...verified, ok: false, reason: "checksum mismatch" }), [
      "* a.txt from ana failed: checksum mismatch",
    ]);
  });

  it("renders a cancelled transfer", () => {
    assert.deepEqual(
      renderServerMessage({ type: "file-cancelled", id: 2, name: "a.txt", reason: "sender left" }),
      ["* a.txt [file 2] was cancelled: sender left"],
    );
  });

  it("renders the delivery summary with and without detail", () => {
    const complete = { type: "file-complete", id: 2, name: "a.txt", delivered: 2 } as const;
    assert.deepEqual(renderServerMessage({ ...complete, failed: 0, detail: "" }), [
      "* a.txt delivered to 2 of 2 receivers",
    ]);
    assert.deepEqual(renderServerMessage({ ...complete, failed: 1, detail: "cy: disk full" }), [
      "* a.txt delivered to 2 of 3 receivers (cy: disk full)",
    ]);
  });

  it("renders the file list, with expiry relative to now", () => {
    assert.deepEqual(renderServerMessage({ type: "file-list", seq: 1, files: [], total: 0 }), [
      "* no shared files",
    ]);
    // Expiry two hours and 30 s ahead reads 2h0m however long the test takes to get here.
    const expiresAt = Date.now() + 2 * 3600_000 + 30_000;
    // Where the file sits in the history, and its hash, are for the page: not shown here.
    const file = {
      id: 7,
      from: "ben",
      name: "x.bin",
      size: 999,
      expiresAt,
      afterLine: 12,
      sharedAt: expiresAt - 86_400_000,
      sha256: new Uint8Array(32).fill(1),
    };
    assert.deepEqual(
      renderServerMessage({
        type: "file-list",
        seq: 1,
        files: [file],
        total: 1,
      }),
      ["* 1 shared file:", "*   7  x.bin  999 B  from ben  expires in 2h0m"],
    );
    assert.deepEqual(
      renderServerMessage({
        type: "file-list",
        seq: 1,
        files: [file],
        total: 301,
      }),
      ["* 301 shared files, the newest 1:", "*   7  x.bin  999 B  from ben  expires in 2h0m"],
    );
  });

  it("renders file data and flow control as nothing", () => {
    assert.deepEqual(renderServerMessage({ type: "file-accepted", seq: 1, id: 1 }), []);
    const data = new Uint8Array(4);
    assert.deepEqual(renderServerMessage({ type: "file-chunk", id: 1, offset: 0, data }), []);
    const sha256 = new Uint8Array(32);
    assert.deepEqual(renderServerMessage({ type: "file-end", id: 1, sha256 }), []);
    assert.deepEqual(renderServerMessage({ type: "file-window", id: 1, bytes: 1 }), []);
  });
});

/** A line "hi" from ana (to ben when private) said in `room`. */
function line(kind: ChatMessage["kind"], room: string, text = "hi"): ChatMessage {
  return { ...chat(kind, text, "ana", kind === "private" ? "ben" : ""), room };
}

/** A time of day, 2 January 2026 in local time: a replayed line shows its local hours and minutes. */
function localTime(hours: number, minutes: number): number {
  return new Date(2026, 0, 2, hours, minutes, 59).getTime();
}

describe("renderServerMessage: rooms", () => {
  it("names the room of a line said in another room than the one typed into", () => {
    assert.deepEqual(renderServerMessage(line("say", "#dev"), "#lobby"), ["#dev <ana> hi"]);
    assert.deepEqual(renderServerMessage(line("action", "#dev", "waves"), "#lobby"), [
      "#dev <ana> *waves*",
    ]);
  });

  it("names the room on every line of a multi-line message from another room", () => {
    assert.deepEqual(renderServerMessage(line("say", "#dev", "one\ntwo"), "#lobby"), [
      "#dev <ana> one",
      "#dev <ana> two",
    ]);
  });

  it("does not name the room typed into, whatever the case it is written in", () => {
    assert.deepEqual(renderServerMessage(line("say", "#dev"), "#dev"), ["<ana> hi"]);
    assert.deepEqual(renderServerMessage(line("say", "#Dev"), "#dEV"), ["<ana> hi"]);
  });

  it("types into #lobby unless told", () => {
    assert.deepEqual(renderServerMessage(line("say", "#lobby")), ["<ana> hi"]);
    assert.deepEqual(renderServerMessage(line("say", "#dev")), ["#dev <ana> hi"]);
  });

  it("never names a room on a private message", () => {
    assert.deepEqual(renderServerMessage(line("private", ""), "#dev"), ["[private] <ana> hi"]);
    // Not even one a server put there.
    assert.deepEqual(renderServerMessage(line("private", "#dev"), "#lobby"), [
      "[private] <ana> hi",
    ]);
  });

  it("names the room of a join elsewhere, not of one in the room typed into", () => {
    const joined = { type: "joined", nick: "ben", room: "#dev" } as const;
    assert.deepEqual(renderServerMessage(joined, "#lobby"), ["* ben joined #dev"]);
    assert.deepEqual(renderServerMessage(joined, "#DEV"), ["* ben joined"]);
  });

  it("names the room someone parted, even the one typed into, and none when they quit", () => {
    const parted = { type: "left", nick: "ben", room: "#dev" } as const;
    assert.deepEqual(renderServerMessage({ ...parted, reason: "" }, "#lobby"), ["* ben left #dev"]);
    assert.deepEqual(renderServerMessage({ ...parted, reason: "lunch" }, "#dev"), [
      "* ben left #dev (lunch)",
    ]);
    assert.deepEqual(
      renderServerMessage({ type: "left", nick: "ben", reason: "lunch", room: "" }, "#dev"),
      ["* ben left (lunch)"],
    );
  });

  it("names the room of a file offered elsewhere", () => {
    const offer = {
      type: "file-offered",
      id: 4,
      from: "ana",
      name: "notes.txt",
      size: 1234,
      offset: 0,
      requested: false,
    } as const;
    assert.deepEqual(renderServerMessage({ ...offer, room: "#dev" }, "#lobby"), [
      "* #dev ana is sending notes.txt (1.2 KB) [file 4]",
    ]);
    assert.deepEqual(renderServerMessage({ ...offer, room: "#dev" }, "#dev"), [
      "* ana is sending notes.txt (1.2 KB) [file 4]",
    ]);
  });

  it("renders the room joined with its members and topic", () => {
    const room = { type: "room", seq: 1, name: "#dev" } as const;
    assert.deepEqual(renderServerMessage({ ...room, topic: "", members: 1 }), [
      "* now talking in #dev (1 member)",
    ]);
    assert.deepEqual(renderServerMessage({ ...room, topic: "ship it", members: 3 }), [
      "* now talking in #dev (3 members); topic: ship it",
    ]);
  });

  it("renders a topic with who set it, or that there is none", () => {
    const topic = { type: "topic-is", room: "#dev" } as const;
    assert.deepEqual(renderServerMessage({ ...topic, topic: "", by: "" }), ["* #dev has no topic"]);
    assert.deepEqual(renderServerMessage({ ...topic, topic: "ship it", by: "ana" }), [
      "* topic of #dev set by ana: ship it",
    ]);
    assert.deepEqual(renderServerMessage({ ...topic, topic: "ship it", by: "" }), [
      "* topic of #dev: ship it",
    ]);
  });

  it("renders the room list with names aligned, members and topics", () => {
    assert.deepEqual(
      renderServerMessage({
        type: "room-list",
        seq: 1,
        rooms: [
          { name: "#lobby", members: 12, topic: "" },
          { name: "#dev", members: 1, topic: "ship it" },
          { name: "#a", members: 0, topic: "" },
        ],
      }),
      [
        "* 3 rooms:",
        "*   #lobby  12 members",
        "*   #dev    1 member  ship it",
        "*   #a      0 members",
      ],
    );
    assert.deepEqual(
      renderServerMessage({
        type: "room-list",
        seq: 1,
        rooms: [{ name: "#lobby", members: 2, topic: "" }],
      }),
      ["* 1 room:", "*   #lobby  2 members"],
    );
  });
});

describe("renderServerMessage: history", () => {
  it("starts a replayed line with its local time of day, and a live one without", () => {
    const at = { ...line("say", "#lobby"), ts: localTime(14, 3) };
    assert.deepEqual(renderServerMessage({ ...at, replayed: true }), ["[14:03] <ana> hi"]);
    assert.deepEqual(renderServerMessage({ ...at, replayed: false }), ["<ana> hi"]);
  });

  it("writes the hours and minutes of a replayed line with two digits each", () => {
    const early = { ...line("action", "#lobby", "yawns"), ts: localTime(9, 5), replayed: true };
    assert.deepEqual(renderServerMessage(early), ["[09:05] <ana> *yawns*"]);
    const midnight = { ...line("say", "#lobby"), ts: localTime(0, 0), replayed: true };
    assert.deepEqual(renderServerMessage(midnight), ["[00:00] <ana> hi"]);
  });

  it("puts the time before the room of another room's line and before [private]", () => {
    const ts = localTime(23, 59);
    assert.deepEqual(renderServerMessage({ ...line("say", "#dev"), ts, replayed: true }), [
      "[23:59] #dev <ana> hi",
    ]);
    assert.deepEqual(renderServerMessage({ ...line("private", ""), ts, replayed: true }), [
      "[23:59] [private] <ana> hi",
    ]);
  });

  it("starts every line of a replayed multi-line message with its time", () => {
    const m = { ...line("say", "#lobby", "one\ntwo"), ts: localTime(14, 3), replayed: true };
    assert.deepEqual(renderServerMessage(m), ["[14:03] <ana> one", "[14:03] <ana> two"]);
  });

  it("tells how many earlier lines came, of what, and whether more are kept", () => {
    const end = { type: "history-end", seq: 1 } as const;
    assert.deepEqual(renderServerMessage({ ...end, target: "", count: 0, more: false }), [
      "* no earlier lines",
    ]);
    assert.deepEqual(renderServerMessage({ ...end, target: "#dev", count: 0, more: false }), [
      "* no earlier lines of #dev",
    ]);
    assert.deepEqual(renderServerMessage({ ...end, target: "ben", count: 1, more: false }), [
      "* 1 earlier line of ben above",
    ]);
    assert.deepEqual(renderServerMessage({ ...end, target: "#dev", count: 50, more: true }), [
      "* 50 earlier lines of #dev above; /history shows more",
    ]);
  });
});

describe("renderServerMessage: rooms, topics and setters are inert", () => {
  const attack = "\x1b[2J\x1b]52;c;eA==\x07\u202e\n<alice> fake";
  /** Control characters (tab aside) and bidi controls. */
  const unsafe = /[^\P{Cc}\t]|[\u202a-\u202e\u2066-\u2069]/u;
  const room = `#x${attack}`;
  const cases: [string, () => string[]][] = [
    ["message.room", () => renderServerMessage(line("say", room), "#lobby")],
    ["replayed message.room", () => renderServerMessage({ ...line("say", room), replayed: true })],
    ["joined.room", () => renderServerMessage({ type: "joined", nick: "m", room }, "#lobby")],
    ["left.room", () => renderServerMessage({ type: "left", nick: "m", reason: "", room })],
    [
      "file-offered.room",
      () =>
        renderServerMessage(
          {
            type: "file-offered",
            id: 1,
            from: "m",
            name: "n",
            size: 1,
            offset: 0,
            requested: false,
            room,
          },
          "#lobby",
        ),
    ],
    [
      "room.name, room.topic",
      () => renderServerMessage({ type: "room", seq: 1, name: room, topic: attack, members: 2 }),
    ],
    [
      "topic-is.room, topic, by",
      () => renderServerMessage({ type: "topic-is", room, topic: attack, by: attack }),
    ],
    [
      "topic-is.room without a topic",
      () => renderServerMessage({ type: "topic-is", room, topic: "", by: "" }),
    ],
    [
      "room-list names and topics",
      () =>
        renderServerMessage({
          type: "room-list",
          seq: 1,
          rooms: [
            { name: room, members: 1, topic: attack },
            { name: "#dev", members: 2, topic: attack },
          ],
        }),
    ],
    [
      "history-end.target",
      () => [
        ...renderServerMessage({
          type: "history-end",
          seq: 1,
          target: attack,
          count: 0,
          more: false,
        }),
        ...renderServerMessage({
          type: "history-end",
          seq: 1,
          target: attack,
          count: 3,
          more: true,
        }),
      ],
    ],
  ];
  for (const [field, render] of cases) {
    it(`shows ${field} spelled out, on lines that nothing forges`, () => {
      const lines = render();
      assert.ok(lines.length > 0);
      for (const shown of lines) {
        assert.doesNotMatch(shown, unsafe, JSON.stringify(shown));
        assert.ok(!shown.startsWith("<alice>"), JSON.stringify(shown));
      }
      assert.ok(lines.some((shown) => shown.includes("\\x1b[2J\\x1b]52;c;eA==\\x07\\u202e\\x0a")));
    });
  }
});

describe("renderOwnCommand", () => {
  it("shows the sender's own message as <You> text", () => {
    assert.deepEqual(renderOwnCommand({ type: "say", text: "hello" }), ["<You> hello"]);
  });

  it("shows the sender's own action as said by <You>, unlike a server's notice", () => {
    assert.deepEqual(renderOwnCommand({ type: "action", text: "waves" }), ["<You> *waves*"]);
  });

  it("shows the sender's own private message with its recipient", () => {
    assert.deepEqual(renderOwnCommand({ type: "private", to: "ben", text: "psst" }), [
      "[to ben] <You> psst",
    ]);
  });

  it("renders multi-line own messages one line per line", () => {
    assert.deepEqual(renderOwnCommand({ type: "say", text: "a\nb" }), ["<You> a", "<You> b"]);
    assert.deepEqual(renderOwnCommand({ type: "action", text: "a\nb" }), [
      "<You> *a*",
      "<You> *b*",
    ]);
    assert.deepEqual(renderOwnCommand({ type: "private", to: "ben", text: "a\nb" }), [
      "[to ben] <You> a",
      "[to ben] <You> b",
    ]);
  });

  it("renders nothing for commands that are not messages", () => {
    assert.deepEqual(renderOwnCommand({ type: "nick", nick: "zoe" }), []);
    assert.deepEqual(renderOwnCommand({ type: "who", room: "" }), []);
    assert.deepEqual(renderOwnCommand({ type: "help" }), []);
    assert.deepEqual(renderOwnCommand({ type: "quit", reason: "bye" }), []);
  });
});

describe("handshake", () => {
  it("handshakeBytes is the magic followed by the protocol version", () => {
    const bytes = handshakeBytes();
    assert.equal(bytes.length, HANDSHAKE_BYTES);
    assert.deepEqual(
      [...bytes],
      [0x89, 0x53, 0x43, 0x48, 0x41, 0x54, 0x0d, 0x0a, PROTOCOL_VERSION],
    );
    assert.deepEqual([...bytes.subarray(0, MAGIC.length)], [...MAGIC]);
  });

  it("handshakeBytes carries another version when asked", () => {
    assert.equal(handshakeBytes(7)[MAGIC.length], 7);
  });

  it("handshakeBytes returns a fresh array each time", () => {
    const a = handshakeBytes();
    a[0] = 0;
    assert.equal(handshakeBytes()[0], 0x89);
    assert.equal(MAGIC[0], 0x89);
  });
});

describe("sniff", () => {
  const handshake = handshakeBytes();

  it("calls a full handshake native", () => {
    assert.equal(sniff(handshake), "native");
  });

  it("calls a handshake followed by frames native", () => {
    assert.equal(sniff(Uint8Array.from([...handshake, 0, 0, 0, 0, 6])), "native");
  });

  it("calls a native handshake with another version native (the codec checks the version)", () => {
    assert.equal(sniff(handshakeBytes(2)), "native");
  });

  it("is undecided on no bytes and on every proper prefix of the handshake", () => {
    for (let n = 0; n < HANDSHAKE_BYTES; n++) {
      assert.equal(sniff(handshake.subarray(0, n)), "undecided", `${n} bytes`);
    }
  });

  it("calls text as soon as one byte differs from the magic", () => {
    const encoder = new TextEncoder();
    assert.equal(sniff(encoder.encode("h")), "text");
    assert.equal(sniff(encoder.encode("hello\n")), "text");
    assert.equal(sniff(encoder.encode("/nick ana\r\n")), "text");
    for (let i = 0; i < MAGIC.length; i++) {
      const bytes = handshake.slice(0, i + 1);
      bytes[i] = (bytes[i] as number) ^ 0x01;
      assert.equal(sniff(bytes), "text", `byte ${i} changed`);
    }
  });

  it("calls a UTF-8 text line text even if it starts with a non-ASCII character", () => {
    assert.equal(sniff(new TextEncoder().encode("élan\n")), "text");
  });
});
