// `npm run bench [-- --quick] [--only text] [--skip-ngircd] [--skip-socketio] [--skip-tls] [--skip-idle] [--skip-hardening] [--skip-ingest] [--skip-store] [--skip-page-load] [--profile]`:
// runs every scenario of the plan one after another against real server
// processes, prints a table and writes bench/results/latest.{json,md,svg}
// (latest-quick.* for --quick, with "-partial" when scenarios were left out, so
// that a smaller run never overwrites the full one).

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderChart } from "./chart.js";
import { installCleanup, killAll } from "./children.js";
import { runFanout } from "./fanout.js";
import { runFileRelayPipe, runFileRelaySockchat } from "./file-relay.js";
import { runFileHardening } from "./hardening-files.js";
import { runJoins } from "./hardening-joins.js";
import { runIdle } from "./idle.js";
import { runIngest } from "./ingest.js";
import { runPageLoad } from "./page-load.js";
import { type BenchPlan, contendersOf, makePlan } from "./plan.js";
import { median, medianRuns } from "./repeats.js";
import { checkTargets, computeRatios, reportMarkdown, reportText } from "./report.js";
import type { BenchReport, FanoutResult, PageLoadTiming, ScenarioResult } from "./results.js";
import { runStoreHistory } from "./store-history.js";
import { ensureNgircd, NGIRCD } from "./targets/ngircd.js";
import { SOCKETIO_VERSION } from "./targets/socketio.js";
import { tlsCosts } from "./tls-report.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const USAGE = `usage: npm run bench -- [options]
  --quick          smaller configurations (about four minutes in all)
  --only <text>    run only scenarios whose id, server or protocol contains <text> (repeatable)
  --skip-ngircd    do not run ngIRCd (no comparison)
  --skip-socketio  do not run Socket.IO (no WebSocket comparison)
  --skip-tls       skip the TLS comparison (fan-out and file relay over TLS and plain TCP)
  --skip-idle      skip the idle-connections test
  --skip-files     skip the file-relay runs
  --skip-hardening skip the hardening runs (join cost, descriptors and memory of finished files)
  --skip-ingest    skip the durable ingest (lines acknowledged per second, all stored)
  --skip-store     skip the store's history reads (a SQLite store of a million lines)
  --skip-page-load skip the page's load in Chromium (navigation to the first history line shown)
  --idle-clients <n>
                   idle connections to open (default 10000, quick 2000)
  --repeats <n>    rounds of the compared runs, the median reported (default 3, quick 1)
  --receiver-processes <n>
                   spread fan-out receivers over n load processes (default: 2 for bursts, 1 paced)
  --profile        write V8 CPU profiles (sockchat server, load processes) to <out>/profiles;
                   summarize one with: node dist/bench/profile-summary.js <file>
  --out <dir>      where results go (default bench/results)`;

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string", multiple: true, default: [] },
        "skip-ngircd": { type: "boolean", default: false },
        "skip-socketio": { type: "boolean", default: false },
        "skip-tls": { type: "boolean", default: false },
        "skip-idle": { type: "boolean", default: false },
        "skip-files": { type: "boolean", default: false },
        "skip-hardening": { type: "boolean", default: false },
        "skip-ingest": { type: "boolean", default: false },
        "skip-store": { type: "boolean", default: false },
        "skip-page-load": { type: "boolean", default: false },
        profile: { type: "boolean", default: false },
        "receiver-processes": { type: "string" },
        "idle-clients": { type: "string" },
        repeats: { type: "string" },
        out: { type: "string", default: join(ROOT, "bench", "results") },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const args = parseCommandLine();

/** The value of --<option>, which must be a whole number ≥ 1; undefined when not given. */
function wholeNumber(
  option: "receiver-processes" | "repeats" | "idle-clients",
): number | undefined {
  const text = args[option];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${option} wants a whole number ≥ 1`);
  return n;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Step {
  id: string;
  run: () => Promise<ScenarioResult>;
}

