// Dials a sockchat server over a browser WebSocket. The messages each way,
// joined, are the native protocol's byte stream (docs/protocol.md): the
// handshake, then frames, cut anywhere. A WebSocket cannot say when it has
// drained, so the stream has no onDrain and the client core looks at
// bufferedAmount while an upload waits for room.

import type { ByteStream, Dial } from "../byte-stream.js";

/** The largest message the server takes; a longer write leaves in several. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** A browser waits for an unanswered connect as long as the OS does; this says so sooner. */
const CONNECT_TIMEOUT_MS = 10_000;
const NO_CONNECTION = "no connection (is the server running? is the address right?)";

/** What the stream uses of a browser WebSocket, so that a test can hand it a fake. */
export interface WebSocketLike {
  binaryType: BinaryType;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

export interface WebSocketDialOptions {
  connectTimeoutMs?: number;
  /** Opens the socket; the browser's WebSocket by default. */
  open?: (url: string) => WebSocketLike;
}

/** `ws://host/chat`, or `wss://` for a page served over https. */
export function chatSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/chat`;
}

export function webSocketDial(url: string, options: WebSocketDialOptions = {}): Dial {
  const { connectTimeoutMs = CONNECT_TIMEOUT_MS, open = (at) => new WebSocket(at) } = options;
  return () =>
    new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = open(url);
      } catch (error) {
        // A malformed URL, or a port the browser refuses to use.
        reject(
          new Error(`cannot connect to ${url}: ${(error as Error).message}`, { cause: error }),
        );
        return;
      }
      socket.binaryType = "arraybuffer";
      const timer = setTimeout(() => {
        socket.onclose = null;
        socket.close();
        reject(new Error(`cannot connect to ${url}: no answer in ${connectTimeoutMs / 1000} s`));
      }, connectTimeoutMs);
      // A browser tells a script nothing of why a connect failed (no refused, no unknown host).
      socket.onclose = (event) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${url}: ${closeReason(event, NO_CONNECTION)}`));
      };
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(openStream(socket));
      };
    });
}

function openStream(socket: WebSocketLike): ByteStream {
  // What arrives before the client core listens waits here.
  const early: Uint8Array[] = [];
  let received = (bytes: Uint8Array) => {
    early.push(bytes);
  };
  let closed = (_reason: string) => {};
  let textSeen = false;
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) {
      received(new Uint8Array(event.data));
      return;
    }
    // The server speaks binary only; text would be no part of the byte stream.
    textSeen = true;
    socket.close(1003, "binary messages only");
  };
  socket.onclose = (event) => {
    closed(textSeen ? "the server sent a text message" : closeReason(event, "connection lost"));
  };
  return {
    write: (bytes) => {
      if (bytes.length <= MAX_MESSAGE_BYTES) {
        socket.send(bytes);
        return;
      }
      for (let at = 0; at < bytes.length; at += MAX_MESSAGE_BYTES) {
        socket.send(bytes.subarray(at, at + MAX_MESSAGE_BYTES));
      }
    },
    get bufferedBytes() {
      return socket.bufferedAmount;
    },
    close: () => socket.close(1000),
    listen: (handlers) => {
      received = handlers.data;
      closed = handlers.close;
      for (const bytes of early.splice(0)) handlers.data(bytes);
    },
  };
}

/**
 * Why a WebSocket closed, for a person: the server's reason when it gave one,
 * else the words for its close code (RFC 6455 §7.4); `unclean` when the
 * connection simply broke (1006, which carries no reason).
 */
export function closeReason(
  event: { code: number; reason: string; wasClean?: boolean },
  unclean: string,
): string {
  const words = CLOSE_CODES[event.code];
  if (event.reason !== "") return words === undefined ? event.reason : `${words}: ${event.reason}`;
  if (event.code === 1006 || event.wasClean === false) return unclean;
  return words ?? `closed with code ${event.code}`;
}

const CLOSE_CODES: Record<number, string> = {
  1000: "connection closed",
  1001: "the server is going away",
  1002: "protocol error",
  1003: "message type not accepted",
  1007: "invalid message data",
  1008: "refused by the server",
  1009: "message too big",
  1011: "server error",
  1012: "the server is restarting",
  1013: "the server is busy, try again later",
  1015: "secure connection failed",
};
