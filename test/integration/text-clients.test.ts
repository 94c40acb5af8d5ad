// Clients that speak plain lines (netcat, telnet, the original Python client).

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ByteStream } from "../../src/client/byte-stream.js";
import { ChatClient } from "../../src/client/chat-client.js";
import { joinedTextPeer, nativePeer, textPeer } from "../helpers/peers.js";
import { type ServerProcess, startServer } from "../helpers/processes.js";

describe("text clients", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("a client that says nothing is welcomed within a second", async () => {
    const started = Date.now();
    const peer = await textPeer(server.port);
    const welcome = await peer.lines.waitFor(/^\* welcome/);
    assert.ok(Date.now() - started < 1000, `welcomed after ${Date.now() - started} ms`);
    assert.match(welcome, /you are guest(-\d+)?; \/help lists the commands$/);
    peer.socket.destroy();
  });

  it("a client that speaks first is taken as text at once and its line is relayed", async () => {
    const watcher = await nativePeer(server.port, "eve");
    const socket = connect({ host: "127.0.0.1", port: server.port });
    await once(socket, "connect");
    socket.write("hi from python\r\n");
    const message = await watcher.waitFor((m) => m.type === "message");
    assert.equal(message.type === "message" && message.text, "hi from python");
    socket.destroy();
    watcher.client.close();
  });

  it("/nick, /me, /msg, /who, /help and /quit work, and everyone sees joins, renames and leaves", async () => {
    const ann = await joinedTextPeer(server.port, "ann");
    const bob = await joinedTextPeer(server.port, "bob");
    await ann.lines.waitFor(/^\* \S+ is now known as bob$/);

    bob.send("/me waves");
    // Said by bob, not by the server: an action cannot pass for a notice.
    await ann.lines.waitFor(/^<bob> \*waves\*$/);

    bob.send("/msg ann psst");
    await ann.lines.waitFor(/^\[private\] <bob> psst$/);
    bob.send("/msg nobody hello?");
    await bob.lines.waitFor(/^\* error: nobody here is called nobody$/);

    bob.send("/nick ann");
    await bob.lines.waitFor(/^\* error: the nickname ann is taken$/);
    bob.send("/nick You");
    await bob.lines.waitFor(/^\* error: "You" is reserved$/);

    ann.send("/who");
    await ann.lines.waitFor(/^\* \d+ users online:$/);
    // Addresses are shown to their owners only.
    await ann.lines.waitFor(/^\*\s+ann\s+127\.0\.0\.1\s+idle \d+s$/);
    await ann.lines.waitFor(/^\*\s+bob\s+idle \d+s$/);

    ann.send("/help");
    await ann.lines.waitFor(/^\*\s+\/msg <nick> <text>/);
    ann.send("/frobnicate");
    await ann.lines.waitFor(/^\* error: unknown command \/frobnicate/);

    bob.send("/quit off to lunch");
    await bob.closed;
    await ann.lines.waitFor(/^\* bob left \(quit: off to lunch\)$/);
    ann.socket.destroy();
  });

  it("/me and /msg are confirmed with the line the native client shows; plain lines are not echoed", async () => {
    const cy = await joinedTextPeer(server.port, "cy");
    const dee = await joinedTextPeer(server.port, "dee");
    cy.send("just talking");
    cy.send("/me nods");
    cy.send("/msg dee psst");
    await cy.lines.waitFor(/^<You> \*nods\*$/);
    await cy.lines.waitFor(/^\[to dee\] <You> psst$/);
    await dee.lines.waitFor(/^\[private\] <cy> psst$/);
    assert.ok(!cy.lines.lines.some((l) => l.includes("just talking")), "no echo of a plain line");
    cy.socket.destroy();
    dee.socket.destroy();
  });

  it("/help lists what works on a text connection, and never names a file command in capitals", async () => {
    const text = await joinedTextPeer(server.port, "helpme");
    const first = text.lines.lines.length;
    text.send("/help");
    await text.lines.waitFor(/^\*\s+\/\/text/);
    text.send("/send x");
    text.send("SEND");
    await text.lines.waitFor(/^\* error: a file's path must follow the word send/);
    const shown = text.lines.lines.slice(first);
    for (const command of ["/me", "/msg", "/nick", "/who", "/files", "/help", "/quit"]) {
      assert.ok(
        shown.some((l) => l.startsWith(`*   ${command}`)),
        command,
      );
    }
    for (const command of ["/get", "/cancel", "/send"]) {
      assert.ok(!shown.some((l) => l.startsWith(`*   ${command}`)), command);
    }
    assert.ok(shown.some((l) => /the sockchat client sends and saves them/.test(l)));
    // The original client takes any text with the word in capitals for a file coming.
    for (const line of shown) assert.doesNotMatch(line, /SEND/, line);
    text.socket.destroy();
  });

  it("never receives binary, even when native clients are around", async () => {
    const text = await joinedTextPeer(server.port, "plain");
    const native = await nativePeer(server.port, "binary");
    await native.client.send({ type: "say", text: "ünïcödé ✓" });
    await native.client.send({ type: "who", room: "" });
    await text.lines.waitFor(/^<binary> ünïcödé ✓$/);
    native.client.close();
    await text.lines.waitFor(/^\* binary left/);
    for (const line of text.lines.lines) assert.doesNotMatch(line, /\p{Cc}|\ufffd/u);
    text.socket.destroy();
  });

  it("a native client whose handshake comes after the text welcome still joins natively", async () => {
    // A dial that hands over the socket only after the server has spoken text first.
    const lateDial = async (): Promise<ByteStream> => {
      const socket = connect({ host: "127.0.0.1", port: server.port });
      const [first] = (await once(socket, "data")) as [Buffer];
      assert.match(first.toString(), /^\* welcome/);
      socket.pause();
      return {
        write: (bytes) => socket.write(bytes),
        get bufferedBytes() {
          return socket.writableLength;
        },
        close: () => socket.end(),
        listen: (handlers) => {
          handlers.data(first);
          socket.on("data", handlers.data);
          socket.on("close", () => handlers.close("closed"));
          socket.resume();
        },
      };
    };
    const watcher = await nativePeer(server.port, "lateWatcher");
    const late = new ChatClient({ dial: lateDial, nick: "latecomer", clientName: "test" });
    const welcome = await late.connect();
    assert.equal(welcome.nick, "latecomer");
    await late.send({ type: "say", text: "made it" });
    const message = await watcher.waitFor((m) => m.type === "message" && m.text === "made it");
    assert.equal(message.type === "message" && message.from, "latecomer");
    late.close();
    watcher.client.close();
  });
});
