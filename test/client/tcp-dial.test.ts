import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { tcpDial } from "../../src/client/tcp-dial.js";
import { concatBytes } from "../../src/protocol/bytes.js";

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
        drain: () => {},
        close: () => resolve(),
      }),
    );
    assert.ok(Buffer.from(concatBytes(reads)).equals(sent), "the bytes arrive whole and in order");
    const largest = Math.max(...reads.map((r) => r.length));
    assert.ok(largest > 64 * 1024, `the largest read was ${largest} bytes`);
  });
});
