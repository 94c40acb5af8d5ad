// Parses the `connect` target: host, host:port, :port, [v6]:port.

import { DEFAULT_PORT } from "../server/config.js";

export interface Target {
  host: string;
  port: number;
}

const DEFAULT_HOST = "127.0.0.1";

export function parseTarget(text: string | undefined): Target {
  if (text === undefined || text === "") return { host: DEFAULT_HOST, port: DEFAULT_PORT };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: parsePort(bracketed[2]) };
  const colons = text.split(":").length - 1;
  if (colons > 1) return { host: text, port: DEFAULT_PORT }; // a bare IPv6 address
  const [host = "", port] = text.split(":");
  return { host: host === "" ? DEFAULT_HOST : host, port: parsePort(port) };
}

export function parsePort(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`invalid port: ${text}`);
  return port;
}
