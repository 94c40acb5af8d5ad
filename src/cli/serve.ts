// `sockchat serve`: runs a server in the foreground until SIGINT or SIGTERM.

import { hostPort } from "../client/node/tcp-dial.js";
import { ChatServer } from "../server/chat-server.js";
import type { ServerConfig } from "../server/config.js";
import { startConsoleLog } from "../server/console-log.js";
import { StoreOpenError } from "../store/store.js";
import { isLoopback, reachableAddresses } from "./reachable-addresses.js";

export async function serve(config: ServerConfig, options: { quiet: boolean }): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const stopLog = startConsoleLog({ quiet: options.quiet, write });
  const server = new ChatServer(config);
  let address: Awaited<ReturnType<ChatServer["start"]>>;
  try {
    address = await server.start();
  } catch (error) {
    if (error instanceof StoreOpenError) {
      process.stderr.write(`sockchat: ${error.message}\n`);
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "EADDRINUSE" ? " (is another server running? try --port)" : "";
    process.stderr.write(
      `sockchat: cannot listen on ${config.host}:${config.port}: ${code ?? error}${hint}\n`,
    );
    process.exit(1);
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

  const { port } = address;
  write(`sockchat listening on ${hostPort(address.address, port)}`);
  const reachable = reachableAddresses(address);
  for (const [i, host] of reachable.entries())
    write(`${i === 0 ? "  connect:" : "          "}  npx sockchat connect ${hostPort(host, port)}`);
  write(`       or:  nc ${reachable[0]} ${port}`);
  write(`   or open:  http://${hostPort(reachable[0] as string, port)}/`);
  if (!isLoopback(address.address)) {
    process.stderr.write(
      `sockchat: warning: open to the network: anyone who can reach this machine on port ${port} can join,\n` +
        "sockchat: and there is no encryption and no password yet (--host 127.0.0.1 keeps it to this machine)\n",
    );
  }
}
