// `sockchat serve`: runs a server in the foreground until SIGINT or SIGTERM;
// with TLS, SIGHUP reads its certificate and key again.

import { hostPort } from "../client/node/tcp-dial.js";
import { ChatServer } from "../server/chat-server.js";
import type { ServerConfig } from "../server/config.js";
import { startConsoleLog } from "../server/console-log.js";
import { selfSignedFiles } from "../server/self-signed.js";
import { TlsCredentialsError } from "../server/tls-credentials.js";
import { StoreOpenError } from "../store/store.js";
import { isLoopback, reachableAddresses } from "./reachable-addresses.js";

export interface ServeOptions {
  quiet: boolean;
  /** Speak TLS with the data directory's own certificate, made on first use. */
  selfSigned: boolean;
}

export async function serve(config: ServerConfig, options: ServeOptions): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (options.selfSigned) {
    try {
      const { files, made } = await selfSignedFiles(config.dataDir);
      if (made) write(`made a self-signed certificate: ${files.certFile}`);
      config = { ...config, tls: files };
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      fail(`cannot make a self-signed certificate in ${config.dataDir}: ${code ?? message}`);
    }
  }
  const stopLog = startConsoleLog({ quiet: options.quiet, write });
  const server = new ChatServer(config);
  let address: Awaited<ReturnType<ChatServer["start"]>>;
  try {
    address = await server.start();
  } catch (error) {
    if (error instanceof StoreOpenError || error instanceof TlsCredentialsError)
      fail(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "EADDRINUSE" ? " (is another server running? try --port)" : "";
    fail(`cannot listen on ${config.host}:${config.port}: ${code ?? error}${hint}`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    write(`${signal}: shutting down`);
    server.stop().then(() => {
      stopLog();
      process.exit(0);
    });
  };
  // Before anything is printed: whoever reads that it listens may stop it at once.
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  const tls = server.tls;
  if (tls !== undefined) {
    process.on("SIGHUP", () => {
      try {
        write(`SIGHUP: TLS certificate reloaded, SHA-256 fingerprint ${tls.reload()}`);
      } catch (error) {
        process.stderr.write(
          `sockchat: SIGHUP: TLS certificate not reloaded, still ${tls.fingerprint}: ${(error as Error).message}\n`,
        );
      }
    });
  }

  const { port } = address;
  const scheme =
    tls === undefined
      ? ""
      : ` (${config.allowPlaintext ? "TLS or plaintext" : "TLS"}, SHA-256 fingerprint ${tls.fingerprint})`;
  write(`sockchat listening on ${hostPort(address.address, port)}${scheme}`);
  const reachable = reachableAddresses(address);
  const first = reachable[0] as string;
  const connect = tls === undefined ? "connect" : "connect --tls";
  for (const [i, host] of reachable.entries())
    write(
      `${i === 0 ? "  connect:" : "          "}  npx sockchat ${connect} ${hostPort(host, port)}`,
    );
  if (tls !== undefined)
    write(`       or:  openssl s_client -quiet -connect ${hostPort(first, port)}`);
  if (tls === undefined || config.allowPlaintext) write(`       or:  nc ${first} ${port}`);
  write(`   or open:  http${tls === undefined ? "" : "s"}://${hostPort(first, port)}/`);
  if (!isLoopback(address.address)) {
    const unprotected =
      tls === undefined
        ? "there is no encryption and no password yet"
        : `${config.allowPlaintext ? "plaintext is allowed, and " : ""}there is no password yet`;
    process.stderr.write(
      `sockchat: warning: open to the network: anyone who can reach this machine on port ${port} can join,\n` +
        `sockchat: and ${unprotected} (--host 127.0.0.1 keeps it to this machine)\n`,
    );
  }
}

/** A one-line reason, and exit 1. */
function fail(line: string): never {
  process.stderr.write(`sockchat: ${line}\n`);
  return process.exit(1);
}
