// The baseline: a bare Node.js relay with no framing, no hashing and no disk.
// The first byte a connection sends says what it is: "S" sender, "R" receiver.
// Once `receivers` receivers and the sender are in, the sender's bytes are
// piped to all receivers, pausing for the slowest (as stream.pipe does).
// Usage: node pipe-relay.js <receivers>; prints "listening <port>".

import { createServer, type Socket } from "node:net";

const expected = Number(process.argv[2]);
const receivers: Socket[] = [];
let sender: Socket | undefined;

function start(): void {
  if (sender === undefined || receivers.length < expected) return;
  const source = sender;
  let waiting = 0;
  source.on("data", (chunk: Buffer) => {
    for (const receiver of receivers) {
      if (!receiver.write(chunk)) {
        waiting += 1;
        receiver.once("drain", () => {
          waiting -= 1;
          if (waiting === 0) source.resume();
        });
      }
    }
    if (waiting > 0) source.pause();
  });
  source.on("end", () => {
    for (const receiver of receivers) receiver.end();
  });
  source.resume();
  source.write("G"); // go
}

const server = createServer((socket) => {
  socket.once("data", (first: Buffer) => {
    if (first[0] === 0x53) {
      sender = socket;
      socket.pause();
    } else receivers.push(socket);
    start();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : 0}\n`);
});
