// The interactive client under a real pseudo-terminal (util-linux `script`):
// what the screen shows, as far as a small terminal model can tell, while
// typing, while others talk, and across a server restart.

import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { ChatClient } from "../../src/client/chat-client.js";
import { sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { ServerMessage } from "../../src/protocol/messages.js";
import { randomFile } from "../helpers/files.js";
import { holdingProxy } from "../helpers/holding-proxy.js";
import { hostileServer } from "../helpers/hostile-server.js";
import { type NativePeer, nativePeer } from "../helpers/peers.js";
import { CLI, type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

const COLUMNS = 80;

/**
 * Just enough of a terminal to read the screen back: printable characters with
 * deferred autowrap, CR, LF, and the CSI cursor and erase sequences readline
 * uses (A B C D G J K); colours and modes are ignored. Rows are unbounded, so
 * nothing scrolls away.
 */
class Screen {
  readonly #rows: string[][] = [[]];
  /** Whether a row was entered by wrapping, i.e. continues the row above. */
  readonly #wrapped: boolean[] = [false];
  row = 0;
  col = 0;
  #unparsed = "";

  feed(text: string): void {
    const input = this.#unparsed + text;
    this.#unparsed = "";
    let i = 0;
    while (i < input.length) {
      const char = input[i] as string;
      if (char === "\x1b") {
        if (input[i + 1] !== "[") {
          if (i + 1 === input.length) this.#unparsed = char; // the rest is still to come
          i += 2; // some two-character escape
          continue;
        }
        let end = i + 2;
        while (end < input.length && /[?\d;]/.test(input[end] as string)) end += 1;
        if (end === input.length) {
          this.#unparsed = input.slice(i); // the rest of the sequence is still to come
          return;
        }
        this.#csi(input.slice(i + 2, end), input[end] as string);
        i = end + 1;
        continue;
      }
      if (char === "\r") this.col = 0;
      else if (char === "\n") this.#moveTo(this.row + 1, this.col);
      else if (char >= " ") {
        if (this.col >= COLUMNS) {
          this.#moveTo(this.row + 1, 0);
          this.#wrapped[this.row] = true;
        }
        const cells = this.#rows[this.row] as string[];
        while (cells.length < this.col) cells.push(" ");
        cells[this.col] = char;
        this.col += 1;
      }
      i += 1;
    }
  }

  /** Which of lines() the cursor is on. */
  cursorLine(): number {
    return this.#wrapped.slice(1, this.row + 1).filter((wrapped) => !wrapped).length;
  }

  /** How far into the line it is on the cursor is, counting the rows above it that wrapped. */
  cursorOffset(): number {
    let start = this.row;
    while (start > 0 && this.#wrapped[start] === true) start -= 1;
    return (this.row - start) * COLUMNS + this.col;
  }

  /** The screen as lines, rows continued by wrapping joined to the row above. */
  lines(): string[] {
    const lines: string[] = [];
    for (const [r, cells] of this.#rows.entries()) {
      const text = cells.join("");
      if (this.#wrapped[r] === true && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.map((line) => line.trimEnd());
  }

  #csi(params: string, final: string): void {
    const n = Number.parseInt(params, 10);
    const count = Number.isNaN(n) || n === 0 ? 1 : n;
    const col = Math.min(this.col, COLUMNS - 1);
    const cells = this.#rows[this.row] as string[];
    switch (final) {
      case "A":
        this.#moveTo(Math.max(0, this.row - count), col);
        break;
      case "B":
        this.#moveTo(this.row + count, col);
        break;
      case "C":
        this.#moveTo(this.row, Math.min(COLUMNS - 1, col + count));
        break;
      case "D":
        this.#moveTo(this.row, Math.max(0, col - count));
        break;
      case "G":
        this.#moveTo(this.row, Math.min(COLUMNS, count) - 1);
        break;
      case "J": // only "from the cursor down" is used
        cells.length = Math.min(cells.length, this.col);
        this.#rows.length = this.row + 1;
        this.#wrapped.length = this.row + 1;
        break;
      case "K":
        if (params === "2") cells.length = 0;
        else if (params === "1") cells.fill(" ", 0, this.col + 1);
        else cells.length = Math.min(cells.length, this.col);
        break;
    }
  }

  #moveTo(row: number, col: number): void {
    while (this.#rows.length <= row) {
      this.#rows.push([]);
      this.#wrapped.push(false);
    }
    this.row = row;
    this.col = col;
  }
}

interface Terminal {
  readonly screen: Screen;
  /** The client's working directory, and so where it saves files. */
  readonly dir: string;
  /** Everything written to the terminal so far, escape sequences included. */
  raw(): string;
  type(keys: string): void;
  /** Resolves once the screen satisfies `condition`, checked on every output. */
  until(what: string, condition: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the client's exit code (`script -e` passes it on). */
  readonly exited: Promise<number | string>;
  kill(): void;
}

const terminals: Terminal[] = [];
/** Where the terminals run: what they save lands here, never in the checkout. */
let scratch = "";

/** `sockchat connect` on a pseudo-terminal COLUMNS wide; colour allowed unless `env` says otherwise. */
/** The escape character that opens a control sequence. */
const ESC = "\u001b";

function connectOnTty(port: number, nick: string, env: NodeJS.ProcessEnv = {}): Terminal {
  const dir = mkdtempSync(join(scratch, `${nick}-`));
  const client = `"${process.execPath}" "${CLI}" connect 127.0.0.1:${port} --nick ${nick}`;
  // The shell prints its pid, which exec passes on to the client.
  const command = `stty cols ${COLUMNS} rows 30; echo "pid $$"; exec ${client}`;
  // A CI machine sets CI, which Node takes to mean "no colour"; a person's terminal does not.
  const { NO_COLOR: _, CI: _ci, NODE_DISABLE_COLORS: _off, ...inherited } = process.env;
  const child: ChildProcessWithoutNullStreams = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...inherited, SHELL: "/bin/sh", TERM: "xterm-256color", ...env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group, to be killed as one
    cwd: dir,
  });
  const screen = new Screen();
  let raw = "";
  const checks = new Set<() => void>();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    raw += text;
    screen.feed(text);
    for (const check of checks) check();
  });
  // "close" rather than "exit": by then all the output has been read.
  const exited = once(child, "close").then(
    ([code, signal]) => (code as number | null) ?? (signal as string),
  );
  const terminal: Terminal = {
    screen,
    dir,
    raw: () => raw,
    type: (keys) => child.stdin.write(keys),
    until(what, condition, timeoutMs = 8_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!condition(screen.lines())) return;
          checks.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          checks.delete(check);
          const shown = screen.lines().join("\n");
          const cursor = `line ${screen.cursorLine()}, column ${screen.cursorOffset()}`;
          reject(
            new Error(
              `timed out waiting for ${what}; the screen shows:\n${shown}\n(cursor: ${cursor})`,
            ),
          );
        }, timeoutMs);
        checks.add(check);
        check();
      });
    },
    exited,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const clientPid = Number(/^pid (\d+)/m.exec(stripVTControlCharacters(raw))?.[1]);
      for (const pid of [-(child.pid as number), clientPid]) {
        try {
          if (pid) process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
  terminals.push(terminal);
  return terminal;
}

const PROMPT = "alice> ";
const last = (lines: string[]) => lines.at(-1) ?? "";
const showsPrompt = (lines: string[]) => last(lines) === PROMPT.trimEnd();

function said(from: string, text: string): (m: ServerMessage) => boolean {
  return (m) => m.type === "message" && m.from === from && m.text === text;
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("sockchat connect on a terminal", {
  skip: !hasScript && "needs util-linux script",
}, () => {
  let server: ServerProcess;
  let bob: NativePeer;
  const peers: NativePeer[] = [];
  /** Undone after the tests, whether they passed or not. */
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "sockchat-tty-"));
    // Each test reads the chat from its start: earlier tests' lines are not replayed.
    server = await startServer(["--history", "0"]);
    bob = await nativePeer(server.port, "bob");
    peers.push(bob);
  });

  after(async () => {
    for (const terminal of terminals) terminal.kill();
    await Promise.all(terminals.map((t) => t.exited));
    for (const peer of peers) peer.client.close();
    for (const cleanup of cleanups) await cleanup();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("exits with 0 on Ctrl-D and on Ctrl-C, leaving no dead prompt; colours unless NO_COLOR", async () => {
    const byCtrlD = connectOnTty(server.port, "alice", { NO_COLOR: "1" });
    const byCtrlC = connectOnTty(server.port, "alice2");
    await byCtrlD.until("the prompt", showsPrompt);
    await byCtrlC.until("the prompt", (lines) => last(lines) === "alice2>");
    byCtrlD.type("\x04");
    byCtrlC.type("half a thought\x03");
    assert.equal(await byCtrlD.exited, 0);
    assert.equal(await byCtrlC.exited, 0);
    assert.ok(!byCtrlD.screen.lines().some((line) => line.startsWith("alice>")));
    assert.ok(!byCtrlC.screen.lines().some((line) => line.startsWith("alice2>")));
    // ESC [ … m sets colours and attributes.
    assert.match(byCtrlC.raw(), /\[2m\* welcome to sockchat/, "notices are dimmed");
    assert.doesNotMatch(byCtrlD.raw(), /\[[\d;]*m/, "NO_COLOR: no colours at all");
  });

  it("shows a room's replayed lines dimmed, with their time, before live ones", async () => {
    const chatty = await startServer();
    cleanups.push(async () => {
      await chatty.stop();
    });
    const earlier = spawnCli(["connect", `127.0.0.1:${chatty.port}`, "--nick", "early"]);
    earlier.child.stdin.end("said before you came\n");
    assert.equal(await earlier.exited, 0);
    const late = connectOnTty(chatty.port, "late");
    await late.until("the replayed line", (lines) =>
      lines.some((line) => /^\[\d\d:\d\d\] <early> said before you came$/.test(line)),
    );
    // ESC [ 2 m: dim, over the whole line, time included.
    assert.match(
      late.raw(),
      new RegExp(`${ESC}\\[2m\\[\\d\\d:\\d\\d\\] <early> said before you came`),
    );
    await late.until("the end of the replay", (lines) =>
      lines.includes("* 1 earlier line of #lobby above"),
    );
    late.type("\x04");
    assert.equal(await late.exited, 0);
  });

  it("edits a line as bash does: after Ctrl-U, typing goes in at the start, before what followed the cursor", async () => {
    const editor = connectOnTty(server.port, "editor", { NO_COLOR: "1" });
    const prompt = "editor> ";
    const showing = (text: string, cursor: number) => (lines: string[]) =>
      last(lines) === `${prompt}${text}`.trimEnd() &&
      editor.screen.cursorLine() === lines.length - 1 &&
      editor.screen.cursorOffset() === prompt.length + cursor;
    await editor.until("the prompt", showing("", 0));

    // Ctrl-A, then Ctrl-U at the start deletes nothing; what is typed goes in before "abc".
    editor.type("abc");
    await editor.until("abc typed", showing("abc", 3));
    editor.type("\x01\x15");
    await editor.until("the cursor at the start", showing("abc", 0));
    editor.type("XY");
    await editor.until("XY before abc, the cursor after XY", showing("XYabc", 2));
    editor.type("\r");
    await bob.waitFor(said("editor", "XYabc"), 5_000);
    await editor.until("<You> XYabc", (lines) => lines.at(-2) === "<You> XYabc");

    // Ctrl-U mid-line deletes back to the start; what followed the cursor stays.
    editor.type("hello world\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D");
    await editor.until("the cursor before world", showing("hello world", 6));
    editor.type("\x15");
    await editor.until("world left, the cursor at the start", showing("world", 0));
    editor.type("XY");
    await editor.until("XY before world", showing("XYworld", 2));
    editor.type("\r");
    await bob.waitFor(said("editor", "XYworld"), 5_000);
    await editor.until("<You> XYworld", (lines) => lines.at(-2) === "<You> XYworld");

    editor.type("\x04");
    assert.equal(await editor.exited, 0);
  });

  it("shows others' escape sequences, OSC 52 and bidi overrides spelled out, never acting on them", async () => {
    const attack = "\x1b[2J\x1b]52;c;Y3VybCBldmlsfHNo\x07\r\x1b[2K<alice> fake";
    const hostile = await hostileServer([
      { type: "left", nick: "mallory", reason: `quit: ${attack}`, room: "" },
      {
        type: "message",
        kind: "say",
        ts: 1,
        from: "mallory",
        to: "",
        text: `a\u202eb ${attack}`,
        room: "#lobby",
        id: 1,
        replayed: false,
      },
    ]);
    try {
      const target = connectOnTty(hostile.port, "target", { NO_COLOR: "1" });
      const spelled = "\\x1b[2J\\x1b]52;c;Y3VybCBldmlsfHNo\\x07\\x0d\\x1b[2K<alice> fake";
      await target.until("both lines spelled out", (lines) => {
        return (
          lines.includes(`* mallory left (quit: ${spelled})`) &&
          lines.includes(`<mallory> a\\u202eb ${spelled}`)
        );
      });
      const raw = target.raw();
      for (const acting of ["\x1b]52", "\x1b[2J", "\x07", "\u202e", "\r\x1b[2K<alice>"]) {
        assert.ok(!raw.includes(acting), `the terminal was sent ${JSON.stringify(acting)}`);
      }
      assert.ok(!target.screen.lines().some((line) => line.startsWith("<alice> fake")));
      target.kill();
      await target.exited;
    } finally {
      await hostile.close();
    }
  });

  /** `nick` on a terminal whose upload of a 20 MB file stalls after a megabyte, behind a held link. */
  async function stalledUpload(nick: string) {
    const proxy = await holdingProxy(server.port);
    cleanups.push(() => proxy.close());
    const sender = connectOnTty(proxy.port, nick, { NO_COLOR: "1" });
    await sender.until("the prompt", (lines) => last(lines) === `${nick}>`);
    const path = join(sender.dir, "See-Saw.mp3");
    await randomFile(path, 20_000_000);
    // The offer and a megabyte get through: the server grants no more window
    // than the first 4 MiB, so the upload stops there, whatever the timing.
    proxy.holdAfter(1_000_000);
    sender.type(`SEND ${path}\r`);
    const offer = await bob.waitFor((m) => m.type === "file-offered" && m.from === nick);
    await sender.until("the progress bar", (lines) => last(lines).startsWith("[↑ See-Saw.mp3 "));
    return { sender, proxy, id: (offer as { id: number }).id };
  }

  it("Ctrl-C while sending cancels the upload, says so and exits; the server tells the receivers", {
    timeout: 30_000,
  }, async () => {
    const { sender, proxy, id } = await stalledUpload("sender");
    sender.type("\x03");
    await sender.until("the cancelled line", (lines) =>
      lines.includes("* cancelled sending See-Saw.mp3"),
    );
    proxy.release();
    const cancelled = await bob.waitFor((m) => m.type === "file-cancelled" && m.id === id);
    assert.equal(
      cancelled.type === "file-cancelled" && cancelled.reason,
      "cancelled by the sender",
    );
    assert.equal(await sender.exited, 0);
    // One line says what was stopped, and nothing follows it, no dead prompt either.
    const lines = sender.screen.lines().filter((line) => line !== "");
    assert.deepEqual(lines.slice(-2), [
      `* sending See-Saw.mp3 (20.0 MB) [file ${id}]`,
      "* cancelled sending See-Saw.mp3",
    ]);
  });

  it("a second Ctrl-C exits at once, while the first still waits for its cancel to get through", {
    timeout: 30_000,
  }, async () => {
    const { sender } = await stalledUpload("hasty");
    sender.type("\x03");
    await sender.until("the cancelled line", (lines) =>
      lines.includes("* cancelled sending See-Saw.mp3"),
    );
    // The link still holds everything: the cancel cannot reach the server.
    sender.type("\x03");
    assert.equal(await sender.exited, 130);
    assert.ok(!sender.screen.lines().some((line) => line.includes("hasty>")), "no dead prompt");
  });

  it("Ctrl-C while receiving stops the download, removes its partial file, says so and exits", {
    timeout: 30_000,
  }, async () => {
    const receiver = connectOnTty(server.port, "receiver", { NO_COLOR: "1" });
    await receiver.until("the prompt", (lines) => last(lines) === "receiver>");
    // A sender that sends 2 MiB of 8 and then waits until told to go on.
    let goOn = () => {};
    const gate = new Promise<void>((resolve) => {
      goOn = resolve;
    });
    const slowpoke = new ChatClient({
      dial: tcpDial("127.0.0.1", server.port),
      nick: "slowpoke",
      clientName: "test",
      files: { hasher: sha256Hasher },
    });
    cleanups.push(() => slowpoke.close());
    await slowpoke.connect();
    const outgoing = await slowpoke.sendFile({
      name: "Stalled.mp3",
      size: 8 * 1024 * 1024,
      read: async (offset, length) => {
        if (offset >= 2 * 1024 * 1024) await gate;
        return new Uint8Array(length).fill(1);
      },
      close: async () => {},
    });
    await receiver.until("the progress bar", (lines) => last(lines).startsWith("[↓ Stalled.mp3 "));
    const partial = (await readdir(receiver.dir)).filter((f) => f.endsWith("Stalled.mp3.part"));
    assert.equal(partial.length, 1, "a partial file is being written");

    receiver.type("\x03");
    await receiver.until("the stopped line", (lines) =>
      lines.includes("* stopped receiving Stalled.mp3"),
    );
    assert.equal(await receiver.exited, 0);
    const lines = receiver.screen.lines().filter((line) => line !== "");
    assert.equal(
      lines.at(-1),
      "* stopped receiving Stalled.mp3",
      "nothing follows, no dead prompt",
    );
    assert.deepEqual(await readdir(receiver.dir), [], "no partial file, nothing saved");
    // The receiver declined its copy before it left, and said why.
    goOn();
    const result = await outgoing.delivered;
    assert.match(result.detail, /(^|; )receiver: stopped receiving($|;)/);
  });

  it("keeps a half-typed line intact under incoming lines, and reconnects after a restart", async () => {
    const alice = connectOnTty(server.port, "alice");
    const welcome = "* welcome to sockchat, you are alice; /help lists the commands";
    await alice.until("the welcome and the prompt", (lines) => {
      return lines.includes(welcome) && showsPrompt(lines);
    });
    assert.equal(alice.screen.col, PROMPT.length, "the cursor waits after the prompt");

    // Own lines: the typed line is replaced by `<You> …` once the server confirms it.
    alice.type("hello\r");
    await bob.waitFor(said("alice", "hello"), 5_000);
    await alice.until("<You> hello above the prompt", (lines) => {
      return lines.at(-2) === "<You> hello" && showsPrompt(lines);
    });
    assert.ok(!alice.screen.lines().some((line) => line.startsWith(`${PROMPT}hello`)));

    // A line long enough to wrap, typed halfway, the cursor two characters back.
    const half = `${"a half-typed thought that goes on ".repeat(3)}and o`;
    const rest = "n, to its end";
    assert.ok(PROMPT.length + half.length > COLUMNS, "the line wraps");
    const cursorIsBack = (lines: string[]) =>
      alice.screen.cursorLine() === lines.length - 1 &&
      alice.screen.cursorOffset() === PROMPT.length + half.length - 2;
    alice.type(`${half}\x1b[D\x1b[D`);
    await alice.until("the half-typed line, the cursor two characters back", (lines) => {
      return last(lines) === `${PROMPT}${half}` && cursorIsBack(lines);
    });

    await bob.client.send({ type: "say", text: "are you there?" });
    await alice.until("<bob> are you there? and the prompt redrawn", (lines) => {
      const redrawn = last(lines) === `${PROMPT}${half}` && cursorIsBack(lines);
      return lines.includes("<bob> are you there?") && redrawn;
    });
    const lines = alice.screen.lines();
    assert.deepEqual(lines.slice(-3), ["<You> hello", "<bob> are you there?", `${PROMPT}${half}`]);
    assert.ok(cursorIsBack(lines), "the cursor is still two characters back");
    // ESC [ 3x m: a foreground colour just before the nick.
    assert.match(alice.raw(), /\[3\dm<bob>/, "bob's nick is coloured");

    // Finishing the line sends all of it.
    alice.type(`\x1b[C\x1b[C${rest}\r`);
    await bob.waitFor(said("alice", `${half}${rest}`), 5_000);
    await alice.until("<You> and the whole line", (lines) => {
      return lines.at(-2) === `<You> ${half}${rest}` && showsPrompt(lines);
    });
    assert.equal(alice.screen.lines().filter((line) => line.startsWith("alice>")).length, 1);

    // The server goes away and comes back on the same port.
    const port = server.port;
    assert.equal(await server.stop(), 0);
    await alice.until("the connection-lost line", (lines) =>
      lines.some((line) => /^\* connection lost: .+; reconnecting in \d+\.\d s$/.test(line)),
    );
    server = await startServer(["--port", String(port)]);
    assert.equal(server.port, port);
    const carol = await nativePeer(port, "carol");
    peers.push(carol);
    await alice.until("the reconnected line", (lines) => {
      return lines.includes("* reconnected as alice") && showsPrompt(lines);
    });
    alice.type("back again\r");
    await carol.waitFor(said("alice", "back again"), 5_000);
    await alice.until("<You> back again", (lines) => lines.at(-2) === "<You> back again");

    alice.type("/quit\r");
    assert.equal(await alice.exited, 0);
  });
});