function steps(plan: BenchPlan, profileDir: string | undefined): Step[] {
  // Runs compared with a reference repeat, each round in the same order, so
  // drift in the machine's speed falls on both sides of a ratio alike.
  const compared: Step[] = [];
  const once: Step[] = [];
  for (const config of plan.fanout) {
    for (const contender of contendersOf(plan, config)) {
      const server =
        contender.store === "memory" ? `${contender.server}-memory-store` : contender.server;
      compared.push({
        id: `${config.id} ${server} ${contender.protocol}`,
        run: () =>
          runFanout(config, contender, {
            cpuProfileDir:
              profileDir === undefined
                ? undefined
                : join(profileDir, `${config.id}-${server}-${contender.protocol}`),
          }),
      });
    }
  }
  if (!args["skip-files"]) {
    for (const config of plan.files) {
      const step = {
        id: `${config.id} sockchat`,
        run: () => runFileRelaySockchat(config, { tls: false }),
      };
      // The bare pipe is the baseline for plain runs only: it has no chat, and
      // with a slow receiver it would simply run at 1 MB/s.
      if (config.slowReceivers > 0 || config.chatDuring > 0) {
        once.push(step);
        continue;
      }
      compared.push(
        step,
        { id: `${config.id} pipe`, run: () => runFileRelayPipe(config, "disk") },
        { id: `${config.id} pipe-discard`, run: () => runFileRelayPipe(config, "discard") },
      );
    }
    for (const config of plan.tlsFiles) {
      compared.push(
        { id: `${config.id} sockchat`, run: () => runFileRelaySockchat(config, { tls: false }) },
        { id: `${config.id} sockchat tls`, run: () => runFileRelaySockchat(config, { tls: true }) },
      );
    }
  }
  if (!args["skip-idle"]) {
    for (const idle of plan.idle) {
      const name = `idle-${idle.clients}${idle.rooms > 0 ? `-rooms-${idle.rooms}` : ""}`;
      once.push({
        id: `${name} ${idle.server}`,
        run: () =>
          runIdle(
            idle,
            profileDir === undefined ? undefined : join(profileDir, `${name}-${idle.server}`),
          ),
      });
    }
  }
  if (!args["skip-hardening"]) {
    for (const config of plan.hardening) {
      const step = {
        id: `${config.id} sockchat`,
        run: () =>
          config.scenario === "joins"
            ? runJoins(config)
            : runFileHardening(
                config,
                profileDir === undefined ? undefined : join(profileDir, config.id),
              ),
      };
      // Runs at N and 2N are compared with each other: repeated like the other compared runs.
      if (config.scenario === "unconfirmed-receiver") once.push(step);
      else compared.push(step);
    }
  }
  if (!args["skip-ingest"]) {
    for (const config of plan.ingest) {
      once.push({
        id: `${config.id} sockchat`,
        run: () =>
          runIngest(config, profileDir === undefined ? undefined : join(profileDir, config.id)),
      });
    }
  }
  if (!args["skip-store"]) {
    for (const config of plan.storeHistory) {
      once.push({ id: `${config.id} sockchat`, run: () => runStoreHistory(config) });
    }
  }
  if (!args["skip-page-load"]) {
    for (const config of plan.pageLoad) {
      once.push({ id: `${config.id} sockchat chromium`, run: () => runPageLoad(config) });
    }
  }
  const list: Step[] = [];
  for (let round = 1; round <= plan.repeats; round++) {
    const suffix = plan.repeats > 1 ? ` (run ${round} of ${plan.repeats})` : "";
    list.push(...compared.map((step) => ({ ...step, id: `${step.id}${suffix}` })));
  }
  list.push(...once);
  return list.filter(
    (s) =>
      (args.only.length === 0 || args.only.some((o) => s.id.includes(o))) &&
      !(args["skip-ngircd"] && s.id.includes("ngircd")) &&
      !(args["skip-socketio"] && s.id.includes("socketio")),
  );
}

