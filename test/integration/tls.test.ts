// TLS on the chat port, with real TLS peers: openssl s_client and the CLI
// exchange lines, HTTPS serves the page and WSS its chat; plaintext peers on a
// TLS-only port are told why they are refused, and served with
// --allow-plaintext; a certificate is pinned on first use and a changed one
// refused; SIGHUP swaps the certificate; a handshake that stalls or is garbage
// holds nothing.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { ChatClient } from "../../src/client/chat-client.js";
import { KnownHosts } from "../../src/client/node/known-hosts.js";
import { tlsDial } from "../../src/client/node/tls-dial.js";
import { websocketDial } from "../../src/client/node/websocket-dial.js";
import { certificateFiles } from "../helpers/certificates.js";
import { tempDir } from "../helpers/files.js";
import { joinedTextPeer, type NativePeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, spawnProgram, startServer } from "../helpers/processes.js";

const OPENSSL = "/usr/bin/openssl";
const TLS_ONLY =
  "this server speaks TLS only: connect with sockchat connect --tls, or openssl s_client";

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The SHA-256 fingerprint of the certificate a new TLS connection is shown. */
async function fingerprintOffered(port: number): Promise<string> {
  const socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await once(socket, "secureConnect");
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

/** Everything a raw TCP peer that sends `bytes` (or nothing) is sent until the server closes. */
async function plaintextAnswer(port: number, bytes?: string | Uint8Array): Promise<string> {
  const socket = tcpConnect(port, "127.0.0.1");
  await once(socket, "connect");
  if (bytes !== undefined) socket.write(bytes);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "end");
  socket.end();
  return Buffer.concat(chunks).toString();
}

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

function get(port: number, over: "http" | "https", ca?: string): Promise<Answer> {
  const request = over === "http" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const answered = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          type: response.headers["content-type"],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    };
    request({ host: "127.0.0.1", port, path: "/", ca }, answered).on("error", reject).end();
  });
}

/** A native client over TLS that trusts `ca` (the server's own certificate). */
function tlsPeer(port: number, nick: string, ca: string): Promise<NativePeer> {
  const dial = tlsDial("127.0.0.1", port, {
    ca: { pem: ca, file: "the server's certificate" },
    knownHosts: new KnownHosts("/nonexistent/known_hosts"),
  });
  return nativePeer(port, nick, dial);
}

function opensslClient(port: number) {
  return spawnProgram(OPENSSL, ["s_client", "-quiet", "-connect", `127.0.0.1:${port}`]);
}

const welcomed = /^\* welcome to sockchat, you are ([^;]+);/;

