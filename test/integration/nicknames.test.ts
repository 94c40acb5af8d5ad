import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { joinedTextPeer, nativePeer } from "../helpers/peers.js";
import { type ServerProcess, startServer } from "../helpers/processes.js";

describe("nicknames", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer(["--quiet"]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("stay unique when 40 clients join at once asking for the same one", async () => {
    const peers = await Promise.all(
      Array.from({ length: 40 }, () => nativePeer(server.port, "Sam")),
    );
    const nicks = peers.map((p) => p.client.nick);
    assert.equal(new Set(nicks.map((n) => n.toLowerCase())).size, 40, nicks.join(" "));
    assert.ok(nicks.includes("Sam"));
    assert.ok(
      nicks.every((n) => /^Sam(-\d+)?$/.test(n)),
      nicks.join(" "),
    );
    for (const p of peers) p.client.close();
  });

  it("only one of many concurrent renames to the same nickname wins, whatever the case", async () => {
    const peers = await Promise.all(Array.from({ length: 10 }, () => joinedTextPeer(server.port)));
    peers.forEach((p, i) => {
      p.send(`/nick ${i % 2 === 0 ? "Zed" : "zed"}`);
    });
    const outcomes = await Promise.all(
      peers.map((p) =>
        p.lines.waitFor(
          new RegExp(
            `^\\* (error: the nickname \\S+ is taken|${p.nick} is now known as (Zed|zed))$`,
          ),
        ),
      ),
    );
    const winners = outcomes.filter((line) => !line.startsWith("* error"));
    assert.equal(winners.length, 1, outcomes.join("\n"));
    for (const p of peers) p.socket.destroy();
  });

  it("an invalid requested nickname is cleaned up rather than refused", async () => {
    const peer = await nativePeer(server.port, "bad nick!\u0007");
    assert.equal(peer.client.nick, "badnick");
    peer.client.close();
  });
});
