// Two chat clients in one process: one says a line every 1000/rate ms, the
// other times each line's arrival on the same clock. Runs until stdin closes,
// then prints one JSON line: {"count":…,"p50":…,"p99":…,"max":…} in ms.
// Usage: node chatter.js <port> <lines-per-second>

import { ChatClient } from "../../src/client/chat-client.js";
import { tcpDial } from "../../src/client/node/tcp-dial.js";

const [port, rate] = process.argv.slice(2);
const join = async (nick: string) => {
  const client = new ChatClient({
    dial: tcpDial("127.0.0.1", Number(port)),
    nick,
    clientName: "sockchat-bench-chat",
  });
  await client.connect();
  return client;
};
const talker = await join("talker");
const listener = await join("listener");
const latencies: number[] = [];
listener.on("server", (m) => {
  if (m.type === "message" && m.from === "talker")
    latencies.push(performance.now() - Number(m.text));
});
const timer = setInterval(() => {
  talker.send({ type: "say", text: String(performance.now()) }).catch(() => {});
}, 1000 / Number(rate));
process.stdout.write("ready\n");

process.stdin.resume();
process.stdin.on("end", () => {
  clearInterval(timer);
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  process.stdout.write(
    `${JSON.stringify({ count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN })}\n`,
  );
  process.exit(0);
});
