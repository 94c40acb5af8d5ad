// The chat port also speaks HTTP: the page, its WebSocket and downloads of
// kept files, beside native and netcat clients on the same port.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { handshakeBytes } from "../../src/protocol/frame.js";
import { encodeClientMessage, type ServerMessage } from "../../src/protocol/messages.js";
import { randomFile, tempDir } from "../helpers/files.js";
import { floodPastStalled } from "../helpers/flood.js";
import { LineCollector } from "../helpers/lines.js";
import { joinedTextPeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";
import { websocketPeer } from "../helpers/websocket-peer.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
  localAddress = "127.0.0.1",
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** How a WebSocket upgrade is answered: the socket's close code, or the refusal's status. */
function upgradeOutcome(url: string, origin?: string) {
  return new Promise<{ opened: boolean; status?: number }>((resolve) => {
    const ws = new WebSocket(url, { headers: origin === undefined ? {} : { Origin: origin } });
    ws.on("open", () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on("unexpected-response", (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on("error", () => resolve({ opened: false }));
  });
}

describe("HTTP on the chat port", { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let work: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    work = await tempDir("http");
    server = await startServer(["--quiet", "--data-dir", join(work.path, "server")]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  it("answers with the page's security policy, and 404 for what it does not serve", async () => {
    const answer = await get(server.port, "/no/such/thing");
    assert.equal(answer.status, 404);
    assert.match(String(answer.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(answer.headers["x-content-type-options"], "nosniff");
    // Nothing outside the page's own files, however the path is spelled.
    for (const path of ["/../package.json", "/%2e%2e/package.json", "/assets/../../package.json"]) {
      assert.equal((await get(server.port, path)).status, 404, path);
    }
  });

  it("still lets a netcat user whose first line starts like a request chat", async () => {
    const watcher = await nativePeer(server.port, "watcher");
    const socket = connect(server.port, "127.0.0.1");
    socket.write("GET me a coffee\n");
    const line = await watcher.waitFor((m) => m.type === "message" && m.text === "GET me a coffee");
    assert.equal(line.type, "message");
    socket.destroy();
    await watcher.client.close();
  });

  it("puts a WebSocket page in the same room as native and netcat clients, each line once and in order", async () => {
    const browser = await websocketPeer(server.port, "browser");
    const native = await nativePeer(server.port, "native");
    // From another machine than the page (see "a silent connection from a browser's address").
    const netcat = await joinedTextPeer(server.port, "netcat", "127.0.0.2");
    const says = (from: string, text: string) => (m: ServerMessage) =>
      m.type === "message" && m.from === from && m.text === text;

    await browser.client.send({ type: "say", text: "from the browser 1" });
    await browser.client.send({ type: "say", text: "from the browser 2" });
    await native.waitFor(says("browser", "from the browser 2"));
    await netcat.lines.waitFor(/^<browser> from the browser 2$/);
    netcat.send("from netcat");
    await browser.waitFor(says("netcat", "from netcat"));
    await native.client.send({ type: "say", text: "from native" });
    await browser.waitFor(says("native", "from native"));

    const texts = (received: ServerMessage[], from: string) =>
      received
        .filter((m) => m.type === "message" && m.from === from)
        .map((m) => m.type === "message" && m.text);
    assert.deepEqual(texts(native.received, "browser"), [
      "from the browser 1",
      "from the browser 2",
    ]);
    assert.deepEqual(texts(browser.received, "netcat"), ["from netcat"]);
    assert.deepEqual(texts(browser.received, "native"), ["from native"]);
    assert.deepEqual(
      netcat.lines.lines.filter((l) => l.startsWith("<browser>")),
      ["<browser> from the browser 1", "<browser> from the browser 2"],
    );
    netcat.socket.destroy();
    await Promise.all([browser.client.close(), native.client.close()]);
  });

  it("refuses a WebSocket from a page of another origin, and one at another path", async () => {
    const url = `ws://127.0.0.1:${server.port}/chat`;
    assert.deepEqual(await upgradeOutcome(url, "http://evil.example"), {
      opened: false,
      status: 403,
    });
    assert.deepEqual(await upgradeOutcome(`ws://127.0.0.1:${server.port}/elsewhere`), {
      opened: false,
      status: 404,
    });
    assert.deepEqual(await upgradeOutcome(url, `http://127.0.0.1:${server.port}`), {
      opened: true,
    });
  });

  it("closes a WebSocket that sends no sockchat, or too big a message, and goes on serving", async () => {
    const closeOf = (send: (ws: WebSocket) => void) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/chat`);
        ws.on("open", () => send(ws));
        ws.on("close", (code) => resolve(code));
        ws.on("error", () => undefined);
      });
    // Closed once the server has said why (its bye), whatever the code.
    await closeOf((ws) => ws.send(Buffer.from("hello there, server\n")));
    assert.equal(await closeOf((ws) => ws.send(Buffer.alloc(2 * 1024 * 1024))), 1009);
    const after = await websocketPeer(server.port, "survivor");
    await after.client.send({ type: "say", text: "still here" });
    await after.client.close();
  });

  it("sends one handshake to a WebSocket page that is slow to speak, and takes its hello", async () => {
    // Past the server's wait for a silent peer (DEFAULTS.textWelcomeDelayMs, 300 ms), it is
    // greeted provisionally; its handshake must confirm that greeting, not start a second one.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/chat`);
    const received: Buffer[] = [];
    ws.on("message", (data: Buffer) => received.push(data));
    await new Promise((resolve) => ws.once("open", resolve));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const hello = encodeClientMessage({ type: "hello", nick: "slowpage", client: "test" });
    ws.send(Buffer.concat([handshakeBytes(), hello]));
    // The welcome names the nick asked for: the hello was taken.
    const deadline = Date.now() + 10_000;
    while (!Buffer.concat(received).includes("slowpage") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const bytes = Buffer.concat(received);
    assert.ok(bytes.includes("slowpage"), "welcomed under the nick it asked for");
    const handshake = Buffer.from(handshakeBytes().subarray(0, 8));
    assert.equal(bytes.indexOf(handshake), 0);
    assert.equal(bytes.indexOf(handshake, 1), -1, "the server's handshake came once");
    ws.close();
  });

  it("tells a WebSocket peer of a file without sending it the data, and serves the file over HTTP with ranges", async () => {
    const browser = await websocketPeer(server.port, "viewer");
    const path = join(work.path, "photo.jpg");
    const digest = await randomFile(path, 3_000_000);
    const sender = spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", "sender"]);
    sender.child.stdin.end(`SEND ${path}\n`);
    const verified = await browser.waitFor(
      (m) => m.type === "file-verified" && m.name === "photo.jpg",
    );
    assert.equal(await sender.exited, 0);
    assert.ok(verified.type === "file-verified" && verified.ok);
    assert.equal(
      Buffer.from(verified.sha256 ?? []).toString("hex"),
      digest,
      "the verdict names the hash",
    );
    const id = verified.type === "file-verified" ? verified.id : 0;
    assert.ok(
      !browser.received.some((m) => m.type === "file-chunk"),
      "no file data over the WebSocket",
    );

    const whole = await get(server.port, `/files/${id}/photo.jpg`);
    assert.equal(whole.status, 200);
    assert.equal(sha256(whole.body), digest);
    assert.match(
      String(whole.headers["content-disposition"]),
      /^attachment; filename="?photo\.jpg"?$/,
    );
    assert.equal(whole.headers["accept-ranges"], "bytes");
    assert.equal(
      whole.headers["repr-digest"],
      `sha-256=:${Buffer.from(digest, "hex").toString("base64")}:`,
    );

    const part = await get(server.port, `/files/${id}`, { Range: "bytes=1000-1999" });
    assert.equal(part.status, 206);
    assert.equal(part.headers["content-range"], "bytes 1000-1999/3000000");
    assert.deepEqual(part.body, whole.body.subarray(1000, 2000));
    const rest = await get(server.port, `/files/${id}`, { Range: "bytes=2999000-" });
    assert.deepEqual(rest.body, whole.body.subarray(2_999_000));
    const stale = await get(server.port, `/files/${id}`, { Range: "bytes=0-9", "If-Range": '"x"' });
    assert.equal(stale.status, 200, "a changed file is sent whole");
    const outside = await get(server.port, `/files/${id}`, { Range: "bytes=3000000-" });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers["content-range"], "bytes */3000000");
    const head = await get(server.port, `/files/${id}`, {}, "HEAD");
    assert.equal(head.headers["content-length"], "3000000");
    assert.equal(head.body.length, 0);
    assert.equal((await get(server.port, "/files/999999/none")).status, 404);
    await browser.client.close();
  });
});

describe("a WebSocket that stops reading", { timeout: 90_000 }, () => {
  it("is dropped with a reason, as over TCP, while the others get every message", async () => {
    const server = await startServer(["--quiet", "--rate-limit", "0"]);
    const stalled = new WebSocket(`ws://127.0.0.1:${server.port}/chat`);
    await new Promise((resolve) => stalled.once("open", resolve));
    stalled.send(handshakeBytes());
    stalled.send(encodeClientMessage({ type: "hello", nick: "stalled", client: "test" }));
    await new Promise((resolve) => stalled.once("message", resolve));
    stalled.pause();
    const fast = await nativePeer(server.port, "fast");
    const { sent, outcome, delivered } = await floodPastStalled(server.port, fast, "stalled");
    assert.match(outcome.type === "left" ? outcome.reason : "", /stopped reading/);
    await fast.waitFor(() => delivered() === sent, 30_000);
    stalled.terminate();
    await fast.client.close();
    assert.equal(await server.stop(), 0);
  });
});

describe("a WebSocket's heartbeat and rate limit", { timeout: 60_000 }, () => {
  it("drops a page that stops answering pings, and holds a page past its burst back, as over TCP", async () => {
    const server = await startServer([
      "--quiet",
      "--heartbeat",
      "1",
      "--rate-limit",
      "10",
      "--rate-burst",
      "5",
    ]);
    const page = await websocketPeer(server.port, "page");
    const mute = new WebSocket(`ws://127.0.0.1:${server.port}/chat`);
    await new Promise((resolve) => mute.once("open", resolve));
    mute.send(
      Buffer.concat([
        handshakeBytes(),
        encodeClientMessage({ type: "hello", nick: "mute", client: "test" }),
      ]),
    );
    // It takes its welcome and never answers the server's pings.
    const left = await page.waitFor((m) => m.type === "left" && m.nick === "mute");
    assert.match(left.type === "left" ? left.reason : "", /^ping timeout/);

    // 15 lines at once: 5 at once, then 10 a second, so the last is held about a second.
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => page.client.send({ type: "say", text: `line ${i}` })),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `15 lines were all confirmed after ${elapsed} ms`);
    mute.terminate();
    await page.client.close();
    assert.equal(await server.stop(), 0);
  });
});

describe("a silent connection from a browser's address", { timeout: 60_000 }, () => {
  it("is welcomed as a text client only after --browser-welcome-delay, and may still carry a request", async () => {
    const server = await startServer(["--quiet", "--browser-welcome-delay", "2"]);
    const watcher = await nativePeer(server.port, "watcher");
    const joinedAt: number[] = [];
    watcher.client.on("server", (m) => {
      if (m.type === "joined") joinedAt.push(Date.now());
    });
    // Each loopback address stands for another machine.
    const browserAt = "127.0.0.3";
    assert.equal((await get(server.port, "/", {}, "GET", browserAt)).status, 200);

    // Elsewhere, a person at netcat is welcomed at once.
    const started = Date.now();
    const elsewhere = connect({ host: "127.0.0.1", port: server.port, localAddress: "127.0.0.2" });
    const elsewhereLines = new LineCollector(elsewhere);
    await elsewhereLines.waitFor(/^\* welcome/);
    assert.ok(Date.now() - started < 1500, "welcomed within the usual wait");

    // From the browser's address: a connection it opened and has not used yet.
    const spareOpened = Date.now();
    const spare = connect({ host: "127.0.0.1", port: server.port, localAddress: browserAt });
    const spareLines = new LineCollector(spare);
    const welcomed = await spareLines.waitFor(/^\* welcome/, 10_000);
    const waited = Date.now() - spareOpened;
    assert.ok(waited >= 2000, `welcomed after ${waited} ms, not before the browser's wait`);
    const nick = /you are (\S+);/.exec(welcomed)?.[1];
    // Nobody saw it join before then.
    await watcher.waitFor((m) => m.type === "joined" && m.nick === nick);
    assert.equal(joinedAt.length, 2);
    assert.ok((joinedAt[1] as number) - spareOpened >= 2000, "its join came with its welcome");

    // Another, used for a request within the wait, answers it as HTTP.
    const reused = connect({ host: "127.0.0.1", port: server.port, localAddress: browserAt });
    await once(reused, "connect");
    const answer = once(reused, "data");
    // Within the wait the browser sends its request: no welcome came first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    reused.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const [first] = (await answer) as [Buffer];
    assert.match(first.toString("latin1"), /^HTTP\/1\.1 200 /);
    for (const socket of [elsewhere, spare, reused]) socket.destroy();
    await watcher.client.close();
    assert.equal(await server.stop(), 0);
  });
});
