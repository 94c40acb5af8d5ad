// The other client of the hardening file runs. "decline": it takes no files,
// so it declines every offer. "unconfirmed": it takes every byte, granting the
// window back as the bytes arrive, and checks each file's SHA-256, but never
// confirms one: its store never finishes saving a file, so it never sends
// file-received, like a receiver that hangs, or a hostile one. With <clients>,
// that many such clients (<nick>-1, <nick>-2, …), their outcomes added up.
// Usage: node file-receiver.js <port> <nick> decline|unconfirmed [<clients>]
// Prints "ready" once all have joined; when stdin ends, prints one JSON line
// (a FileReceiveOutcome) and exits.

import { ChatClient } from "../../src/client/chat-client.js";
import type { FileStore } from "../../src/client/files.js";
import { sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { FileReceiveOutcome } from "./messages.js";

const [port, nick, mode, clients = "1"] = process.argv.slice(2);
const count = Number(clients);
const outcome: FileReceiveOutcome = { bytes: 0, files: 0 };
/** Drops the bytes; commit(), called once a file is whole and its SHA-256 matches, never ends. */
const neverSaving: FileStore = {
  claimPartial: async () => 0,
  open: async () => ({
    write: async (data) => {
      outcome.bytes += data.length;
    },
    commit: () => {
      outcome.files += 1;
      return new Promise<string>(() => {});
    },
    suspend: async () => {},
    discard: async () => {},
  }),
};

const receivers = Array.from(
  { length: count },
  (_, i) =>
    new ChatClient({
      dial: tcpDial("127.0.0.1", Number(port)),
      nick: count === 1 ? (nick as string) : `${nick}-${i + 1}`,
      clientName: "sockchat-bench-files",
      ...(mode === "unconfirmed" ? { files: { hasher: sha256Hasher, store: neverSaving } } : {}),
    }),
);
await Promise.all(receivers.map((receiver) => receiver.connect()));
process.stdout.write("ready\n");

process.stdin.resume();
process.stdin.on("end", () => {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
});
