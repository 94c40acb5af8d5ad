// Accepts TCP connections and hands each to the server as a Connection: the
// socket tuned for chat, then the byte-stream connection over it.

import { type AddressInfo, createServer, type Server } from "node:net";
import type { HandOffKind } from "./codec-registry.js";
import type { Connection } from "./connection.js";
import { nativeCodecKind } from "./native-codec.js";
import { StreamConnection } from "./stream-connection.js";
import { TextCodec } from "./text-codec.js";

export interface TcpListenOptions {
  host: string;
  port: number;
  /** Bounds what a text connection buffers while waiting for a newline. */
  maxLineBytes: number;
  /** How long a silent new connection waits before being welcomed as a text client. */
  textWelcomeDelayMs: number;
  /** Asked once that wait is over: how much longer a silent peer from `address` is waited for. */
  longerSilenceFor?: (address: string) => number;
  /** How long a closing connection may take to flush before it is destroyed. */
  closeGraceMs: number;
  keepAliveMs: number;
  /** Peers that are no chat connections, told apart by their first bytes (HTTP). */
  handOffs: readonly HandOffKind[];
}

export interface TcpListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export function listenTcp(
  options: TcpListenOptions,
  accept: (connection: Connection) => void,
): Promise<TcpListener> {
  const codecs = {
    kinds: [...options.handOffs, nativeCodecKind],
    fallback: { create: () => new TextCodec(options.maxLineBytes) },
  };
  const server: Server = createServer({ noDelay: true }, (socket) => {
    // Text clients answer no pings: keepalive is what finds them gone.
    socket.setKeepAlive(true, options.keepAliveMs);
    const address = socket.remoteAddress ?? "unknown";
    accept(
      new StreamConnection(socket, address, {
        codecs,
        fallbackDelayMs: options.textWelcomeDelayMs,
        longerSilence: () => options.longerSilenceFor?.(address) ?? 0,
        closeGraceMs: options.closeGraceMs,
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        address: server.address() as AddressInfo,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
