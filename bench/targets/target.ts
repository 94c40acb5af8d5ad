// A chat server under test, running as its own process.

export interface Target {
  /** "sockchat", "ngircd" or "socketio". */
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** Over TLS: its certificate (PEM) and that file, for clients to trust as the one CA. */
  readonly ca?: { pem: string; file: string };
  /** Last lines it printed, for error messages. */
  tail(): string;
  /** How it ended ("exit code 1", "SIGKILL") once it has; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Why a run failed: the error, whether the server had died, and what it printed last. */
export function failure(error: unknown, target: Target | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  if (target === undefined) return message;
  const exit = target.exited();
  return `${message}${exit === undefined ? "" : ` (the server had exited: ${exit})`}\n${target.tail()}`;
}