describe("a TLS-only server (serve --tls self-signed)", { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess;
  let port: number;
  let cert: string;
  let certFile: string;
  /** The CLI's XDG_CONFIG_HOME, where it pins certificates. */
  let config: NodeJS.ProcessEnv;

  before(async () => {
    work = await tempDir("tls");
    const dataDir = join(work.path, "data");
    server = await startServer(["--tls", "self-signed", "--data-dir", dataDir, "--history", "0"]);
    port = server.port;
    certFile = join(dataDir, "tls-cert.pem");
    cert = await readFile(certFile, "utf8");
    config = { XDG_CONFIG_HOME: join(work.path, "config") };
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  it("says it speaks TLS, with the fingerprint of the certificate it made, and how to connect", async () => {
    const fingerprint = new X509Certificate(cert).fingerprint256;
    assert.equal(await fingerprintOffered(port), fingerprint);
    await server.stdout.waitFor(/^ +or open: /);
    assert.deepEqual(server.stdout.lines.slice(0, 5), [
      `made a self-signed certificate: ${certFile}`,
      `sockchat listening on 127.0.0.1:${port} (TLS, SHA-256 fingerprint ${fingerprint})`,
      `  connect:  npx sockchat connect --tls 127.0.0.1:${port}`,
      `       or:  openssl s_client -quiet -connect 127.0.0.1:${port}`,
      `   or open:  https://127.0.0.1:${port}/`,
    ]);
  });

  it("lets openssl s_client and connect --tls talk, the CLI pinning the certificate on first use", async () => {
    const openssl = opensslClient(port);
    const nick = welcomed.exec(await openssl.stdout.waitFor(welcomed))?.[1] as string;
    const cli = spawnCli(["connect", "--tls", `127.0.0.1:${port}`, "--nick", "pinner"], config);
    await cli.stdout.waitFor(welcomed);
    const fingerprint = await fingerprintOffered(port);
    const file = join(work.path, "config", "sockchat", "known_hosts");
    assert.deepEqual(cli.stderr.lines, [
      `sockchat: trusting 127.0.0.1:${port} on first use: its certificate's SHA-256 fingerprint is ${fingerprint}`,
      `sockchat: (compare it with the one the server printed); pinned in ${file}`,
    ]);
    assert.equal(await readFile(file, "utf8"), `127.0.0.1:${port} ${fingerprint}\n`);

    openssl.child.stdin.write("hello from openssl\n");
    await cli.stdout.waitFor(new RegExp(`^<${escaped(nick)}> hello from openssl$`));
    cli.child.stdin.end("hello from the cli\n");
    await openssl.stdout.waitFor(/^<pinner> hello from the cli$/);
    assert.equal(await cli.exited, 0);

    // Pinned now: trusted without a word.
    const again = spawnCli(["connect", "--tls", `127.0.0.1:${port}`, "--nick", "again"], config);
    again.child.stdin.end("hello again\n");
    await openssl.stdout.waitFor(/^<again> hello again$/);
    assert.equal(await again.exited, 0);
    await again.stderr.ended();
    assert.deepEqual(again.stderr.lines, []);
    openssl.child.kill();
    await openssl.exited;
  });

  it("tells a plaintext text client, or a silent one, in one line, and takes no slot for them", async () => {
    assert.equal(await plaintextAnswer(port, "hello\n"), `* ${TLS_ONLY}\n`);
    assert.equal(await plaintextAnswer(port), `* ${TLS_ONLY}\n`);
    const peer = await tlsPeer(port, "alone", cert);
    await peer.client.send({ type: "who", room: "" });
    const who = await peer.waitFor((m) => m.type === "who-list");
    assert.deepEqual(who.type === "who-list" ? who.users.map((u) => u.nick) : [], ["alone"]);
    await peer.client.close();
  });

  it("has the CLI without --tls say why on stderr, not a protocol error, and exit 1", async () => {
    const cli = spawnCli(["connect", `127.0.0.1:${port}`], config);
    cli.child.stdin.end("hello\n");
    assert.equal(await cli.exited, 1);
    await Promise.all([cli.stdout.ended(), cli.stderr.ended()]);
    assert.deepEqual(cli.stderr.lines, [`sockchat: cannot join: ${TLS_ONLY}`]);
    assert.deepEqual(cli.stdout.lines, []);
  });

  it("answers plain HTTP with 426 and the https address, and serves the page over HTTPS", async () => {
    const plain = await get(port, "http");
    assert.equal(plain.status, 426);
    assert.equal(plain.body, `this server speaks TLS only: open https://127.0.0.1:${port}/\n`);
    const page = await get(port, "https", cert);
    assert.equal(page.status, 200);
    assert.match(page.type ?? "", /^text\/html/);
  });

  it("chats over WSS with a native client over TLS", async () => {
    const watcher = await tlsPeer(port, "watcher", cert);
    const page = new ChatClient({
      dial: websocketDial(`wss://127.0.0.1:${port}/chat`, {
        origin: `https://127.0.0.1:${port}`,
        ca: cert,
      }),
      nick: "webby",
      clientName: "test-browser",
    });
    await page.connect();
    await page.send({ type: "say", text: "over wss" });
    await watcher.waitFor(
      (m) => m.type === "message" && m.from === "webby" && m.text === "over wss",
    );
    await page.close();
    await watcher.client.close();
  });

  it("with --ca, trusts the server its CA vouches for, and refuses one it does not", async () => {
    const vouched = spawnCli(["connect", "--ca", certFile, `127.0.0.1:${port}`], config);
    vouched.child.stdin.end("vouched for\n");
    assert.equal(await vouched.exited, 0);
    await vouched.stderr.ended();
    assert.deepEqual(vouched.stderr.lines, [], "nothing pinned: the CA vouched");

    const other = await certificateFiles(work.path, "other");
    const refused = spawnCli(["connect", "--ca", other.certFile, `127.0.0.1:${port}`], config);
    refused.child.stdin.end("hello\n");
    assert.equal(await refused.exited, 1);
    await refused.stderr.ended();
    assert.equal(refused.stderr.lines.length, 1, refused.stderr.lines.join("\n"));
    assert.match(
      refused.stderr.lines[0] ?? "",
      new RegExp(
        `^sockchat: cannot connect to 127\\.0\\.0\\.1:${port}: its certificate is not one the CA in ${escaped(other.certFile)} vouches for \\(`,
      ),
    );
  });
});

describe("TLS handshakes that go nowhere", { timeout: 60_000 }, () => {
  it("are dropped at the deadline or at once if garbage, and the server goes on", async () => {
    const server = await startServer(["--tls", "self-signed", "--tls-handshake-timeout", "0.5"]);
    const { port } = server;
    const before = await server.descriptors();
    const stalled = async (bytes: Uint8Array) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.on("error", () => {});
      socket.resume();
      await once(socket, "connect");
      socket.write(bytes);
      const started = Date.now();
      await once(socket, "close");
      return Date.now() - started;
    };
    // A record header and then nothing; one that starts like a ClientHello and goes on as garbage.
    const header = Uint8Array.of(0x16, 0x03, 0x01);
    const garbage = Uint8Array.of(0x16, 0x03, 0x01, 0xff, 0xff, ...Array(200).fill(0x5a));
    const [slow, ...others] = await Promise.all([
      stalled(header),
      ...Array.from({ length: 9 }, () => stalled(header)),
    ]);
    assert.ok((slow as number) >= 400, `dropped after only ${slow} ms`);
    assert.ok(others.every((ms) => ms < 5000));
    await stalled(garbage);
    assert.equal(server.child.exitCode, null);
    // The server closed each before its peer saw it close: nothing of theirs is left open.
    assert.ok((await server.descriptors()) <= before, "a descriptor held");
    assert.ok((await fingerprintOffered(port)).length > 0, "still speaks TLS");
    assert.equal(await server.stop(), 0);
  });
});

describe("serve --allow-plaintext", { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let cert: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    dir = await tempDir("tls-plaintext");
    server = await startServer([
      "--tls",
      "self-signed",
      "--allow-plaintext",
      "--history",
      "0",
      "--data-dir",
      dir.path,
    ]);
    cert = await readFile(join(dir.path, "tls-cert.pem"), "utf8");
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await dir.remove();
  });

  it("serves text, native and HTTP clients without TLS beside those with it", async () => {
    const { port } = server;
    assert.match(
      server.stdout.lines.join("\n"),
      /listening on 127\.0\.0\.1:\d+ \(TLS or plaintext, /,
    );
    await server.stdout.waitFor(new RegExp(`^ +or: +nc 127\\.0\\.0\\.1 ${port}$`));
    const watcher = await tlsPeer(port, "watcher", cert);
    const text = await joinedTextPeer(port, "plain");
    text.send("plain text");
    await watcher.waitFor((m) => m.type === "message" && m.from === "plain");
    const native = spawnCli(["connect", `127.0.0.1:${port}`, "--nick", "native"]);
    native.child.stdin.end("plain native\n");
    assert.equal(await native.exited, 0);
    await watcher.waitFor((m) => m.type === "message" && m.from === "native");
    assert.equal((await get(port, "http")).status, 200);
    assert.equal((await get(port, "https", cert)).status, 200);
    text.socket.end();
    await watcher.client.close();
  });
});