function git(...argv: string[]): string {
  try {
    return execFileSync("git", argv, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function meta(plan: BenchPlan): BenchReport["meta"] {
  let ngircd = "not run";
  try {
    ngircd = execFileSync(NGIRCD, ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "";
  } catch {}
  return {
    date: new Date().toISOString(),
    mode: args.quick ? "quick" : "full",
    commit: `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "src") === "" ? "" : " (src modified)"}`,
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    "load average at start": loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    ngircd,
    "socket.io": SOCKETIO_VERSION,
    configurations: plan.fanout.map((f) => f.label).join("; "),
  };
}

const MIB = 2 ** 20;

/** One line on how a run went, for the progress log. */
function summary(result: ScenarioResult): string {
  switch (result.kind) {
    case "fanout":
      return `${(result.deliveriesPerSecond / 1e6).toFixed(2)} M deliveries/s, lost ${result.lost}, p99 ${result.latencyMs.p99.toFixed(2)} ms`;
    case "idle":
      return `${(result.bytesPerConnection / 1024).toFixed(1)} KiB/conn, ${result.idleCpuSeconds.toFixed(2)} s CPU idle`;
    case "file-relay":
      return `${result.mbPerSecond.toFixed(0)} MB/s per receiver, peak RSS ${(result.serverPeakRssBytes / MIB).toFixed(0)} MiB, verified ${result.verified}`;
    case "hardening":
      return `${result.cpuSeconds.toFixed(2)} s server CPU, descriptors ${result.before.descriptors} → ${result.after.descriptors}, RSS ${(result.before.rssBytes / MIB).toFixed(0)} → ${(result.after.rssBytes / MIB).toFixed(0)} MiB`;
    case "ingest":
      return `${(result.linesPerSecond / 1e3).toFixed(0)} k lines/s acknowledged (${result.acked} lines), ${result.storedLines} stored, ack p99 ${result.ackLatencyMs.p99.toFixed(2)} ms`;
    case "store-history":
      return `${(result.linesPerSecond / 1e3).toFixed(0)} k lines/s in, replay p99 ${result.joinReplayMs.p99.toFixed(2)} ms, /history p99 ${result.historyPageMs.p99.toFixed(2)} ms, ${result.bytesPerLine.toFixed(0)} B/line`;
    case "page-load": {
      const total = (loads: PageLoadTiming[]) => median(loads.map((t) => t.totalMs)).toFixed(0);
      return `navigation to the first history line shown: median ${total(result.cold)} ms cold, ${total(result.warm)} ms warm`;
    }
  }
}

async function main(): Promise<number> {
  if (args.help) {
    log(USAGE);
    return 0;
  }
  installCleanup();
  const plan = makePlan(args.quick);
  const processes = wholeNumber("receiver-processes");
  if (processes !== undefined) {
    for (const config of plan.fanout) config.receiverProcesses = processes;
  }
  plan.repeats = wholeNumber("repeats") ?? plan.repeats;
  if (args["skip-tls"]) {
    plan.fanout = plan.fanout.filter((config) => config.comparison !== "tls");
    plan.tlsFiles = [];
  }
  const clients = wholeNumber("idle-clients");
  if (clients !== undefined) {
    for (const idle of plan.idle) {
      idle.clients = clients;
      idle.processes = Math.ceil(clients / 2500);
    }
  }
  // Bounded whatever happens: a hung run is killed with everything it started.
  const budgetMs = args.quick ? 420_000 : 1_500_000;
  const watchdog = setTimeout(() => {
    log(`bench: over its ${budgetMs / 1000} s budget; killing everything`);
    killAll();
    process.exit(2);
  }, budgetMs);
  watchdog.unref();

  if (!args["skip-ngircd"]) {
    const problem = ensureNgircd(log);
    if (problem !== undefined) {
      log(`bench: ngIRCd unavailable, comparison skipped: ${problem}`);
      args["skip-ngircd"] = true;
    }
  }
  const outDir = args.out;
  const profileDir = args.profile ? join(outDir, "profiles") : undefined;
  mkdirSync(outDir, { recursive: true });
  const info = meta(plan);
  const results: ScenarioResult[] = [];
  const started = Date.now();
  for (const step of steps(plan, profileDir)) {
    const t0 = Date.now();
    log(`bench: ${step.id} …`);
    const result = await step.run();
    results.push(result);
    log(
      `bench:   ${result.error ? `FAILED: ${result.error}` : summary(result)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  info["wall seconds"] = Math.round((Date.now() - started) / 1000);

  const medians = medianRuns(results);
  const ratios = computeRatios(medians);
  const report: BenchReport = {
    meta: info,
    results: medians,
    runs: results,
    ratios,
    tlsCosts: tlsCosts(medians),
    targets: checkTargets(medians, ratios, results),
  };
  const fanoutResults = medians.filter((r): r is FanoutResult => r.kind === "fanout");
  const partial =
    args.only.length > 0 ||
    args["skip-ngircd"] ||
    args["skip-idle"] ||
    args["skip-files"] ||
    args["skip-hardening"] ||
    args["skip-ingest"] ||
    args["skip-store"] ||
    args["skip-socketio"] ||
    args["skip-tls"] ||
    args["skip-page-load"];
  const name = `latest${args.quick ? "-quick" : ""}${partial ? "-partial" : ""}`;
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.md`), reportMarkdown(report, `${name}.svg`));
  writeFileSync(
    join(outDir, `${name}.svg`),
    renderChart(fanoutResults, `${info.mode} run, ${info.date}`),
  );
  process.stdout.write(`${reportText(report)}\n`);
  log(`bench: results in ${join(outDir, `${name}.{json,md,svg}`)}`);
  clearTimeout(watchdog);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killAll();
    process.exit(1);
  },
);
