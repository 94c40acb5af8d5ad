// Dials a sockchat server over TLS from Node. Its certificate must be one the
// CA given vouches for (`--ca`), else one the system's CAs do; one they do not
// (a self-signed server's) is trusted on first use, as ssh trusts host keys:
// its fingerprint is pinned in known_hosts, and another one later is refused.
// Nothing is sent before the certificate has passed.

import { connect, type TLSSocket } from "node:tls";
import type { Dial } from "../byte-stream.js";
import { changedCertificateWarning, type KnownHosts } from "./known-hosts.js";
import { CONNECT_TIMEOUT_MS, connectProblem, dialSocket, hostPort } from "./tcp-dial.js";

export interface TlsDialOptions {
  /** Trust only what this CA (PEM) vouches for; `file` names it to the user. */
  ca?: { pem: string | Buffer; file: string };
  knownHosts: KnownHosts;
  /** Told when a server's certificate is pinned on first use. */
  pinned?(server: string, fingerprint: string, file: string): void;
  connectTimeoutMs?: number;
}

/** Why a server's certificate is not trusted. */
export class UntrustedCertificateError extends Error {
  override readonly name = "UntrustedCertificateError";
}

export function tlsDial(host: string, port: number, options: TlsDialOptions): Dial {
  const server = hostPort(host, port);
  return () =>
    dialSocket(server, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, {
      ready: "secureConnect",
      open: (received) => {
        // Verified once the handshake is done (see `trust`), as a self-signed one may be pinned.
        const socket = connect({ host, port, ca: options.ca?.pem, rejectUnauthorized: false });
        socket.setNoDelay(true);
        socket.on("data", (chunk: Buffer) =>
          received(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
        );
        return socket;
      },
      check: (socket) => trust(socket, server, options),
      problem: (error, connected) =>
        connected
          ? `the TLS handshake failed: ${connectProblem(error)} (is the server started with --tls?)`
          : connectProblem(error),
    });
}

async function trust(socket: TLSSocket, server: string, options: TlsDialOptions): Promise<void> {
  // Node gives the verification's code (a string), though it is typed as an Error.
  const why = String(socket.authorizationError);
  if (options.ca !== undefined) {
    if (socket.authorized) return;
    throw new UntrustedCertificateError(
      `its certificate is not one the CA in ${options.ca.file} vouches for (${why})`,
    );
  }
  if (socket.authorized) return;
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  const { knownHosts } = options;
  const known = await knownHosts.check(server, fingerprint);
  if (known.verdict === "pinned") return;
  if (known.verdict === "changed") {
    throw new UntrustedCertificateError(
      changedCertificateWarning(server, known.pin, fingerprint, knownHosts.file),
    );
  }
  await knownHosts.pin(server, fingerprint);
  options.pinned?.(server, fingerprint, knownHosts.file);
}
