// Dials a sockchat server over TCP from Node.

import { connect } from "node:net";
import { ReadSizes } from "../node/read-sizes.js";
import { unfilledBytes } from "../node/unfilled-bytes.js";
import type { ByteStream, Dial } from "./byte-stream.js";

export function tcpDial(host: string, port: number): Dial {
  return () =>
    new Promise((resolve, reject) => {
      const sizes = new ReadSizes();
      // Reading starts on connect; what comes before the client listens waits here.
      const early: Uint8Array[] = [];
      let received = (bytes: Uint8Array) => {
        early.push(bytes);
      };
      const socket = connect({
        host,
        port,
        noDelay: true,
        // Reads into buffers we size (see ReadSizes); each is fresh, as frames are handed on as views.
        onread: {
          buffer: () => unfilledBytes(sizes.next),
          callback: (length, buffer) => {
            sizes.observe(length, buffer.length);
            received(buffer.subarray(0, length));
            return true;
          },
        },
      });
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
            received = handlers.data;
            for (const bytes of early.splice(0)) handlers.data(bytes);
            socket.on("drain", handlers.drain);
            socket.on("close", () => handlers.close(closeReason));
          },
        };
        resolve(stream);
      });
    });
}
