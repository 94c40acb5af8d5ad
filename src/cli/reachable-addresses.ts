// Where people can reach a server from. One listening on a wildcard (0.0.0.0,
// or :: for IPv6 and IPv4) takes connections on every address this machine
// has, and the wildcard itself is no address anyone can connect to: the hints
// name this machine's addresses instead.

import type { AddressInfo } from "node:net";
import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * The addresses a server listening on `listening` can be connected to, those
 * other machines can use first; link-local IPv6 ones are left out, as they
 * need a zone (`%eth0`) that differs from machine to machine.
 */
export function reachableAddresses(
  listening: AddressInfo,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (!WILDCARDS.has(listening.address)) return [listening.address];
  // `::` takes IPv4 as well, unless the system is set to keep them apart.
  const families = listening.address === "::" ? ["IPv4", "IPv6"] : ["IPv4"];
  const usable = Object.values(interfaces)
    .flat()
    .filter((i): i is NetworkInterfaceInfo => i !== undefined && families.includes(i.family))
    .filter((i) => !(i.family === "IPv6" && isLinkLocal(i.address)));
  const addresses = [...usable.filter((i) => !i.internal), ...usable.filter((i) => i.internal)].map(
    (i) => i.address,
  );
  return addresses.length > 0 ? [...new Set(addresses)] : [listening.address];
}

/** Whether only this machine can connect to `address`. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

function isLinkLocal(address: string): boolean {
  return /^fe[89ab]/i.test(address);
}
