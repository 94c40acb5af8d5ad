// The chat page in a real Chromium, driven as a person would: by the labels on
// the page (the nickname box, "Message", "Send a file", the rooms' buttons),
// reading what the page shows in its conversations' logs.

import { after } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { launchChromium } from "../../tools/chromium.js";

const browsers = new Set<Browser>();
after(async () => {
  await Promise.all([...browsers].map((browser) => browser.close()));
});

/** A Chromium closed when the test file ends, whatever happened in it. */
export async function startBrowser(): Promise<Browser> {
  const browser = await launchChromium();
  browsers.add(browser);
  return browser;
}

/** How the page is seen: the window's size, the system's colour scheme, a phone's touch screen. */
export interface Look {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  phone?: boolean;
}

export class ChatPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly nick: string;
  /** Errors the page reported: uncaught exceptions and console errors (a CSP violation is one). */
  readonly problems: string[] = [];

  private constructor(context: BrowserContext, page: Page, nick: string) {
    this.context = context;
    this.page = page;
    this.nick = nick;
    page.on("pageerror", (error) => this.problems.push(`uncaught: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") this.problems.push(`console: ${message.text()}`);
    });
  }

  /** Opens the page at the server on `port` in a context of its own and joins as `nick`. */
  static async join(
    browser: Browser,
    port: number,
    nick: string,
    look: Look = {},
  ): Promise<ChatPage> {
    const context = await browser.newContext({
      viewport: look.viewport ?? { width: 1280, height: 800 },
      colorScheme: look.colorScheme ?? "light",
      isMobile: look.phone === true,
      hasTouch: look.phone === true,
      acceptDownloads: true,
    });
    const chat = new ChatPage(context, await context.newPage(), nick);
    await chat.page.goto(`http://127.0.0.1:${port}/`);
    await chat.page.getByRole("textbox", { name: "Nickname" }).fill(nick);
    await chat.page.getByRole("button", { name: "Join the chat" }).click();
    await chat.connected();
    return chat;
  }

  /** Resolves once the page says it is connected under its nickname. */
  async connected(timeout = 15_000): Promise<void> {
    await this.status()
      .filter({ hasText: `connected as ${this.nick}` })
      .waitFor({ timeout });
  }

  status(): Locator {
    return this.page.getByRole("status");
  }

  messageBox(): Locator {
    return this.page.getByRole("textbox", { name: "Message" });
  }

  /** Types `text` into the message box and presses Enter. */
  async say(text: string): Promise<void> {
    const box = this.messageBox();
    await box.fill(text);
    await box.press("Enter");
  }

  /** The log of conversation `name` (a room such as "#lobby", or a nickname). */
  log(name: string): Locator {
    return this.page.getByRole("log", { name: `Chat in ${name}` });
  }

  /** The conversation's button in the sidebar (its name, and an unread count when there is one). */
  conversation(name: string): Locator {
    return this.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("button", { name, exact: true });
  }

  /** Someone in the list of people online, a button that opens a private talk. */
  person(nick: string): Locator {
    return this.page
      .getByRole("complementary", { name: "People online" })
      .getByRole("button", { name: nick, exact: true });
  }

  /** The chat lines `name`'s log shows, in the order shown, each as `<nick> text` (`<nick> *text*` for an action). */
  chatLines(name: string): Promise<string[]> {
    return this.log(name)
      .locator("li.chat")
      .evaluateAll((items) =>
        items.map((item) => {
          const nick = item.querySelector(":scope > .nick")?.textContent ?? "";
          const text = item.querySelector(":scope > .text")?.textContent ?? "";
          return `${nick} ${text}`;
        }),
      );
  }

  /** Resolves once `name`'s log shows at least `count` chat lines confirmed by the server. */
  async waitForChatLines(name: string, count: number, timeout = 30_000): Promise<void> {
    await this.log(name)
      .locator("li.chat:not(.sending)")
      .nth(count - 1)
      .waitFor({ timeout });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
