// The original Python chat client's side of the wire, as faithfully as a test
// peer can be: lines of chat, and SEND <path> followed on the same connection
// by the file in 2048-byte writes and the end marker, waiting for nothing.

import { once } from "node:events";
import { open } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { LEGACY_END_MARKER } from "../../src/protocol/legacy-upload.js";
import { LineCollector } from "./lines.js";

/** The original client read and sent files 2048 bytes at a time. */
const WRITE_BYTES = 2048;

export interface OriginalClient {
  readonly socket: Socket;
  readonly lines: LineCollector;
  say(line: string): Promise<void>;
  /** SEND `path`, then its bytes and the marker, as the original client does. */
  sendFile(path: string): Promise<void>;
  /** Writes raw bytes, for tests that cut the upload their own way. */
  write(bytes: Uint8Array | string): Promise<void>;
  closed: Promise<void>;
}

export async function originalClient(port: number): Promise<OriginalClient> {
  const socket = netConnect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  socket.setNoDelay(true);
  const lines = new LineCollector(socket);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => undefined);
  const write = (bytes: Uint8Array | string) =>
    new Promise<void>((resolve, reject) =>
      socket.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  return {
    socket,
    lines,
    closed,
    write,
    say: (line) => write(`${line}\n`),
    async sendFile(path) {
      await write(`SEND ${path}\n`);
      const file = await open(path, "r");
      try {
        const buffer = Buffer.alloc(WRITE_BYTES);
        for (;;) {
          const { bytesRead } = await file.read(buffer, 0, WRITE_BYTES);
          if (bytesRead === 0) break;
          await write(buffer.subarray(0, bytesRead));
        }
      } finally {
        await file.close();
      }
      await write(LEGACY_END_MARKER);
    },
  };
}
