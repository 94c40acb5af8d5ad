import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { tcpDial } from "../../../src/client/node/tcp-dial.js";
import { concatBytes } from "../../../src/protocol/bytes.js";

describe("tcpDial", () => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const listening = new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
  const accepted = () =>
    new Promise<Socket>((resolve) => server.once("connection", (socket) => resolve(socket)));
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it("hands on every byte in order, what came before listen() included, in reads above 64 KiB", async () => {
    const port = await listening;
    const peer = accepted();
    const stream = await tcpDial("127.0.0.1", port)();
    const sent = randomBytes(8 * 1024 * 1024);
    const socket = await peer;
    // Written before the client listens: the socket is already reading into its buffers.
    await new Promise<void>((resolve) => socket.write(sent, () => resolve()));
    socket.end();
    const reads: Uint8Array[] = [];
    await new Promise<void>((resolve) =>
      stream.listen({
        data: (bytes) => reads.push(bytes),
        close: () => resolve(),
      }),
    );
    assert.ok(Buffer.from(concatBytes(reads)).equals(sent), "the bytes arrive whole and in order");
    const largest = Math.max(...reads.map((r) => r.length));
    assert.ok(largest > 64 * 1024, `the largest read was ${largest} bytes`);
  });

  it("gives up on a server that never answers, saying where and why", async () => {
    // A listener whose process is stopped completes no more than backlog + 1
    // connections: the kernel drops every later SYN, as a firewall would.
    const child = spawn(process.execPath, [
      "-e",
      "const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port))",
    ]);
    const fillers: Socket[] = [];
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      const port = Number(String(line));
      child.kill("SIGSTOP");
      for (let i = 0; i < 8; i++) fillers.push(connect(port, "127.0.0.1").on("error", () => {}));
      await assert.rejects(tcpDial("127.0.0.1", port, { connectTimeoutMs: 300 })(), {
        message: `cannot connect to 127.0.0.1:${port}: no answer in 0.3 s (is the address right? is a firewall in the way?)`,
      });
    } finally {
      for (const filler of fillers) filler.destroy();
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });

  it("names the address and the reason when the connection is refused", async () => {
    // A port that was free a moment ago: nothing listens on it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(tcpDial("127.0.0.1", unused)(), {
      message: `cannot connect to 127.0.0.1:${unused}: connection refused (is the server running?)`,
    });
    await assert.rejects(tcpDial("::1", unused)(), (error: Error) =>
      error.message.startsWith(`cannot connect to [::1]:${unused}: `),
    );
  });
});