describe("trust on first use", { timeout: 60_000 }, () => {
  it("refuses loudly a server on the same host and port showing another certificate", async () => {
    const work = await tempDir("tofu");
    const config = { XDG_CONFIG_HOME: join(work.path, "config") };
    const file = join(work.path, "config", "sockchat", "known_hosts");
    const first = await startServer(["--tls", "self-signed", "--data-dir", join(work.path, "a")]);
    const { port } = first;
    const pinned = await fingerprintOffered(port);
    const pinning = spawnCli(["connect", "--tls", `127.0.0.1:${port}`], config);
    pinning.child.stdin.end("first\n");
    assert.equal(await pinning.exited, 0);
    assert.equal(await first.stop(), 0);

    const second = await startServer([
      "--tls",
      "self-signed",
      "--data-dir",
      join(work.path, "b"),
      "--port",
      String(port),
    ]);
    const offered = await fingerprintOffered(port);
    assert.notEqual(offered, pinned);
    const refused = spawnCli(["connect", "--tls", `127.0.0.1:${port}`], config);
    refused.child.stdin.end("second\n");
    assert.equal(await refused.exited, 1);
    await refused.stderr.ended();
    const warning = refused.stderr.lines.join("\n");
    assert.match(
      warning,
      new RegExp(
        `^sockchat: cannot connect to 127\\.0\\.0\\.1:${port}: its certificate is not the one pinned for it\n`,
      ),
    );
    assert.match(
      warning,
      new RegExp(`WARNING: THE CERTIFICATE OF 127\\.0\\.0\\.1:${port} HAS CHANGED!`),
    );
    assert.match(warning, new RegExp(`pinned: +SHA-256 ${pinned}\n`));
    assert.match(warning, new RegExp(`offered: +SHA-256 ${offered}\n`));
    assert.match(warning, new RegExp(`remove line 1 of\n${escaped(file)} and connect again`));
    assert.equal(await readFile(file, "utf8"), `127.0.0.1:${port} ${pinned}\n`, "the pin stays");
    assert.equal(await second.stop(), 0);
    await work.remove();
  });
});

