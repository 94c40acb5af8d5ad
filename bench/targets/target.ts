// A chat server under test, running as its own process.

export interface Target {
  /** "sockchat" or "ngircd". */
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** Last lines it printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}
