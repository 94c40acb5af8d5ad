// The server certificates this user trusted on first use, as ssh keeps host
// keys: one `host:port fingerprint` a line (the certificate's SHA-256, as
// `AB:CD:…`) in $XDG_CONFIG_HOME/sockchat/known_hosts, by default
// ~/.config/sockchat/known_hosts. A server met for the first time is pinned;
// one that later shows another certificate is refused until its line goes.

import { appendFile, mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

export interface Pin {
  /** `host:port`, an IPv6 host in brackets. */
  server: string;
  fingerprint: string;
  /** Its line in the file, from 1, for the person who has to remove it. */
  line: number;
}

export type PinCheck =
  | { verdict: "new" }
  | { verdict: "pinned" }
  | { verdict: "changed"; pin: Pin };

/** Where the pins are kept; a relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
export function knownHostsFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME;
  const base = config !== undefined && isAbsolute(config) ? config : join(homedir(), ".config");
  return join(base, "sockchat", "known_hosts");
}

/** The pins in a file's text; blank lines, `#` comments and lines of another shape are passed over. */
export function parseKnownHosts(text: string): Pin[] {
  const pins: Pin[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    const fields = line.trim().split(/\s+/);
    const [server, fingerprint] = fields;
    if (fields.length !== 2 || server === undefined || fingerprint === undefined) continue;
    if (server.startsWith("#")) continue;
    pins.push({ server, fingerprint, line: i + 1 });
  }
  return pins;
}

/** Whether `fingerprint` is the one pinned for `server`: any of its pins will do, as in ssh. */
export function checkPin(pins: readonly Pin[], server: string, fingerprint: string): PinCheck {
  const own = pins.filter((pin) => pin.server === server);
  const first = own[0];
  if (first === undefined) return { verdict: "new" };
  if (own.some((pin) => sameFingerprint(pin.fingerprint, fingerprint)))
    return { verdict: "pinned" };
  return { verdict: "changed", pin: first };
}

function sameFingerprint(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

/** What a changed certificate is refused with: loud, as it may be an attack, and saying how to accept it if not. */
export function changedCertificateWarning(
  server: string,
  pin: Pin,
  offered: string,
  file: string,
): string {
  const banner = `@  WARNING: THE CERTIFICATE OF ${server} HAS CHANGED!  @`;
  const rule = "@".repeat(banner.length);
  return [
    "its certificate is not the one pinned for it",
    rule,
    banner,
    rule,
    "Someone may be intercepting this connection (a man-in-the-middle attack),",
    "or the server may have been given a new certificate.",
    `  pinned:   SHA-256 ${pin.fingerprint}`,
    `  offered:  SHA-256 ${offered}`,
    `If you know the new certificate is the server's, remove line ${pin.line} of`,
    `${file} and connect again. Not connecting.`,
  ].join("\n");
}

export class KnownHosts {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async check(server: string, fingerprint: string): Promise<PinCheck> {
    return checkPin(parseKnownHosts(await this.#text()), server, fingerprint);
  }

  async pin(server: string, fingerprint: string): Promise<void> {
    const text = await this.#text();
    await mkdir(dirname(this.file), { recursive: true });
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    await appendFile(this.file, `${separator}${server} ${fingerprint}\n`, { mode: 0o600 });
  }

  async #text(): Promise<string> {
    try {
      return await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
      throw error;
    }
  }
}
