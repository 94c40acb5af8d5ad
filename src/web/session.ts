// The page's connection: the client core over the browser's WebSocket, fed
// into the model, and the browser's side of the model's port: downloads,
// desktop notifications, the nickname remembered for next time.

import { blobFileSource } from "../client/browser/blob-source.js";
import { browserFileSupport } from "../client/browser/sha256-hasher.js";
import { chatSocketUrl, webSocketDial } from "../client/browser/websocket-dial.js";
import { ChatClient } from "../client/chat-client.js";
import { type Alert, ChatModel, type ChatPort } from "./model/chat-model.js";

/** The package's version, put in by the build. */
declare const SOCKCHAT_VERSION: string;

const NICK_KEY = "sockchat.nick";
/** As the terminal client: quick at first, then every 10 s at most. */
const RECONNECT = { initialDelayMs: 500, maxDelayMs: 10_000 };

export function rememberedNick(): string {
  try {
    return localStorage.getItem(NICK_KEY) ?? "";
  } catch {
    return ""; // storage refused (a private window, a policy): nothing remembered
  }
}

export function rememberNick(nick: string): void {
  try {
    localStorage.setItem(NICK_KEY, nick);
  } catch {
    // Not remembered, and the chat goes on.
  }
}

export class Session {
  readonly model: ChatModel;
  readonly #client: ChatClient;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelayMs = 0;
  /** The core retries a connection lost after the dial; this page retries a dial that failed. */
  #coreRetrying = false;

  constructor(nick: string) {
    const port: ChatPort = {
      send: (command) => this.#client.send(command),
      sendFile: (source, signal) => this.#client.sendFile(source, signal),
      cancelFile: (id, reason) => this.#client.cancelFile(id, reason),
      uploadIds: () => this.#client.uploadIds,
      close: () => {
        void this.#client.close();
      },
      download,
      notify: (alert) => this.#notify(alert),
      nickChosen: rememberNick,
      now: () => Date.now(),
    };
    this.model = new ChatModel(port);
    this.#client = new ChatClient({
      dial: webSocketDial(chatSocketUrl(location)),
      nick,
      clientName: `sockchat-web/${SOCKCHAT_VERSION}`,
      reconnect: RECONNECT,
      files: browserFileSupport(),
    });
    this.#client.on("server", (message) => {
      if (message.type === "welcome") {
        this.#coreRetrying = false;
        this.#retryDelayMs = 0;
      }
      this.model.server(message);
    });
    this.#client.on("confirmed", (command) => this.model.confirmed(command));
    this.#client.on("transfer", (event) => this.model.transfer(event));
    this.#client.on("disconnected", (disconnect) => {
      this.#coreRetrying = disconnect.retryInMs !== undefined;
      this.model.disconnected(disconnect);
    });
    document.addEventListener("visibilitychange", () => this.model.setVisible(!document.hidden));
    this.model.setVisible(!document.hidden);
  }

  /** Connects, and keeps trying with backoff while the server cannot be reached. */
  start(): void {
    clearTimeout(this.#retryTimer);
    this.#client.connect().catch((error: Error) => {
      if (this.#coreRetrying) return; // the dial worked and the join failed: the core retries
      this.#retryDelayMs = Math.min(
        RECONNECT.maxDelayMs,
        Math.max(RECONNECT.initialDelayMs, this.#retryDelayMs * 2),
      );
      this.model.disconnected({ reason: error.message, retryInMs: this.#retryDelayMs });
      this.#retryTimer = setTimeout(() => this.start(), this.#retryDelayMs);
    });
  }

  /** Sends files picked, dropped or pasted to the room shown. */
  sendFiles(files: Iterable<File>): void {
    const sources = [...files].map((file) => blobFileSource(file));
    if (sources.length > 0) this.model.sendFiles(sources);
  }

  #notify(alert: Alert): void {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const notification = new Notification(alert.title, { body: alert.body, tag: alert.conv });
    notification.onclick = () => {
      window.focus();
      this.model.open(alert.conv);
      notification.close();
    };
  }
}

/** Downloads `url`; the server sends it as an attachment, so the page stays. */
function download(url: string, name: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}
