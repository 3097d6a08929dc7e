import { describe, expect, it } from "vitest";
import { cidrContains, findHostNetworks } from "../../../src/agent/fingerprint/hostnetworks.js";

describe("host networks found on the host", () => {
  it("tells whether an IPv4 address is in a CIDR", () => {
    expect(cidrContains("10.0.0.0/8", "10.200.3.4")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(cidrContains("192.0.2.2/32", "192.0.2.2")).toBe(true);
    expect(cidrContains("192.0.2.0/31", "192.0.2.2")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "8.8.8.8")).toBe(true);
    expect(cidrContains("not-a-cidr", "8.8.8.8")).toBe(false);
  });

  it("offers each address matching a network's CIDRs and interface under its name, and names the networks with none", () => {
    const found = findHostNetworks(
      {
        public: { cidr: "203.0.113.0/24", reservedPorts: "22" },
        internal: { interface: "eth1" },
        both: { cidr: "198.51.100.0/24,10.1.0.0/16", interface: "eth1" },
        nowhere: { cidr: "172.16.0.0/12" },
      },
      {
        eth0: [
          { address: "203.0.113.7", family: "IPv4" },
          { address: "2001:db8::1", family: "IPv6" },
        ],
        eth1: [{ address: "10.1.2.3", family: "IPv4" }],
      },
    );
    expect(found.networks).toEqual([
      {
        mode: "host",
        device: "eth0",
        addresses: [
          { family: "ipv4", alias: "public", address: "203.0.113.7", reservedPorts: "22" },
        ],
      },
      {
        mode: "host",
        device: "eth1",
        addresses: [
          { family: "ipv4", alias: "internal", address: "10.1.2.3" },
          { family: "ipv4", alias: "both", address: "10.1.2.3" },
        ],
      },
    ]);
    expect(Object.keys(found.hostNetworks)).toEqual(["both", "internal", "public"]);
    expect(found.hostNetworks.public).toEqual({ cidr: "203.0.113.0/24", reservedPorts: "22" });
    expect(found.missing).toEqual(["nowhere"]);
  });
});
