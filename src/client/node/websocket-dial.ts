// Dials sockchat's WebSocket (`/chat`, protocol.md §16) from Node with the
// `ws` client: the native byte stream as binary messages, one per write, as a
// browser's page sends one per turn. What arrives is handed on as bytes,
// however the server split or joined its frames; messages that come before
// the client listens are kept for it.

import WebSocket from "ws";
import type { ByteStream, Dial } from "../byte-stream.js";

export interface WebSocketDialOptions {
  /** Sent as the Origin header, as a page would; none by default (clients outside a browser send none). */
  origin?: string;
  /** For wss://, trust only what this CA (PEM) vouches for, rather than the system's CAs. */
  ca?: string | Buffer;
}

export function websocketDial(url: string, options: WebSocketDialOptions = {}): Dial {
  return () =>
    new Promise((resolve, reject) => {
      const headers = options.origin === undefined ? {} : { Origin: options.origin };
      // The server takes no extension (protocol.md §16): offering deflate would only cost a header.
      const ws = new WebSocket(url, { headers, perMessageDeflate: false, ca: options.ca });
      const early: Uint8Array[] = [];
      let received = (bytes: Uint8Array) => {
        early.push(bytes);
      };
      let closedEarly: string | undefined;
      let closed = (reason: string) => {
        closedEarly = reason;
      };
      let closeReason = "";
      ws.on("message", (data: Buffer) => received(data));
      ws.on("error", (error) => {
        closeReason = error.message;
        reject(new Error(`cannot connect to ${url}: ${error.message}`, { cause: error }));
      });
      ws.once("open", () => {
        ws.on("close", (code, reason) =>
          closed(closeReason || reason.toString() || `WebSocket closed (${code})`),
        );
        const stream: ByteStream = {
          write: (bytes) => ws.send(bytes, { binary: true }),
          get bufferedBytes() {
            return ws.bufferedAmount;
          },
          close: () => ws.close(),
          listen: (handlers) => {
            received = handlers.data;
            closed = handlers.close;
            for (const bytes of early.splice(0)) handlers.data(bytes);
            if (closedEarly !== undefined) handlers.close(closedEarly);
          },
        };
        resolve(stream);
      });
    });
}
