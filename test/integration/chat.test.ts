import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { joinedTextPeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, spawnCli, startServer } from "../helpers/processes.js";

describe("chat between pipe-mode clients and a text client", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("delivers every line to every other client exactly once, <You> on the sender's own screen", async () => {
    const nicks = ["ana", "ben", "cy"];
    const clis = nicks.map((nick) =>
      spawnCli(["connect", `127.0.0.1:${server.port}`, "--nick", nick]),
    );
    await Promise.all(clis.map((c) => c.stdout.waitFor(/^\* welcome to sockchat, you are/)));
    const text = await joinedTextPeer(server.port, "netty");

    for (const [i, c] of clis.entries()) c.child.stdin.write(`hello from ${nicks[i]}\n`);
    text.send("hello from netty");

    for (const [i, cli] of clis.entries()) {
      await cli.stdout.waitFor(new RegExp(`^<You> hello from ${nicks[i]}$`));
      for (const other of [...nicks, "netty"].filter((n) => n !== nicks[i])) {
        await cli.stdout.waitFor(new RegExp(`^<${other}> hello from ${other}$`));
      }
    }
    for (const nick of nicks)
      await text.lines.waitFor(new RegExp(`^<${nick}> hello from ${nick}$`));

    for (const cli of clis) cli.child.stdin.end();
    const codes = await Promise.all(clis.map((c) => c.exited));
    assert.deepEqual(codes, [0, 0, 0]);
    for (const [i, cli] of clis.entries()) {
      const chat = cli.stdout.lines.filter((l) => l.startsWith("<"));
      assert.equal(chat.length, 4, `${nicks[i]} saw ${chat.join(" | ")}`);
      assert.equal(new Set(chat).size, 4);
    }
    const textChat = text.lines.lines.filter((l) => l.startsWith("<"));
    assert.equal(textChat.length, 3, textChat.join(" | "));
    text.socket.destroy();
  });

  it("sends a native client's message to a text client as <nick> text", async () => {
    const text = await joinedTextPeer(server.port);
    const dana = await nativePeer(server.port, "dana");
    await dana.client.send({ type: "say", text: "over the wire" });
    await text.lines.waitFor(/^<dana> over the wire$/);
    dana.client.close();
    text.socket.destroy();
  });
});
