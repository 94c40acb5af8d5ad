// One end of the bare pipe relay. As the sender it streams a file once told to
// go; as a receiver it counts bytes until the relay closes.
// Usage: node pipe-peer.js <port> send <path> | node pipe-peer.js <port> receive
// Prints "ready", then "done <bytes>" at the end.

import { createReadStream } from "node:fs";
import { connect } from "node:net";

const [port, role, path] = process.argv.slice(2);
const socket = connect({ host: "127.0.0.1", port: Number(port) }, () => {
  socket.write(role === "send" ? "S" : "R");
  process.stdout.write("ready\n");
});
let bytes = 0;
if (role === "send") {
  socket.once("data", () => {
    createReadStream(path as string, { highWaterMark: 1024 * 1024 })
      .on("data", (chunk) => {
        bytes += chunk.length;
      })
      .on("end", () => process.stdout.write(`done ${bytes}\n`))
      .pipe(socket);
  });
} else {
  socket.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  socket.on("end", () => {
    process.stdout.write(`done ${bytes}\n`);
    process.exit(0);
  });
}
