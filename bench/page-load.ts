// How long the browser page takes to show a conversation. A fresh server's
// lobby is given a history by a native client, which then leaves; Chromium
// opens http://127.0.0.1:<port>/, the nickname is filled in and submitted as
// soon as the form is there, and the load is over when the first history
// line replayed to the page is painted. An init script does the filling in
// and takes the times inside the page (ms since navigation start): driven
// through Playwright instead, its round trips and actionability checks put
// 80-150 ms between the form and the submit. Cold loads each get a fresh
// browser context (empty cache, nothing stored); warm loads share one context
// that has loaded the page once already.

import type { Browser, BrowserContext } from "playwright-core";
import { ChatClient } from "../src/client/chat-client.js";
import { tcpDial } from "../src/client/node/tcp-dial.js";
import { DEFAULT_ROOM } from "../src/protocol/rooms.js";
import { launchChromium } from "../tools/chromium.js";
import type { PageLoadConfig, PageLoadResult, PageLoadTiming } from "./results.js";
import { startTarget } from "./start-target.js";
import { failure, type Target } from "./targets/target.js";

/** Every history line says this, so the page's first one is known when it shows. */
const HISTORY_MARKER = "history line";
const LOAD_TIMEOUT_MS = 30_000;
const LOG_NAME = `Chat in ${DEFAULT_ROOM}`;

/** What the page records, in ms since its navigation started. */
interface PageMarks {
  form?: number;
  submitted?: number;
  shown?: number;
  line?: string;
}

interface JoinPlan {
  nick: string;
  marker: string;
  logName: string;
}

/**
 * Runs in the page before its own script (serialized by Playwright: it may use
 * nothing from this module). As soon as the nickname form appears, fills it in
 * and clicks "Join the chat"; marks that moment, the submit, and the frame in
 * which the first history line is painted.
 */
function joinAndMark({ nick, marker, logName }: JoinPlan): void {
  const marks: PageMarks = {};
  (globalThis as unknown as { pageLoadMarks: PageMarks }).pageLoadMarks = marks;
  const join = (): boolean => {
    const label = Array.from(document.querySelectorAll("label")).find(
      (l) => l.textContent === "Nickname",
    );
    const button = Array.from(document.querySelectorAll("button")).find(
      (b) => b.textContent === "Join the chat",
    );
    const input = label?.control;
    if (!(input instanceof HTMLInputElement) || button === undefined) return false;
    marks.form = performance.now();
    input.value = nick;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    // The page renders the typed nickname in a microtask; its submit reads what was rendered.
    setTimeout(() => button.click(), 0);
    return true;
  };
  const observer = new MutationObserver(() => {
    if (marks.form === undefined && !join()) return;
    if (marks.line !== undefined) return;
    const lines = Array.from(document.querySelectorAll(`[role="log"][aria-label="${logName}"] li`));
    const first = lines.find((li) => li.textContent?.includes(marker));
    if (first === undefined) return;
    marks.line = first.textContent ?? "";
    observer.disconnect();
    // The frame about to be painted holds the line.
    requestAnimationFrame(() => {
      marks.shown = performance.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true });
  document.addEventListener(
    "submit",
    () => {
      marks.submitted = performance.now();
    },
    true,
  );
}

async function seedHistory(port: number, lines: number): Promise<void> {
  const client = new ChatClient({
    dial: tcpDial("127.0.0.1", port),
    nick: "historian",
    clientName: "sockchat-bench-page",
  });
  await client.connect();
  await Promise.all(
    Array.from({ length: lines }, (_, i) =>
      client.send({ type: "say", text: `${HISTORY_MARKER} ${i + 1} of ${lines}` }),
    ),
  );
  await client.close();
}

/** One load in `context`, as a new page that is closed after. */
async function loadOnce(
  context: BrowserContext,
  url: string,
  nick: string,
): Promise<{ timing: PageLoadTiming; line: string }> {
  const page = await context.newPage();
  page.setDefaultTimeout(LOAD_TIMEOUT_MS);
  try {
    const plan: JoinPlan = { nick, marker: HISTORY_MARKER, logName: LOG_NAME };
    await page.addInitScript(joinAndMark, plan);
    await page.goto(url, { waitUntil: "commit" });
    const marks = (await (
      await page.waitForFunction(() => {
        const m = (globalThis as unknown as { pageLoadMarks: PageMarks }).pageLoadMarks;
        return m.shown === undefined ? undefined : m;
      })
    ).jsonValue()) as PageMarks;
    const { form, submitted, shown } = marks;
    if (form === undefined || submitted === undefined || shown === undefined) {
      throw new Error(`the page recorded too little: ${JSON.stringify(marks)}`);
    }
    return {
      timing: { interactiveMs: form, joinToLineMs: shown - submitted, totalMs: shown },
      line: marks.line ?? "",
    };
  } finally {
    await page.close();
  }
}

export async function runPageLoad(config: PageLoadConfig): Promise<PageLoadResult> {
  const result: PageLoadResult = {
    kind: "page-load",
    config,
    browser: "",
    cold: [],
    warm: [],
    firstLine: "",
  };
  let target: Target | undefined;
  let browser: Browser | undefined;
  try {
    target = await startTarget("sockchat", { connections: 16 });
    await seedHistory(target.port, config.historyLines);
    browser = await launchChromium();
    result.browser = browser.version();
    const url = `http://127.0.0.1:${target.port}/`;
    for (let i = 1; i <= config.coldLoads; i++) {
      const context = await browser.newContext();
      try {
        const load = await loadOnce(context, url, `cold-${i}`);
        result.cold.push(load.timing);
        result.firstLine = load.line;
      } finally {
        await context.close();
      }
    }
    const context = await browser.newContext();
    try {
      // Fills the context's cache; not counted.
      await loadOnce(context, url, "warm-0");
      for (let i = 1; i <= config.warmLoads; i++) {
        const load = await loadOnce(context, url, `warm-${i}`);
        result.warm.push(load.timing);
        result.firstLine = load.line;
      }
    } finally {
      await context.close();
    }
  } catch (error) {
    result.error = failure(error, target);
  } finally {
    await browser?.close();
    await target?.stop();
  }
  return result;
}
