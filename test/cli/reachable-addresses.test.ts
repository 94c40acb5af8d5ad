import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { NetworkInterfaceInfo } from "node:os";
import { describe, it } from "node:test";
import { isLoopback, reachableAddresses } from "../../src/cli/reachable-addresses.js";

function entry(address: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(":") ? "IPv6" : "IPv4";
  const common = { address, netmask: "", mac: "00:00:00:00:00:00", internal, cidr: null };
  return family === "IPv6" ? { ...common, family, scopeid: 0 } : { ...common, family };
}

const interfaces = {
  lo: [entry("127.0.0.1", true), entry("::1", true)],
  eth0: [entry("192.168.1.20"), entry("fe80::1c2:ff:fe00:1"), entry("2001:db8::20")],
  wlan0: [entry("10.0.0.7")],
};

const listening = (address: string): AddressInfo => ({
  address,
  family: address.includes(":") ? "IPv6" : "IPv4",
  port: 8081,
});

describe("reachableAddresses", () => {
  it("names this machine's IPv4 addresses for 0.0.0.0, those other machines can use first", () => {
    assert.deepEqual(reachableAddresses(listening("0.0.0.0"), interfaces), [
      "192.168.1.20",
      "10.0.0.7",
      "127.0.0.1",
    ]);
  });

  it("names IPv6 and IPv4 ones for ::, leaving out link-local addresses", () => {
    assert.deepEqual(reachableAddresses(listening("::"), interfaces), [
      "192.168.1.20",
      "2001:db8::20",
      "10.0.0.7",
      "127.0.0.1",
      "::1",
    ]);
  });

  it("names a specific address as it is, and the wildcard when the machine lists none", () => {
    assert.deepEqual(reachableAddresses(listening("192.168.1.20"), interfaces), ["192.168.1.20"]);
    assert.deepEqual(reachableAddresses(listening("0.0.0.0"), {}), ["0.0.0.0"]);
  });

  it("tells loopback addresses from the rest", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])
      assert.ok(isLoopback(address), address);
    for (const address of ["0.0.0.0", "::", "192.168.1.20", "2001:db8::20"])
      assert.ok(!isLoopback(address), address);
  });
});
