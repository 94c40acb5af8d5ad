// Dials a sockchat server over TCP from Node, and any socket the same way (TLS
// is one). A dial that fails says where it tried and why in words, with a hint
// where one helps: "cannot connect to 127.0.0.1:1: connection refused (is the
// server running?)", not ECONNREFUSED.

import { connect, type Socket } from "node:net";
import { ReadSizes } from "../../node/read-sizes.js";
import { unfilledBytes } from "../../node/unfilled-bytes.js";
import type { ByteStream, Dial } from "../byte-stream.js";

/** Without it a dropped SYN would leave `connect` waiting for the kernel's retries, over two minutes. */
export const CONNECT_TIMEOUT_MS = 10_000;
const NO_ANSWER_HINT = "(is the address right? is a firewall in the way?)";

export function tcpDial(
  host: string,
  port: number,
  { connectTimeoutMs = CONNECT_TIMEOUT_MS } = {},
): Dial {
  return () =>
    dialSocket(hostPort(host, port), connectTimeoutMs, {
      ready: "connect",
      open: (received) => {
        const sizes = new ReadSizes();
        return connect({
          host,
          port,
          noDelay: true,
          // Reads into buffers we size (see ReadSizes); each is fresh, as frames are handed on as views.
          onread: {
            buffer: () => unfilledBytes(sizes.next),
            callback: (length, buffer) => {
              sizes.observe(length, buffer.length);
              received(buffer.subarray(0, length));
              return true;
            },
          },
        });
      },
    });
}

/** How one kind of socket is opened and made ready for chat. */
export interface SocketDialing<S extends Socket> {
  /** Opens the socket, handing every byte it reads to `received`. */
  open(received: (bytes: Uint8Array) => void): S;
  /** The event after which the socket carries chat: `connect`, or `secureConnect` for TLS. */
  ready: "connect" | "secureConnect";
  /** Looks at the ready socket (its certificate, say); rejects with the reason it must not be used. */
  check?(socket: S): Promise<void>;
  /** What a failure before the socket was ready means; `connected`: TCP had connected. */
  problem?(error: NodeJS.ErrnoException, connected: boolean): string;
}

/** Dials as `dialing` says, resolving with the ready socket as a ByteStream. */
export function dialSocket<S extends Socket>(
  where: string,
  connectTimeoutMs: number,
  dialing: SocketDialing<S>,
): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    // What arrives before the client listens waits here, and so does a close.
    const early: Uint8Array[] = [];
    let received = (bytes: Uint8Array) => {
      early.push(bytes);
    };
    let closed: ((reason: string) => void) | undefined;
    let closeReason: string | undefined;
    const socket = dialing.open((bytes) => received(bytes));
    let connected = false;
    socket.once("connect", () => {
      connected = true;
    });
    const describe = dialing.problem ?? connectProblem;
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`cannot connect to ${where}: ${describe(error, connected)}`, { cause: error }),
      );
    socket.once("error", failed);
    socket.setTimeout(connectTimeoutMs, () => {
      socket.destroy();
      reject(
        new Error(
          `cannot connect to ${where}: no answer in ${connectTimeoutMs / 1000} s ${NO_ANSWER_HINT}`,
        ),
      );
    });
    socket.once(dialing.ready, async () => {
      socket.setTimeout(0);
      let reason = "connection closed";
      // Heard from here on, as the server may close while the socket is being checked.
      socket.on("close", () => {
        closeReason = reason;
        closed?.(reason);
      });
      try {
        await dialing.check?.(socket);
      } catch (error) {
        socket.destroy();
        reject(
          new Error(`cannot connect to ${where}: ${(error as Error).message}`, { cause: error }),
        );
        return;
      }
      socket.off("error", failed);
      socket.on("error", (error: NodeJS.ErrnoException) => {
        reason = error.code ?? error.message;
      });
      socket.on("end", () => socket.end());
      const stream: ByteStream = {
        write: (bytes) => socket.write(bytes),
        get bufferedBytes() {
          return socket.writableLength;
        },
        close: () => socket.end(),
        allocate: unfilledBytes,
        listen: (handlers) => {
          received = handlers.data;
          for (const bytes of early.splice(0)) handlers.data(bytes);
          closed = handlers.close;
          if (closeReason !== undefined) handlers.close(closeReason);
        },
        onDrain: (listener) => {
          socket.on("drain", listener);
        },
      };
      resolve(stream);
    });
  });
}

/** `host:port`, as `connect` takes it: an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What a failed connect means, for a person: the words for common codes, the message otherwise. */
export function connectProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running?)";
    case "ENOTFOUND":
      return "no such host";
    case "EAI_AGAIN":
      return "cannot look the host up now (is the network up?)";
    case "ETIMEDOUT":
      return `timed out ${NO_ANSWER_HINT}`;
    case "EHOSTUNREACH":
      return "no route to the host (is the address right, and the network up?)";
    case "ENETUNREACH":
      return "network unreachable (is the network up?)";
    case "ECONNRESET":
      return "the connection was reset";
    case "EADDRNOTAVAIL":
      return "address not available (is the address right?)";
    case "EACCES":
    case "EPERM":
      return "not permitted (is a firewall in the way?)";
    default:
      return error.message;
  }
}
