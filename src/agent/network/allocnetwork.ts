// An allocation's network namespace, as Nomad's client makes it for `bridge`
// and `cni/<name>` groups: a named namespace per allocation, the CNI chain
// run into it with the allocation ID as container ID, its ports mapped from
// the host (tcp and udp), and all of it undone when the allocation ends —
// from what was recorded at setup, so an agent restarted since still can.
import type { AllocatedPort, AllocationNetworkStatus } from "../../crds/allocation.js";
import {
  type Attachment,
  addNetworkList,
  type CniResult,
  delNetworkList,
  type NetworkConfigList,
} from "./cni.js";
import { type CniSettings, nomadBridgeConflist, readConfDir } from "./conflist.js";
import { ensureForwardingRule } from "./firewall.js";
import { createNetns, deleteNetns, interfaceAddresses } from "./netns.js";

/** Modes that give an allocation its own namespace. */
export function isolatedMode(mode: string | undefined): boolean {
  return mode === "bridge" || (mode?.startsWith("cni/") ?? false);
}

/** An allocation's namespace as its tasks see it: where it is and its address. */
export interface AllocNetwork {
  netns: string;
  status: AllocationNetworkStatus;
}

/** What the agent's state keeps of a namespace it set up: enough to undo it. */
export interface AllocNetworkRecord {
  /** The namespace's name (the allocation ID). */
  name: string;
  netns: string;
  mode: string;
  cniPath: string;
  list: NetworkConfigList;
  attachment: Attachment;
  result?: CniResult;
}

export interface AllocNetworkRequest {
  allocId: string;
  mode: string;
  ports: readonly AllocatedPort[];
  /** The group's network { cni { args } }. */
  args: Record<string, string>;
  /** NOMAD_REGION, NOMAD_NAMESPACE, NOMAD_JOB_ID, NOMAD_GROUP_NAME, NOMAD_ALLOC_ID. */
  workload: Record<string, string>;
}

/** The CNI port mappings: each port for tcp and udp, `to` inside (the host port when unset). */
export function portMappings(ports: readonly AllocatedPort[]) {
  return ports.flatMap((p) =>
    ["tcp", "udp"].map((protocol) => ({
      hostPort: p.value,
      containerPort: p.to !== undefined && p.to > 0 ? p.to : p.value,
      protocol,
      ...(p.hostIP ? { hostIP: p.hostIP } : {}),
    })),
  );
}

/** CNI_ARGS: IgnoreUnknown, the group's cni args, then the workload's identity; values with ";" are left out. */
export function allocCniArgs(req: AllocNetworkRequest): Record<string, string> {
  const args: Record<string, string> = { IgnoreUnknown: "true", ...req.args };
  for (const [k, v] of Object.entries(req.workload)) if (!v.includes(";")) args[k] = v;
  return args;
}

/** The network list a mode runs; an error naming the mode when there is none. */
export function networkListFor(mode: string, settings: CniSettings): NetworkConfigList {
  if (mode === "bridge") return nomadBridgeConflist(settings);
  const name = mode.slice("cni/".length);
  const found = readConfDir(settings.cniConfigDir).networks.get(name);
  if (!found)
    throw new Error(`CNI network config not found for name "${name}" in ${settings.cniConfigDir}`);
  return found.list;
}

