// Accepts TCP connections and hands each to the server as a Connection: the
// socket tuned for chat, then the byte-stream connection over it. With TLS on,
// a connection that opens with a ClientHello is decrypted first, and its
// decrypted stream goes the same way.

import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { CodecRegistry, HandOffKind } from "./codec-registry.js";
import type { Connection } from "./connection.js";
import { ConnectionCaps, type ConnectionLimits } from "./connection-caps.js";
import { nativeCodecKind } from "./native-codec.js";
import { plaintextRefusal } from "./plaintext-refusal.js";
import { StreamConnection } from "./stream-connection.js";
import { TextCodec } from "./text-codec.js";
import { TlsHandOff, type TlsOptions, tlsUnavailable } from "./tls-kind.js";

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
  /** Caps on open connections, past which a new one is told why in a line and closed. */
  limits: ConnectionLimits;
  /** TLS on the same port, for every kind of peer; without it a ClientHello is closed. */
  tls?: TlsListenOptions;
}

export interface TlsListenOptions extends TlsOptions {
  /** Plaintext peers are served beside TLS ones, rather than told to use TLS. */
  allowPlaintext: boolean;
}

export interface TcpListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export function listenTcp(
  options: TcpListenOptions,
  accept: (connection: Connection) => void,
): Promise<TcpListener> {
  const chat: CodecRegistry = {
    kinds: [...options.handOffs, nativeCodecKind],
    fallback: { create: () => new TextCodec(options.maxLineBytes) },
  };
  const open = (stream: Duplex, remoteAddress: string | undefined, codecs: CodecRegistry) => {
    const address = remoteAddress ?? "unknown";
    const connectionOptions = {
      codecs,
      fallbackDelayMs: options.textWelcomeDelayMs,
      longerSilence: () => options.longerSilenceFor?.(address) ?? 0,
      closeGraceMs: options.closeGraceMs,
    };
    accept(new StreamConnection(stream, address, connectionOptions));
  };
  // The TLS socket's address is its TCP connection's.
  const tls =
    options.tls &&
    new TlsHandOff(options.tls, (socket) => open(socket, socket.remoteAddress, chat));
  const tcp = tcpCodecs(chat, tls, options);
  const caps = new ConnectionCaps(options.limits);
  const server: Server = createServer({ noDelay: true }, (socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const refusal = caps.admit(address);
    if (refusal !== undefined) {
      refuse(socket, refusal, options.closeGraceMs);
      return;
    }
    socket.once("close", () => caps.release(address));
    // Text clients answer no pings: keepalive is what finds them gone.
    socket.setKeepAlive(true, options.keepAliveMs);
    open(socket, address, tcp);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        address: server.address() as AddressInfo,
        close: () => {
          tls?.dropHandshakes();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

/**
 * Says why in a line, before knowing what the peer speaks (a person at netcat
 * reads it; a client reads it as the reason the connection closed), and lets go.
 */
function refuse(socket: Socket, reason: string, closeGraceMs: number): void {
  socket.resume();
  socket.end(`* ${reason}\r\n`);
  setTimeout(() => socket.destroy(), closeGraceMs).unref();
}

/** What a TCP connection may speak: TLS first where it is on, then plaintext chat unless refused. */
function tcpCodecs(
  chat: CodecRegistry,
  tls: TlsHandOff | undefined,
  options: TcpListenOptions,
): CodecRegistry {
  if (tls === undefined) return { ...chat, kinds: [tlsUnavailable, ...chat.kinds] };
  if (options.tls?.allowPlaintext) return { ...chat, kinds: [tls, ...chat.kinds] };
  return plaintextRefusal(tls, options.closeGraceMs);
}
