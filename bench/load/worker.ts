// A load process: the runner forks it, sends a plan, and it connects its
// clients, then sends or receives on "go" and reports back over IPC. It exits
// when the runner goes away, so nothing outlives a benchmark.

import { Histogram } from "../histogram.js";
import { IngestPeer } from "./ingest-peer.js";
import { nextMessage, tell } from "./ipc.js";
import { joinAll, makePeer } from "./join.js";
import { Ledger } from "./ledger.js";
import type { IngestSendResult, LoadPlan } from "./messages.js";
import { monoUs } from "./payload.js";
import type { PeerEvents } from "./peer.js";
import { send } from "./send.js";

const CHECK_MS = 50;

/** Resolves when every delivery arrived, when deliveries stall, or when the runner asks. */
function deliveriesDone(ledger: Ledger, stallMs: number): Promise<void> {
  return new Promise((resolve) => {
    let lastUnique = -1;
    let lastProgressMs = Date.now();
    const timer = setInterval(() => {
      if (ledger.counts.unique !== lastUnique) {
        lastUnique = ledger.counts.unique;
        lastProgressMs = Date.now();
      }
      if (ledger.complete || Date.now() - lastProgressMs > stallMs) done();
    }, CHECK_MS);
    const done = () => {
      clearInterval(timer);
      resolve();
    };
    nextMessage("report").then(done);
  });
}

/** Each sender in a room of its own, `window` lines unacknowledged, for `durationMs` from "go". */
async function ingest(plan: LoadPlan, closed: (reason: string) => void): Promise<void> {
  const started = Date.now();
  const peers = await joinAll(
    plan,
    (index) =>
      new IngestPeer(
        plan.port,
        `${plan.nickPrefix}${index}`,
        `#ingest-${plan.firstSender + index}`,
        closed,
      ),
  );
  tell({ type: "ready", joinMs: Date.now() - started });
  await nextMessage("go");
  const latency = new Histogram();
  const firstSendUs = monoUs();
  const untilUs = firstSendUs + (plan.durationMs ?? 0) * 1000;
  await Promise.all(
    peers.map((peer, i) => peer.pump(plan.firstSender + i, plan.window ?? 1, untilUs, latency)),
  );
  const result: IngestSendResult = {
    acked: peers.reduce((sum, p) => sum + p.acked, 0),
    refused: peers.reduce((sum, p) => sum + p.refused, 0),
    ackedPerSender: peers.map((p) => p.acked),
    firstSendUs,
    lastAckUs: Math.max(...peers.map((p) => p.lastAckUs)),
    latency: latency.toJSON(),
    problem: peers.find((p) => p.problem !== "")?.problem ?? "",
  };
  tell({ type: "ingested", result });
}

async function main(plan: LoadPlan): Promise<void> {
  let disconnects = 0;
  let lastDisconnect = "";
  const closed = (reason: string) => {
    disconnects += 1;
    lastDisconnect = reason;
  };
  if (plan.role === "ingest") {
    await ingest(plan, closed);
    return;
  }
  const ledger =
    plan.role === "receive" ? new Ledger(plan.clients, plan.senders, plan.messages) : undefined;
  const started = Date.now();
  const peers = await joinAll(plan, (index) => {
    const events: PeerEvents = { closed };
    if (ledger !== undefined) {
      events.bench = (p) => ledger.record(index, p.sender, p.seq, p.sentAtUs, monoUs());
    }
    return makePeer(plan, index, events);
  });
  tell({ type: "ready", joinMs: Date.now() - started });
  await nextMessage("go");
  if (plan.role === "send") {
    tell({ type: "sent", result: await send(plan, peers) });
  } else if (ledger !== undefined) {
    await deliveriesDone(ledger, plan.stallMs);
    const result = {
      counts: ledger.counts,
      firstDeliveryUs: ledger.firstDeliveryUs,
      lastDeliveryUs: ledger.lastDeliveryUs,
      latency: ledger.latency.toJSON(),
    };
    tell({ type: "received", result, disconnects, lastDisconnect });
  } else {
    await nextMessage("report");
    tell({ type: "idle", disconnects, lastDisconnect });
  }
}

process.on("disconnect", () => process.exit(0));
nextMessage("exit").then(() => process.exit(0));
nextMessage("plan")
  .then(({ plan }) => main(plan))
  .catch((error: unknown) => {
    tell({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  });
