// Sends files from memory as fast as the server takes them, at most <at-once>
// under way: each waits for the server's verdict and, with "complete", for
// every receiver's outcome too. Every file has the same random content.
// Usage: node file-sender.js <port> <files> <bytes-each> <at-once> verified|complete
// Prints "ready" once joined; on a line on stdin it sends them all, then prints
// one JSON line (a FileSendOutcome) and exits.

import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { ChatClient, type OutgoingFile } from "../../src/client/chat-client.js";
import type { FileSource } from "../../src/client/files.js";
import { sha256Hasher } from "../../src/client/node/node-files.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";
import type { FileSendOutcome } from "./messages.js";

/** A file whose verdict takes longer than this means the server is stuck: the run stops. */
const VERDICT_TIMEOUT_MS = 30_000;

const [port, files, bytesEach, atOnce, until] = process.argv.slice(2);
const total = Number(files);
const content = randomBytes(Number(bytesEach));
const source = (i: number): FileSource => ({
  name: `file-${i}.bin`,
  size: content.length,
  read: async (offset, length) => content.subarray(offset, offset + length),
  close: async () => {},
});

const client = new ChatClient({
  dial: tcpDial("127.0.0.1", Number(port)),
  nick: "sender",
  clientName: "sockchat-bench-files",
  files: { hasher: sha256Hasher },
});

/** "" when the file was verified, else why it failed; by transfer id. */
const verdicts = new Map<number, string>();
const waiting = new Map<number, (failure: string) => void>();
const decided = (id: number, failure: string) => {
  const resolve = waiting.get(id);
  waiting.delete(id);
  if (resolve === undefined) verdicts.set(id, failure);
  else resolve(failure);
};
client.on("server", (m) => {
  if (m.type === "file-verified") decided(m.id, m.ok ? "" : m.reason);
  else if (m.type === "file-cancelled") decided(m.id, `cancelled: ${m.reason}`);
});
const verdict = (id: number): Promise<string> => {
  const known = verdicts.get(id);
  verdicts.delete(id);
  return known !== undefined ? Promise.resolve(known) : new Promise((r) => waiting.set(id, r));
};

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${VERDICT_TIMEOUT_MS / 1000} s`)),
      VERDICT_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const outcome: FileSendOutcome = { offered: 0, verified: 0, completed: 0, failed: 0, problem: "" };
const failed = (problem: string) => {
  outcome.failed += 1;
  if (outcome.problem === "") outcome.problem = problem;
};

let next = 0;
async function lane(): Promise<void> {
  while (next < total) {
    const i = next++;
    let file: OutgoingFile;
    try {
      file = await client.sendFile(source(i));
    } catch (error) {
      failed(`offer refused: ${(error as Error).message}`);
      continue;
    }
    outcome.offered += 1;
    // Only "complete" waits for the outcome, and only after a good verdict; a
    // receiver that never confirms may never give one.
    file.delivered.catch(() => {});
    const failure = await within(verdict(file.id), `verdict on file ${file.id}`);
    if (failure !== "") {
      failed(failure);
      continue;
    }
    outcome.verified += 1;
    if (until !== "complete") continue;
    try {
      await within(file.delivered, `completion of file ${file.id}`);
      outcome.completed += 1;
    } catch (error) {
      failed((error as Error).message);
    }
  }
}

await client.connect();
process.stdout.write("ready\n");
const stdin = createInterface({ input: process.stdin });
stdin.once("line", async () => {
  try {
    await Promise.all(Array.from({ length: Number(atOnce) }, lane));
  } catch (error) {
    outcome.error = (error as Error).message;
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
});
