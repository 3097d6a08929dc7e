// The client's host_network blocks, found on this host as Nomad's network
// fingerprinter finds them: an address belongs to a host network when it is
// in one of the network's CIDRs (comma-separated; any address when none is
// given) and on its interface (any interface when none is given). Each such
// address is offered under the network's name (its alias), so ports asking
// for `host_network = "<name>"` are placed on it. IPv4 only, for now.
import { isIPv4 } from "node:net";
import type { NodeHostNetwork, NodeNetwork } from "../../crds/node.js";

export interface HostNetworkConfig {
  cidr?: string;
  interface?: string;
  reservedPorts?: string;
}

export interface HostNetworkInterface {
  address: string;
  family: string;
}

export interface FoundHostNetworks {
  /** One host-mode network per interface holding a host network's address. */
  networks: NodeNetwork[];
  /** The host networks that have an address here, as the node's status names them. */
  hostNetworks: Record<string, NodeHostNetwork>;
  /** Host networks with no address on this host (not offered). */
  missing: string[];
}

function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether an IPv4 address lies in an IPv4 CIDR; false for anything else. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.trim().split("/");
  const bits = Number(bitsText);
  if (!base || !isIPv4(base) || !isIPv4(ip) || !Number.isInteger(bits) || bits < 0 || bits > 32)
    return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ipv4Number(ip) / size) === Math.floor(ipv4Number(base) / size);
}

export function findHostNetworks(
  config: Readonly<Record<string, HostNetworkConfig>>,
  interfaces: Readonly<Record<string, readonly HostNetworkInterface[] | undefined>>,
): FoundHostNetworks {
  const networks: NodeNetwork[] = [];
  const found = new Set<string>();
  for (const [device, addrs] of Object.entries(interfaces)) {
    const addresses: NonNullable<NodeNetwork["addresses"]> = [];
    for (const a of addrs ?? []) {
      if (a.family !== "IPv4") continue;
      for (const [name, conf] of Object.entries(config)) {
        const cidrs = (conf.cidr ?? "").split(",").filter((c) => c.trim() !== "");
        const inCidr = cidrs.length === 0 || cidrs.some((c) => cidrContains(c, a.address));
        const onInterface = !conf.interface || conf.interface === device;
        if (!inCidr || !onInterface) continue;
        found.add(name);
        addresses.push({
          family: "ipv4",
          alias: name,
          address: a.address,
          ...(conf.reservedPorts ? { reservedPorts: conf.reservedPorts } : {}),
        });
      }
    }
    if (addresses.length > 0) networks.push({ mode: "host", device, addresses });
  }
  const hostNetworks: Record<string, NodeHostNetwork> = {};
  for (const name of [...found].sort()) {
    const conf = config[name] ?? {};
    hostNetworks[name] = {
      ...(conf.cidr ? { cidr: conf.cidr } : {}),
      ...(conf.interface ? { interface: conf.interface } : {}),
      ...(conf.reservedPorts ? { reservedPorts: conf.reservedPorts } : {}),
    };
  }
  return {
    networks,
    hostNetworks,
    missing: Object.keys(config)
      .filter((n) => !found.has(n))
      .sort(),
  };
}
