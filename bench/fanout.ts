// One fan-out run: R receivers and S senders against a fresh server; senders
// burst (or pace) K messages each, receivers verify every delivery; the server's
// CPU and memory come from /proc.

import { join } from "node:path";
import { Histogram } from "./histogram.js";
import type { LoadPlan, ReceiveResult, SendResult } from "./load/messages.js";
import { monoUs } from "./load/payload.js";
import { LoadProcess, split } from "./load-process.js";
import type { Contender, FanoutConfig } from "./plan.js";
import { cpuSeconds, memory, sumCpu, syscalls, waitQuiet } from "./proc-stats.js";
import { writeProfileWindow } from "./profile-window.js";
import type { FanoutResult } from "./results.js";
import { startTarget } from "./start-target.js";
import { CHANNEL } from "./targets/ngircd.js";

/** Receivers report after this long without a new delivery. */
const STALL_MS = 5000;
const JOIN_TIMEOUT_MS = 180_000;
const SETTLE_MAX_MS = 30_000;

export interface FanoutOptions {
  /** Write CPU profiles of the server (not ngIRCd) and of the load processes here. */
  cpuProfileDir?: string;
}

export async function runFanout(
  config: FanoutConfig,
  contender: Contender,
  options: FanoutOptions,
): Promise<FanoutResult> {
  const { server, protocol } = contender;
  const result = emptyResult(config, contender);
  const profileDir = (who: string) =>
    options.cpuProfileDir === undefined ? undefined : join(options.cpuProfileDir, who);
  const target = await startTarget(server, {
    connections: config.receivers + config.senders,
    cpuProfileDir: profileDir("server"),
    ...(contender.store === undefined ? {} : { store: contender.store }),
    tls: protocol === "tls",
  });
  const loads: LoadProcess[] = [];
  try {
    const base: Omit<LoadPlan, "role" | "clients" | "nickPrefix"> = {
      protocol,
      port: target.port,
      channel: CHANNEL,
      // ngIRCd listens with a backlog of 10; more at once only makes SYNs time out.
      concurrency: protocol === "irc" ? 4 : 64,
      senders: config.senders,
      messages: config.messages,
      firstSender: 0,
      pacePerSecond: config.pacePerSecond,
      stallMs: STALL_MS,
      ca: target.ca,
    };
    const joinStarted = Date.now();
    const receivers = split(config.receivers, config.receiverProcesses).map(
      (clients, i) =>
        new LoadProcess(
          { ...base, role: "receive", clients, nickPrefix: `r${i}x` },
          profileDir("receivers"),
        ),
    );
    loads.push(...receivers);
    await Promise.all(receivers.map((r) => r.next("ready", JOIN_TIMEOUT_MS)));
    const sender = new LoadProcess(
      { ...base, role: "send", clients: config.senders, nickPrefix: "s" },
      profileDir("senders"),
    );
    loads.push(sender);
    await sender.next("ready", JOIN_TIMEOUT_MS);
    result.joinSeconds = (Date.now() - joinStarted) / 1000;

    const pids = loads.map((l) => l.pid);
    result.settled = await waitQuiet([target.pid, ...pids], SETTLE_MAX_MS);
    const serverCpu0 = cpuSeconds(target.pid);
    const serverWrites0 = syscalls(target.pid).writes;
    const loadCpu0 = sumCpu(pids);

    const goAt = Date.now();
    const goUs = monoUs();
    for (const load of loads) load.send({ type: "go" });
    const runTimeoutMs =
      (config.pacePerSecond > 0 ? (config.messages / config.pacePerSecond) * 1000 : 0) +
      STALL_MS +
      120_000;
    const received = await Promise.all(receivers.map((r) => r.next("received", runTimeoutMs)));
    result.windowSeconds = (Date.now() - goAt) / 1000;
    // Lets profile-summary keep only the samples taken under load.
    writeProfileWindow(options.cpuProfileDir, goUs);
    let sent: SendResult | undefined;
    try {
      sent = (await sender.next("sent", STALL_MS)).result;
    } catch (error) {
      result.error = `senders did not finish: ${(error as Error).message}`;
    }
    result.serverCpuSeconds = cpuSeconds(target.pid) - serverCpu0;
    result.serverWrites = syscalls(target.pid).writes - serverWrites0;
    result.loadCpuSeconds = sumCpu(pids) - loadCpu0;
    result.serverPeakRssBytes = memory(target.pid).peak;
    summarize(result, received, sent);
  } catch (error) {
    result.error = `${(error as Error).message}\n${target.tail()}`;
  } finally {
    await target.stop();
    await Promise.all(loads.map((load) => load.stop()));
  }
  return result;
}

function summarize(
  result: FanoutResult,
  received: { result: ReceiveResult; disconnects: number; lastDisconnect: string }[],
  sent: SendResult | undefined,
): void {
  const latency = new Histogram();
  let firstDeliveryUs = Number.POSITIVE_INFINITY;
  let lastDeliveryUs = 0;
  for (const r of received) {
    const c = r.result.counts;
    result.expected += c.expected;
    result.delivered += c.unique;
    result.duplicates += c.duplicates;
    result.outOfOrder += c.outOfOrder + c.unexpected;
    result.disconnects += r.disconnects;
    if (r.lastDisconnect !== "") result.lastDisconnect = r.lastDisconnect;
    latency.merge(r.result.latency);
    firstDeliveryUs = Math.min(firstDeliveryUs, r.result.firstDeliveryUs);
    lastDeliveryUs = Math.max(lastDeliveryUs, r.result.lastDeliveryUs);
  }
  result.lost = result.expected - result.delivered;
  result.refused = sent?.refused ?? 0;
  const startUs = sent?.firstSendUs ?? firstDeliveryUs;
  result.seconds = Math.max(0, (lastDeliveryUs - startUs) / 1e6);
  result.deliveriesPerSecond = result.seconds > 0 ? result.delivered / result.seconds : 0;
  result.latencyMs = {
    p50: latency.quantileUs(0.5) / 1000,
    p99: latency.quantileUs(0.99) / 1000,
    max: latency.maxUs / 1000,
  };
}

function emptyResult(config: FanoutConfig, contender: Contender): FanoutResult {
  return {
    kind: "fanout",
    config,
    server: contender.server,
    protocol: contender.protocol,
    ...(contender.store === undefined ? {} : { store: contender.store }),
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    disconnects: 0,
    lastDisconnect: "",
    refused: 0,
    seconds: 0,
    windowSeconds: 0,
    deliveriesPerSecond: 0,
    latencyMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    serverCpuSeconds: 0,
    serverWrites: 0,
    serverPeakRssBytes: 0,
    loadCpuSeconds: 0,
    joinSeconds: 0,
    settled: false,
  };
}
