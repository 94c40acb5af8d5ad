// What TLS costs (the security issue): each load of the TLS comparison runs
// through sockchat over TLS and over plain TCP, and the report gives the two
// headline figures and their ratio — deliveries/s for fan-out bursts, MB/s per
// receiver for file relays.

import type { FanoutResult, FileRelayResult, ScenarioResult, TlsCost } from "./results.js";
import type { Table } from "./table.js";

const completed = (r: ScenarioResult) => r.error === undefined;

type Run = FanoutResult | FileRelayResult;

function cost<R extends Run>(
  plain: R,
  tls: R,
  unit: TlsCost["unit"],
  figure: (r: R) => number,
): TlsCost {
  return {
    configId: tls.config.id,
    unit,
    plain: figure(plain),
    tls: figure(tls),
    ratio: figure(tls) / figure(plain),
    serverCpuSeconds: { plain: plain.serverCpuSeconds, tls: tls.serverCpuSeconds },
  };
}

/** Every TLS run that completed, with the plain run of the same configuration, if that completed too. */
export function tlsCosts(results: ScenarioResult[]): TlsCost[] {
  const costs: TlsCost[] = [];
  const fanouts = results.filter((r): r is FanoutResult => r.kind === "fanout" && completed(r));
  for (const tls of fanouts.filter((r) => r.protocol === "tls")) {
    const plain = fanouts.find(
      (r) =>
        r.config.id === tls.config.id &&
        r.server === "sockchat" &&
        r.store === tls.store &&
        r.protocol === "native",
    );
    if (plain !== undefined)
      costs.push(cost(plain, tls, "deliveries/s", (r) => r.deliveriesPerSecond));
  }
  const files = results.filter(
    (r): r is FileRelayResult => r.kind === "file-relay" && r.server === "sockchat" && completed(r),
  );
  for (const tls of files.filter((r) => r.tls)) {
    const plain = files.find((r) => r.config.id === tls.config.id && !r.tls);
    if (plain !== undefined) costs.push(cost(plain, tls, "MB/s", (r) => r.mbPerSecond));
  }
  return costs;
}

const figure = (unit: TlsCost["unit"], value: number) =>
  unit === "MB/s" ? value.toFixed(0) : `${(value / 1e6).toFixed(2)} M`;

export function tlsTable(costs: TlsCost[]): Table {
  return {
    title: "TLS ÷ plain TCP, same load through sockchat (SQLite store)",
    headers: [
      "config",
      "figure",
      "plain TCP",
      "TLS",
      "TLS ÷ plain",
      "srv CPU s plain → TLS",
      "CPU TLS ÷ plain",
    ],
    numeric: [2, 3, 4, 5, 6],
    rows: costs.map((c) => [
      c.configId,
      c.unit === "MB/s" ? "MB/s per receiver" : c.unit,
      figure(c.unit, c.plain),
      figure(c.unit, c.tls),
      `${c.ratio.toFixed(2)}×`,
      `${c.serverCpuSeconds.plain.toFixed(2)} → ${c.serverCpuSeconds.tls.toFixed(2)}`,
      `${(c.serverCpuSeconds.tls / c.serverCpuSeconds.plain).toFixed(2)}×`,
    ]),
    notes: [
      "TLS: `serve --tls self-signed` (TLS only, a P-256 certificate made in the server's fresh data directory); clients trust that certificate as their one CA, as `connect --ca` does, and nothing else",
      "fan-out: the frame-level native peers, dialing with src/client/node/tls-dial.ts; plain: the same peers and server over TCP",
      "file relay: sender and receivers are `sockchat connect --ca <certificate>` processes; plain: the same without",
      "srv CPU = the server's CPU over the run (fan-out: go to the last report; files: the sender's start to the last receiver saved); both runs do the same work, so on shared cores their ratio says more of TLS's price than the rates do",
      "medians of the runs, as in the tables above; no target is held",
    ],
  };
}
