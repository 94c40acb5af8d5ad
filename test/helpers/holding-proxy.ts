// A TCP proxy between clients and a server that can stop passing on what a
// client sends, as a network that stops carrying it would: for tests of what a
// client does while its bytes are not getting through.

import { once } from "node:events";
import { type AddressInfo, createServer, connect as netConnect, type Socket } from "node:net";

export interface HoldingProxy {
  readonly port: number;
  /** Passes on `bytes` more of what clients send, then holds the rest until released. */
  holdAfter(bytes: number): void;
  /** Passes on what was held, and everything from now on. */
  release(): void;
  close(): Promise<void>;
}

export async function holdingProxy(serverPort: number): Promise<HoldingProxy> {
  let allowance = Number.POSITIVE_INFINITY;
  const held: { client: Socket; upstream: Socket; data: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = netConnect({ host: "127.0.0.1", port: serverPort, noDelay: true });
    track(client);
    track(upstream);
    client.setNoDelay(true);
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      const passed = Math.min(chunk.length, allowance);
      allowance -= passed;
      upstream.write(chunk.subarray(0, passed));
      if (passed === chunk.length) return;
      // Read no more: the client's socket fills up, as behind a stalled link.
      held.push({ client, upstream, data: chunk.subarray(passed) });
      client.pause();
    });
    client.on("end", () => upstream.end());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    holdAfter(bytes) {
      allowance = bytes;
    },
    release() {
      allowance = Number.POSITIVE_INFINITY;
      for (const { client, upstream, data } of held.splice(0)) {
        upstream.write(data);
        client.resume();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
