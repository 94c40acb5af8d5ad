// Dials a sockchat server over TCP from Node.

import { connect } from "node:net";
import { unfilledBytes } from "../node/unfilled-bytes.js";
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
          allocate: unfilledBytes,
          listen: (handlers) => {
            // Views of plain Uint8Array are cheaper to slice than Buffers, per frame.
            socket.on("data", (chunk: Buffer) =>
              handlers.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
            );
            socket.on("drain", handlers.drain);
            socket.on("close", () => handlers.close(closeReason));
          },
        };
        resolve(stream);
      });
    });
}
