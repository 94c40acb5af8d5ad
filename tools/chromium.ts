// The browser the page's tests and the bench drive: Debian's chromium, never a
// downloaded one, headless, with nothing of its own going to the network.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's package puts it; SOCKCHAT_CHROMIUM names another. */
export const CHROMIUM_PATH = process.env.SOCKCHAT_CHROMIUM ?? "/usr/bin/chromium";

const FLAGS = [
  // Containers and CI runners give no user namespaces for the sandbox.
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no browser at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium), or set SOCKCHAT_CHROMIUM to a Chromium's path`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}
