// A receiver that writes what it gets at a fixed rate (1 MB/s by default), as
// someone on a slow link or disk would: it returns the window no faster, so
// the server can send it no faster.
// Usage: node slow-receiver.js <port> <nick> <save-dir> <bytes-per-second>
// Prints "ready" once joined, then "received <bytes>" every second.

import { ChatClient } from "../../src/client/chat-client.js";
import type { FileStore } from "../../src/client/files.js";
import { DirectoryStore, sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import { throttledStore } from "../../test/helpers/throttled-store.js";

const [port, nick, saveDir, rate] = process.argv.slice(2);
const bytesPerSecond = Number(rate);
const store = new DirectoryStore(saveDir as string);
let received = 0;
const throttled = throttledStore(store, bytesPerSecond);
const counted: FileStore = {
  claimPartial: (id) => throttled.claimPartial(id),
  open: async (file, offset, hasher) => {
    const sink = await throttled.open(file, offset, hasher);
    return {
      ...sink,
      write: async (data) => {
        await sink.write(data);
        received += data.length;
      },
    };
  },
};

const client = new ChatClient({
  dial: tcpDial("127.0.0.1", Number(port)),
  nick: nick as string,
  clientName: "sockchat-bench-slow",
  files: { hasher: sha256Hasher, store: counted },
});
client.on("disconnected", () => process.exit(0));
await client.connect();
process.stdout.write("ready\n");
setInterval(() => process.stdout.write(`received ${received}\n`), 1000);
