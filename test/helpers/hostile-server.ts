// A server that speaks the native protocol but breaks every rule the real one
// keeps: it welcomes each client and then sends it whatever messages the test
// gives, control characters and all. For testing what clients show on their own.

import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { HANDSHAKE_BYTES, handshakeBytes } from "../../src/protocol/frame.js";
import { encodeServerMessage, type ServerMessage } from "../../src/protocol/messages.js";

export interface HostileServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function hostileServer(messages: readonly ServerMessage[]): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let seen = 0;
    socket.on("data", (chunk: Buffer) => {
      // The client's handshake and hello come first; what follows is ignored.
      if (seen >= HANDSHAKE_BYTES) return;
      seen += chunk.length;
      if (seen < HANDSHAKE_BYTES) return;
      socket.write(handshakeBytes());
      const welcome: ServerMessage = {
        type: "welcome",
        nick: "target",
        server: "hostile",
        maxMessageBytes: 4096,
        room: "#lobby",
      };
      for (const message of [welcome, ...messages]) socket.write(encodeServerMessage(message));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
