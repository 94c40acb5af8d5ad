// `sockchat serve`: runs a server in the foreground until SIGINT or SIGTERM.

import { ChatServer } from "../server/chat-server.js";
import type { ServerConfig } from "../server/config.js";
import { startConsoleLog } from "../server/console-log.js";

export async function serve(config: ServerConfig, options: { quiet: boolean }): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const stopLog = startConsoleLog({ quiet: options.quiet, write });
  const server = new ChatServer(config);
  let address: Awaited<ReturnType<ChatServer["start"]>>;
  try {
    address = await server.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "EADDRINUSE" ? " (is another server running? try --port)" : "";
    process.stderr.write(
      `sockchat: cannot listen on ${config.host}:${config.port}: ${code ?? error}${hint}\n`,
    );
    process.exit(1);
  }
  const where =
    address.family === "IPv6"
      ? `[${address.address}]:${address.port}`
      : `${address.address}:${address.port}`;
  write(`sockchat listening on ${where}`);
  write(`  connect:  npx sockchat connect ${where}`);
  write(`       or:  nc ${address.address} ${address.port}`);

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
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
