// Dials a sockchat server over TCP from Node.

import { connect } from "node:net";
import type { ByteStream, Dial } from "./byte-stream.js";

export function tcpDial(host: string, port: number): Dial {
  return () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        let closeReason = "connection closed";
        socket.on("error", (error: NodeJS.ErrnoException) => {
          closeReason = error.code ?? error.message;
        });
        socket.on("end", () => socket.end());
        const stream: ByteStream = {
          write: (bytes) => socket.write(bytes),
          get bufferedBytes() {
            return socket.writableLength;
          },
          close: () => socket.end(),
          listen: (handlers) => {
            socket.on("data", handlers.data);
            socket.on("drain", handlers.drain);
            socket.on("close", () => handlers.close(closeReason));
          },
        };
        resolve(stream);
      });
    });
}
