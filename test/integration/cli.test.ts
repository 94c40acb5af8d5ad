// The command line is a contract scripts rely on.

import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { tempDir } from "../helpers/files.js";
import { nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

describe("sockchat command line", () => {
  let server: ServerProcess;
  before(async () => {
    // Each test reads the chat from its start: earlier tests' lines are not replayed.
    server = await startServer(["--history", "0"]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("serve prints where it listens and how to connect, and logs in the original's style", async () => {
    assert.match(server.stdout.lines[0] ?? "", /^sockchat listening on 127\.0\.0\.1:\d+$/);
    await server.stdout.waitFor(new RegExp(`sockchat connect 127.0.0.1:${server.port}$`));
    await server.stdout.waitFor(new RegExp(`nc 127.0.0.1 ${server.port}$`));
    const peer = await nativePeer(server.port, "logged");
    await peer.client.send({ type: "say", text: "for the log" });
    await server.stdout.waitFor(/^logged \(127\.0\.0\.1\) connected$/);
    await server.stdout.waitFor(/^<logged> for the log$/);
    peer.client.close();
    await server.stdout.waitFor(/^logged \(127\.0\.0\.1\) disconnected: /);
  });

  for (const wildcard of ["0.0.0.0", "::"]) {
    it(`serve --host ${wildcard} hints at this machine's real addresses and warns that it is open`, async () => {
      const open = await startServer(["--host", wildcard, "--quiet"]);
      await open.stdout.waitFor(/^ +or: +nc /);
      await open.stderr.waitFor(/warning: open to the network/);
      await open.stderr.waitFor(/no encryption and no password/);
      const port = open.port;
      const hints = open.stdout.lines.filter((l) => l.includes("npx sockchat connect"));
      const hinted = hints.map((l) => /connect (\S+)$/.exec(l)?.[1]);
      assert.ok(
        !hinted.includes(`0.0.0.0:${port}`) && !hinted.includes(`[::]:${port}`),
        hints.join("\n"),
      );
      const own = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && (i.family === "IPv4" || wildcard === "::"))
        .filter((i) => !i?.address.startsWith("fe80:"))
        .map((i) => (i?.family === "IPv6" ? `[${i.address}]:${port}` : `${i?.address}:${port}`));
      assert.deepEqual(
        [...hinted].sort(),
        own.sort(),
        "every address of this machine, loopback too",
      );
      assert.equal(open.stderr.lines.length, 2, open.stderr.lines.join("\n"));
      // The hint works.
      const peer = await nativePeer(port, "hinted");
      peer.client.close();
      assert.equal(await open.stop(), 0);
    });
  }

  it("serve on loopback gives no warning", async () => {
    const local = await startServer(["--quiet"]);
    await local.stdout.waitFor(/^ +or: +nc /);
    assert.equal(await local.stop(), 0);
    await local.stderr.ended();
    assert.deepEqual(local.stderr.lines, []);
  });

  it("serve refuses a port in use with a one-line reason and exit 1", async () => {
    // A data directory of its own: the default is the user's, which a test must not touch.
    const data = await tempDir("in-use");
    const second = spawnCli(["serve", "--port", String(server.port), "--data-dir", data.path]);
    assert.equal(await second.exited, 1);
    await data.remove();
    assert.match(second.stderr.lines.join("\n"), /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });

  it("connect exits non-zero with a one-line reason naming the address when nothing listens", async () => {
    const cli = spawnCli(["connect", "127.0.0.1:1"]);
    cli.child.stdin.end("hello\n");
    assert.equal(await cli.exited, 1);
    await cli.stderr.ended();
    assert.deepEqual(cli.stderr.lines, [
      "sockchat: cannot connect to 127.0.0.1:1: connection refused (is the server running?)",
    ]);
  });

  it("connect says so in one line when the host does not resolve", async () => {
    const cli = spawnCli(["connect", "nosuch.invalid"]);
    cli.child.stdin.end("hello\n");
    assert.equal(await cli.exited, 1);
    await cli.stderr.ended();
    assert.equal(cli.stderr.lines.length, 1, cli.stderr.lines.join("\n"));
    // A machine without any name server cannot tell "no such host" from "cannot ask".
    assert.match(
      cli.stderr.lines[0] ?? "",
      /^sockchat: cannot connect to nosuch\.invalid:8081: (no such host|cannot look the host up .*)$/,
    );
  });

  it("pipe mode exits 0 only once every line is confirmed, and prints nothing but chat lines", async () => {
    const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "piper"]);
    // Within the default burst of 100, so the rate limit does not stretch the test.
    const lines = Array.from({ length: 80 }, (_, i) => `pasted line ${i}`);
    cli.child.stdin.end(`${lines.join("\n")}\n`);
    assert.equal(await cli.exited, 0);
    const own = cli.stdout.lines.filter((l) => l.startsWith("<You> "));
    assert.deepEqual(
      own,
      lines.map((l) => `<You> ${l}`),
    );
    assert.ok(
      cli.stdout.lines.every((l) => !l.includes("\x1b")),
      "no colour or prompt",
    );
  });

  it("pipe mode exits 1 when the server refuses a line, saying why", async () => {
    const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "refused"]);
    cli.child.stdin.end(`ok\n${"x".repeat(5000)}\n/nonsense\n`);
    assert.equal(await cli.exited, 1);
    assert.ok(cli.stdout.lines.includes("<You> ok"));
    assert.ok(
      cli.stdout.lines.some((l) => /^\* error: message is 5000 bytes; the limit is 4096$/.test(l)),
    );
    assert.ok(cli.stdout.lines.some((l) => /^\* error: unknown command \/nonsense/.test(l)));
  });

  it("a bare SEND is a usage error, not a chat line", async () => {
    const listener = await nativePeer(server.port, "barewatch");
    const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "bare"]);
    cli.child.stdin.end("SEND\nafterwards\n");
    assert.equal(await cli.exited, 1);
    assert.ok(
      cli.stdout.lines.includes("* error: usage: SEND <path>"),
      cli.stdout.lines.join("\n"),
    );
    await listener.waitFor((m) => m.type === "message" && m.text === "afterwards");
    assert.ok(!listener.received.some((m) => m.type === "message" && m.text === "SEND"));
    listener.client.close();
  });

  it("connect says which nickname was asked for, which was given and why, when they differ", async () => {
    const connectAs = async (nick: string, ...more: string[]) => {
      const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", nick, ...more]);
      cli.child.stdin.end();
      assert.equal(await cli.exited, 0);
      await cli.stdout.ended();
      return cli.stdout.lines;
    };
    const welcome = (nick: string) =>
      `* welcome to sockchat, you are ${nick}; /help lists the commands`;
    const rules = "a nickname may contain letters, digits and _ - . [ ] { } | ^ ` only";

    assert.deepEqual(await connectAs("bad nick!"), [
      welcome("badnick"),
      `* you are badnick, not "bad nick!": ${rules}`,
    ]);
    const holder = await nativePeer(server.port, "holder");
    assert.deepEqual(await connectAs("holder"), [
      welcome("holder-2"),
      "* you are holder-2: holder is taken",
    ]);
    assert.deepEqual(await connectAs("hol der"), [
      welcome("holder-2"),
      `* you are holder-2, not "hol der": ${rules}, and holder is taken`,
    ]);
    assert.deepEqual(await connectAs("x".repeat(30)), [
      welcome("x".repeat(24)),
      `* you are ${"x".repeat(24)}, not "${"x".repeat(30)}": a nickname has at most 24 characters`,
    ]);
    assert.deepEqual(await connectAs("fine"), [welcome("fine")]);
    // In JSON the welcome carries the nickname given; nothing more is said.
    const json = await connectAs("bad nick!", "--json");
    assert.deepEqual(
      json.map((l) => JSON.parse(l) as { type: string; nick: string }).map((e) => [e.type, e.nick]),
      [["welcome", "badnick"]],
    );
    holder.client.close();
  });

  it("--json prints one JSON object per event", async () => {
    const listener = await nativePeer(server.port, "jsonfriend");
    const cli = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "jason", "--json"]);
    await cli.stdout.waitFor(/"type":"welcome"/);
    await listener.client.send({ type: "say", text: "to json" });
    await cli.stdout.waitFor(/"text":"to json"/);
    cli.child.stdin.end("from json\n");
    assert.equal(await cli.exited, 0);
    const events = cli.stdout.lines.map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(
      events.map((e) => e.type),
      ["welcome", "message", "sent"],
    );
    assert.deepEqual(events[2], {
      type: "sent",
      from: "jason",
      command: { type: "say", text: "from json" },
    });
    listener.client.close();
  });
});