describe("SIGHUP", { timeout: 60_000 }, () => {
  it("serves a replaced certificate to new connections, keeps the old ones, and keeps serving after a bad one", async () => {
    const work = await tempDir("sighup");
    const one = await certificateFiles(work.path, "one");
    const two = await certificateFiles(work.path, "two");
    const certFile = join(work.path, "served-cert.pem");
    const keyFile = join(work.path, "served-key.pem");
    await copyFile(one.certFile, certFile);
    await copyFile(one.keyFile, keyFile);
    const server = await startServer(["--tls-cert", certFile, "--tls-key", keyFile]);
    const { port } = server;
    assert.equal(await fingerprintOffered(port), one.fingerprint);
    const before = await tlsPeer(port, "before", one.cert);

    await copyFile(two.certFile, certFile);
    await copyFile(two.keyFile, keyFile);
    server.child.kill("SIGHUP");
    await server.stdout.waitFor(
      new RegExp(`^SIGHUP: TLS certificate reloaded, SHA-256 fingerprint ${two.fingerprint}$`),
    );
    assert.equal(await fingerprintOffered(port), two.fingerprint);
    const after = await tlsPeer(port, "after", two.cert);
    await before.client.send({ type: "say", text: "still here" });
    await after.waitFor((m) => m.type === "message" && m.text === "still here");

    await writeFile(certFile, "not a certificate\n");
    server.child.kill("SIGHUP");
    await server.stderr.waitFor(
      new RegExp(
        `^sockchat: SIGHUP: TLS certificate not reloaded, still ${two.fingerprint}: ${escaped(certFile)} holds no PEM certificate$`,
      ),
    );
    assert.equal(await fingerprintOffered(port), two.fingerprint);
    await before.client.close();
    await after.client.close();
    assert.equal(await server.stop(), 0);
    await work.remove();
  });

  it("serve refuses certificate files it cannot use, in one line", async () => {
    const missing = "/nonexistent/cert.pem";
    const serve = spawnCli(["serve", "--port", "0", "--tls-cert", missing, "--tls-key", missing]);
    assert.equal(await serve.exited, 1);
    await serve.stderr.ended();
    assert.deepEqual(serve.stderr.lines, [`sockchat: cannot read ${missing}: ENOENT`]);
  });
});
