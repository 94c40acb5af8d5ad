// The cost of a join (issue 9, defect 10): N clients join a fresh server and
// are all welcomed; the server's CPU from before the first connect to the last
// welcome. Text clients all ask for no name and are given guest, guest-2, …;
// run at N and 2N, a cost that grows with the crowd shows as a ratio of 4, not 2.

import { LoadProcess, split } from "./load-process.js";
import { waitQuiet } from "./proc-stats.js";
import type { HardeningConfig, HardeningResult } from "./results.js";
import { emptyHardeningResult, ServerSpan } from "./server-span.js";
import { startTarget } from "./start-target.js";
import { failure, type Target } from "./targets/target.js";

export type JoinsConfig = Extract<HardeningConfig, { scenario: "joins" }>;

const JOIN_TIMEOUT_MS = 300_000;
/** As in the idle test: each load process holds a few thousand connections. */
const CLIENTS_PER_PROCESS = 2500;
/**
 * Silent text clients each wait the server's 300 ms before their welcome, so
 * more of them connect at once; 4 processes × 128 stay within Node's listen
 * backlog of 511, so no SYN is dropped and retried.
 */
const CONCURRENCY = { text: 128, native: 64 } as const;

export async function runJoins(config: JoinsConfig): Promise<HardeningResult> {
  const result = emptyHardeningResult(config);
  const processes = Math.ceil(config.clients / CLIENTS_PER_PROCESS);
  const concurrency = CONCURRENCY[config.protocol];
  result.note = `${processes} load process${processes === 1 ? "" : "es"}, ${concurrency} connecting at once in each${
    config.protocol === "text" ? "; text clients say nothing until welcomed, like netcat" : ""
  }`;
  const loads: LoadProcess[] = [];
  let target: Target | undefined;
  let span: ServerSpan | undefined;
  try {
    target = await startTarget("sockchat", { connections: config.clients });
    await waitQuiet([target.pid], 5000);
    span = new ServerSpan(target.pid, result, () => loads.map((l) => l.pid));
    const port = target.port;
    loads.push(
      ...split(config.clients, processes).map(
        (clients, i) =>
          new LoadProcess({
            protocol: config.protocol,
            port,
            role: "idle",
            clients,
            nickPrefix: `j${i}x`,
            channel: "",
            concurrency,
            senders: 0,
            messages: 0,
            firstSender: 0,
            pacePerSecond: 0,
            stallMs: 0,
            silent: true,
          }),
      ),
    );
    await Promise.all(loads.map((l) => l.next("ready", JOIN_TIMEOUT_MS)));
    span.end();
    for (const load of loads) {
      load.send({ type: "go" });
      load.send({ type: "report" });
    }
    const reports = await Promise.all(loads.map((l) => l.next("idle", 10_000)));
    const dropped = reports.reduce((sum, r) => sum + r.disconnects, 0);
    result.completed = config.clients - dropped;
    if (dropped > 0) {
      const reason = reports.find((r) => r.lastDisconnect !== "")?.lastDisconnect;
      result.error = `${dropped} clients were disconnected (last: ${reason})`;
    }
  } catch (error) {
    span?.end();
    result.error = failure(error, target);
  } finally {
    await target?.stop();
    await Promise.all(loads.map((load) => load.stop()));
  }
  return result;
}
