// One end of the bare pipe relay. As the sender it streams a file once told to
// go; as a receiver it takes bytes until the relay closes, writing them to
// <save-path> when given one (as `nc host port > file` would), else dropping them.
// Usage: node pipe-peer.js <port> send <path> | node pipe-peer.js <port> receive [<save-path>]
// Prints "ready", then "done <bytes>" once every byte is sent, or received and written.

import { createReadStream, createWriteStream } from "node:fs";
import { connect } from "node:net";

const [port, role, path] = process.argv.slice(2);
const socket = connect({ host: "127.0.0.1", port: Number(port) }, () => {
  socket.write(role === "send" ? "S" : "R");
  process.stdout.write("ready\n");
});
let bytes = 0;
const done = () => process.stdout.write(`done ${bytes}\n`);
if (role === "send") {
  socket.once("data", () => {
    createReadStream(path as string, { highWaterMark: 1024 * 1024 })
      .on("data", (chunk) => {
        bytes += chunk.length;
      })
      .on("end", done)
      .pipe(socket);
  });
} else {
  socket.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  if (path === undefined) socket.on("end", done);
  else socket.pipe(createWriteStream(path)).on("finish", done);
}
