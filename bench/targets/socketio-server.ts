// The Socket.IO reference of the WebSocket fan-out: a chat as Socket.IO's own
// examples write one. Everyone joins one room on connecting; each line said is
// broadcast to everyone else in the room (`socket.to(room).emit`) and
// acknowledged to its sender. WebSocket transport only, as its clients use.
// Listens on a free loopback port and prints "listening on <port>".

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import {
  type ClientToServer,
  type ServerToClient,
  SOCKETIO_ROOM,
  type SocketIoAuth,
} from "./socketio-events.js";

const http = createServer();
const server = new Server<ClientToServer, ServerToClient>(http, {
  transports: ["websocket"],
  serveClient: false,
});
server.on("connection", (socket) => {
  const nick = (socket.handshake.auth as Partial<SocketIoAuth>).nick ?? socket.id;
  void socket.join(SOCKETIO_ROOM);
  socket.on("say", (text, ack) => {
    socket.to(SOCKETIO_ROOM).emit("message", { from: nick, text, at: Date.now() });
    ack();
  });
});
// A clean exit, so that a CPU profile (--cpu-prof) gets written.
process.once("SIGTERM", () => process.exit(0));
http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on ${(http.address() as AddressInfo).port}\n`);
});