/** The namespace's address as Nomad reports it: the first sandbox interface with an IPv4 address. */
export function networkStatus(result: CniResult, ifname: string): AllocationNetworkStatus {
  const interfaces = result.interfaces ?? [];
  const ips = result.ips ?? [];
  const inSandbox = ips.filter((ip) => {
    const i = ip.interface;
    return i !== undefined && interfaces[i]?.sandbox;
  });
  const pick = (list: typeof ips, v6: boolean) =>
    list.find((ip) => ip.address.includes(":") === v6)?.address.split("/")[0];
  const address = pick(inSandbox, false) ?? pick(ips, false);
  const addressIPv6 = pick(inSandbox, true) ?? pick(ips, true);
  const chosen = inSandbox[0] ?? ips[0];
  const name =
    (chosen?.interface !== undefined ? interfaces[chosen.interface]?.name : undefined) ?? ifname;
  const dns = result.dns;
  return {
    interfaceName: name,
    ...(address ? { address } : addressIPv6 ? { address: addressIPv6 } : {}),
    ...(addressIPv6 ? { addressIPv6 } : {}),
    ...(dns?.nameservers?.length
      ? {
          dns: {
            servers: dns.nameservers,
            ...(dns.search ? { searches: dns.search } : {}),
            ...(dns.options ? { options: dns.options } : {}),
          },
        }
      : {}),
  };
}

/**
 * Makes the allocation's namespace and runs the CNI chain into it. `existing`
 * is what an earlier agent process recorded: its namespace is kept as it is.
 * A failure undoes what was done before it is thrown.
 */
export async function setupAllocNetwork(
  settings: CniSettings,
  req: AllocNetworkRequest,
  existing: AllocNetworkRecord | undefined,
  record: (r: AllocNetworkRecord) => void,
): Promise<{ record: AllocNetworkRecord; status: AllocationNetworkStatus }> {
  if (existing?.result) {
    const ns = await createNetns(existing.name);
    if (!ns.created)
      return {
        record: existing,
        status: networkStatus(existing.result, existing.attachment.ifname),
      };
    // The namespace went (a reboot): what the chain had made is undone and made again.
    await teardownAllocNetwork(existing).catch(() => {});
  }
  const list = networkListFor(req.mode, settings);
  if (req.mode === "bridge") await ensureForwardingRule(settings.bridgeName, settings.bridgeSubnet);
  const ns = await createNetns(req.allocId);
  const attachment: Attachment = {
    containerId: req.allocId,
    netns: ns.path,
    ifname: "eth0",
    args: allocCniArgs(req),
    runtimeConfig: { portMappings: portMappings(req.ports) },
  };
  const rec: AllocNetworkRecord = {
    name: req.allocId,
    netns: ns.path,
    mode: req.mode,
    cniPath: settings.cniPath,
    list,
    attachment,
  };
  // Recorded before the chain runs: an agent killed half-way still knows what to undo.
  record(rec);
  try {
    const result = await addNetworkList(settings.cniPath, list, attachment);
    const done = { ...rec, result };
    record(done);
    const status = networkStatus(result, attachment.ifname);
    if (!status.address)
      throw new Error("failed to configure network: no interface with an address");
    return { record: done, status };
  } catch (err) {
    await teardownAllocNetwork(rec).catch(() => {});
    throw new Error(`failed to configure network: ${(err as Error).message}`);
  }
}

/** Undoes the chain (DEL, backwards) and removes the namespace; the namespace goes even when DEL fails. */
export async function teardownAllocNetwork(rec: AllocNetworkRecord): Promise<void> {
  let failure: unknown;
  try {
    // Killed before ADD's result was recorded: the namespace's own addresses stand in for it
    // (the firewall plugin finds its rules by address).
    const result = rec.result ?? (await observedResult(rec.name, rec.netns, rec.attachment.ifname));
    await delNetworkList(rec.cniPath, rec.list, rec.attachment, result);
  } catch (err) {
    failure = err;
  }
  await deleteNetns(rec.name);
  if (failure) throw failure;
}

/** A result read back from the namespace: its interface and addresses, as ADD would have said. */
async function observedResult(
  name: string,
  netns: string,
  ifname: string,
): Promise<CniResult | undefined> {
  const addresses = await interfaceAddresses(name, ifname);
  if (addresses.length === 0) return undefined;
  return {
    cniVersion: "0.4.0",
    interfaces: [{ name: ifname, sandbox: netns }],
    ips: addresses.map((address) => ({
      version: address.includes(":") ? "6" : "4",
      address,
      interface: 0,
    })),
  };
}
