// The browser's connection: a WebSocket on the chat port (`/chat`), carrying
// the native protocol as binary messages. The messages of each direction,
// joined, are exactly the byte stream a TCP client sees (handshake, then
// frames, split or joined anyhow), so the same codec and the same client core
// serve both; the connection over it is the one TCP uses, with its send queue,
// heartbeat and limits. A browser fetches files over HTTP, so it is sent no
// file data.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { Capabilities, Connection } from "./connection.js";
import { NativeCodec, nativeCodecKind } from "./native-codec.js";
import { StreamConnection } from "./stream-connection.js";

export const WEBSOCKET_PATH = "/chat";

const BROWSER_CAPABILITIES: Capabilities = {
  heartbeat: true,
  files: false,
  numberedRequests: true,
};

export interface WebSocketOptions {
  /** The largest message taken: a frame's worth, as a browser splits what it sends. */
  maxMessageBytes: number;
  /** How long a closing connection may take to flush before it is destroyed. */
  closeGraceMs: number;
  /** How long a silent WebSocket is waited for before it is spoken to. */
  silenceMs: number;
}

export type Upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Upgrades requests for WEBSOCKET_PATH from the page's own origin, handing each connection to `accept`. */
export function websocketUpgrade(
  options: WebSocketOptions,
  accept: (connection: Connection) => void,
): Upgrade {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    // Chat lines are small and a file is usually compressed already: deflate would cost more than it saves.
    perMessageDeflate: false,
    clientTracking: false,
  });
  // One object as kind and fallback: a peer silent past the delay is greeted by
  // the fallback, and its handshake must then confirm that codec, not start another
  // (which would send the server's handshake a second time).
  const browserNative = {
    create: () => new NativeCodec(BROWSER_CAPABILITIES),
    recognise: nativeCodecKind.recognise,
  };
  const connectionOptions = {
    codecs: {
      kinds: [browserNative],
      fallback: browserNative,
    },
    fallbackDelayMs: options.silenceMs,
    closeGraceMs: options.closeGraceMs,
  };
  return (request, socket, head) => {
    const refusal = refusalOf(request);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      accept(
        new StreamConnection(stream, request.socket.remoteAddress ?? "unknown", connectionOptions),
      );
    });
  };
}

/** Why the upgrade is refused (a status line), if it is. */
function refusalOf(request: IncomingMessage): string | undefined {
  const path = (request.url ?? "").split("?")[0];
  if (path !== WEBSOCKET_PATH) return "404 Not Found";
  // A page elsewhere must not chat as whoever opens it; clients outside a browser send no Origin.
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, request.headers.host)) return "403 Forbidden";
  return undefined;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
