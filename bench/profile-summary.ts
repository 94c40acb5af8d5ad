// `node dist/bench/profile-summary.js <file.cpuprofile>… [--top N] [--whole]`:
// where a process spent its CPU time, by function (self time) and by source
// file, from a V8 CPU profile as written by `npm run bench -- --profile`. When
// the run left a window.json next to the profile's directory, only the samples
// taken while the load was on count, unless --whole.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { PROFILE_WINDOW_FILE, type ProfileWindow } from "./profile-window.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "30" },
    whole: { type: "boolean", default: false },
  },
});

function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return url.slice(dist + "/dist/".length);
  return url.replace(/^node:/, "node:");
}

function table(title: string, totals: Map<string, number>, all: number, top: number): string {
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    title,
    ...rows.map(
      ([name, us]) =>
        `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`,
    ),
  ].join("\n");
}

function loadWindow(path: string): ProfileWindow | undefined {
  const file = join(dirname(dirname(path)), PROFILE_WINDOW_FILE);
  if (values.whole || !existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as ProfileWindow;
}

function summarize(path: string, top: number): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const window = loadWindow(path);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  let all = 0;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    all += us;
    const file = shortUrl(frame.url);
    const name = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  return [
    `${path}: ${(all / 1000).toFixed(0)} ms sampled${
      window === undefined
        ? ""
        : ` while the load was on (${((window.toUs - window.fromUs) / 1000).toFixed(0)} ms)`
    }`,
    table("self time by function:", byFunction, all, top),
    table("self time by file:", byFile, all, Math.min(top, 15)),
  ].join("\n\n");
}

if (positionals.length === 0) {
  process.stderr.write("usage: node dist/bench/profile-summary.js <file.cpuprofile>… [--top N]\n");
  process.exit(2);
}
for (const path of positionals) process.stdout.write(`${summarize(path, Number(values.top))}\n\n`);
