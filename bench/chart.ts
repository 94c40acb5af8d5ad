// A self-contained SVG chart of the fan-out results: delivered messages per
// second per configuration (sockchat native, text, over WebSocket and over
// TLS, ngIRCd, Socket.IO), and latency percentiles on a log scale.

import type { FanoutResult } from "./results.js";

const WIDTH = 960;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 80, right: 20, top: 50, bottom: 70 };
const SERIES = [
  { key: "sockchat/native", color: "#2b6cb0", label: "sockchat native" },
  { key: "sockchat/text", color: "#38a169", label: "sockchat text" },
  { key: "ngircd/irc", color: "#dd6b20", label: "ngIRCd (IRC)" },
  { key: "sockchat/websocket", color: "#805ad5", label: "sockchat WebSocket" },
  { key: "socketio/socketio", color: "#718096", label: "Socket.IO" },
  { key: "sockchat/tls", color: "#c53030", label: "sockchat TLS" },
];

const esc = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const num = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "0");

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${num(x)}" y="${num(y)}" ${attrs}>${esc(content)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ""): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(Math.max(0, h))}" fill="${fill}" ${extra}/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ""): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" ${extra}/>`;
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

interface Layout {
  configs: string[];
  top: number;
  plotLeft: number;
  plotWidth: number;
  plotHeight: number;
  groupWidth: number;
  barWidth: number;
}

function layout(configs: string[], top: number): Layout {
  const plotLeft = MARGIN.left;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / Math.max(1, configs.length);
  return {
    configs,
    top: top + MARGIN.top,
    plotLeft,
    plotWidth,
    plotHeight: PANEL_HEIGHT - MARGIN.top - MARGIN.bottom,
    groupWidth,
    barWidth: Math.min(70, (groupWidth * 0.8) / SERIES.length),
  };
}

function barX(l: Layout, group: number, series: number): number {
  const groupStart = l.plotLeft + group * l.groupWidth;
  const barsWidth = l.barWidth * SERIES.length;
  return groupStart + (l.groupWidth - barsWidth) / 2 + series * l.barWidth;
}

function axisAndLabels(l: Layout, title: string): string[] {
  const bottom = l.top + l.plotHeight;
  return [
    text(l.plotLeft, l.top - 25, title, 'font-size="16" font-weight="bold"'),
    line(l.plotLeft, bottom, l.plotLeft + l.plotWidth, bottom, "#333"),
    line(l.plotLeft, l.top, l.plotLeft, bottom, "#333"),
    ...l.configs.map((c, i) =>
      text(
        l.plotLeft + (i + 0.5) * l.groupWidth,
        bottom + 20,
        c,
        'text-anchor="middle" font-size="12"',
      ),
    ),
  ];
}

function find(results: FanoutResult[], config: string, key: string): FanoutResult | undefined {
  return results.find(
    (r) =>
      r.config.id === config &&
      `${r.server}/${r.protocol}` === key &&
      r.store !== "memory" &&
      r.error === undefined,
  );
}

function throughputPanel(results: FanoutResult[], configs: string[], top: number): string[] {
  const l = layout(configs, top);
  const max = niceMax(Math.max(0, ...results.map((r) => r.deliveriesPerSecond)));
  const y = (v: number) => l.top + l.plotHeight - (v / max) * l.plotHeight;
  const out = axisAndLabels(l, "Delivered messages per second (higher is better)");
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    out.push(line(l.plotLeft, y(v), l.plotLeft + l.plotWidth, y(v), "#ddd"));
    out.push(
      text(
        l.plotLeft - 8,
        y(v) + 4,
        `${(v / 1e6).toFixed(1)} M`,
        'text-anchor="end" font-size="11"',
      ),
    );
  }
  configs.forEach((config, g) => {
    SERIES.forEach((s, i) => {
      const r = find(results, config, s.key);
      if (r === undefined) return;
      const x = barX(l, g, i);
      const top = y(r.deliveriesPerSecond);
      out.push(rect(x + 2, top, l.barWidth - 4, l.top + l.plotHeight - top, s.color));
      out.push(
        text(
          x + l.barWidth / 2,
          top - 4,
          `${(r.deliveriesPerSecond / 1e6).toFixed(2)}M`,
          'text-anchor="middle" font-size="10"',
        ),
      );
    });
  });
  return out;
}

function latencyPanel(results: FanoutResult[], configs: string[], top: number): string[] {
  const l = layout(configs, top);
  const values = results.flatMap((r) => [r.latencyMs.p50, r.latencyMs.max]).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const y = (v: number) =>
    l.top + l.plotHeight - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * l.plotHeight;
  const out = axisAndLabels(
    l,
    "Latency, ms, log scale (lower is better): bar and label = p99, inner bar = p50, tick = max",
  );
  for (let d = lo; d <= hi; d++) {
    out.push(line(l.plotLeft, y(10 ** d), l.plotLeft + l.plotWidth, y(10 ** d), "#ddd"));
    out.push(
      text(l.plotLeft - 8, y(10 ** d) + 4, `${10 ** d}`, 'text-anchor="end" font-size="11"'),
    );
  }
  const bottom = l.top + l.plotHeight;
  configs.forEach((config, g) => {
    SERIES.forEach((s, i) => {
      const r = find(results, config, s.key);
      if (r === undefined) return;
      const x = barX(l, g, i);
      const w = l.barWidth - 4;
      out.push(
        rect(
          x + 2,
          y(r.latencyMs.p99),
          w,
          bottom - y(r.latencyMs.p99),
          s.color,
          'fill-opacity="0.55"',
        ),
      );
      out.push(
        rect(x + 2 + w / 4, y(r.latencyMs.p50), w / 2, bottom - y(r.latencyMs.p50), s.color),
      );
      out.push(
        line(x + 2, y(r.latencyMs.max), x + 2 + w, y(r.latencyMs.max), "#000", 'stroke-width="2"'),
      );
      out.push(
        text(
          x + l.barWidth / 2,
          y(r.latencyMs.max) - 4,
          `${r.latencyMs.p99.toFixed(1)}`,
          'text-anchor="middle" font-size="10"',
        ),
      );
    });
  });
  return out;
}

function legend(y: number): string[] {
  const left = WIDTH - MARGIN.right - SERIES.length * 140;
  return SERIES.flatMap((s, i) => [
    rect(left + i * 140, y - 10, 12, 12, s.color),
    text(left + i * 140 + 18, y, s.label, 'font-size="12"'),
  ]);
}

export function renderChart(results: FanoutResult[], subtitle: string): string {
  const configs = [...new Set(results.map((r) => r.config.id))];
  const height = 2 * PANEL_HEIGHT + 60;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    rect(0, 0, WIDTH, height, "#fff"),
    text(
      MARGIN.left,
      24,
      `sockchat vs ngIRCd and Socket.IO fan-out — ${subtitle}`,
      'font-size="18" font-weight="bold"',
    ),
    ...legend(46),
    ...throughputPanel(results, configs, 50),
    ...latencyPanel(results, configs, 50 + PANEL_HEIGHT),
    "</svg>",
    "",
  ].join("\n");
}
