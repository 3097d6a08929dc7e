// The allocation's group network as Nomad's API shows it
// (AllocatedSharedResources.Networks): the group's network ask with the
// dynamic ports' picked values and the node's host address, as Nomad's
// scheduler stores it after placing the group.

import type { AllocatedSharedResources } from "../../crds/allocation.js";

type Obj = Record<string, unknown>;

interface ApiPort {
  Label?: string;
  Value?: number;
  To?: number;
  HostNetwork?: string;
}

/** The group's first network in the API job, or undefined when the job or network is unknown. */
function groupNetworkAsk(job: Obj | null, group: string): Obj | undefined {
  const groups = (job?.TaskGroups ?? []) as Obj[];
  const g = groups.find((x) => x.Name === group);
  const nets = (g?.Networks ?? []) as Obj[];
  return nets[0];
}

/**
 * Shared.Networks of the allocation: one entry when the group asked for a
 * network, null when it did not (as Nomad's, whose `nomad alloc status`
 * prints "Allocation Addresses" from it).
 */
export function allocatedNetworks(
  shared: AllocatedSharedResources,
  job: Obj | null,
  group: string,
  /** The node's default host address, for ports placed without a host_network. */
  nodeAddress: string,
): Obj[] | null {
  const ask = groupNetworkAsk(job, group);
  const placed = shared.networks?.[0];
  const ports = shared.ports ?? [];
  if (!ask && !placed && ports.length === 0) return null;
  const byLabel = new Map(ports.map((p) => [p.label, p]));
  const hostIP = placed?.ip || ports.find((p) => p.hostIP)?.hostIP || nodeAddress;
  const portOut = (p: ApiPort, assigned: boolean): Obj => {
    const got = byLabel.get(p.Label ?? "");
    return {
      Label: p.Label ?? "",
      Value: assigned && got ? got.value : (p.Value ?? 0),
      To: got?.to ?? p.To ?? 0,
      HostNetwork: p.HostNetwork || "default",
    };
  };
  let reserved: Obj[] | null;
  let dynamic: Obj[] | null;
  if (ask) {
    const r = (ask.ReservedPorts ?? []) as ApiPort[];
    const d = (ask.DynamicPorts ?? []) as ApiPort[];
    reserved = r.length ? r.map((p) => portOut(p, false)) : null;
    dynamic = d.length ? d.map((p) => portOut(p, true)) : null;
  } else {
    // Without the job, every placed port is listed as picked.
    reserved = null;
    dynamic = ports.length
      ? ports.map((p) => ({
          Label: p.label,
          Value: p.value,
          To: p.to ?? 0,
          HostNetwork: "default",
        }))
      : null;
  }
  return [
    {
      Mode: placed?.mode || (ask?.Mode as string | undefined) || "host",
      Device: placed?.device || (ask?.Device as string | undefined) || "",
      CIDR: placed?.cidr || (ask?.CIDR as string | undefined) || "",
      IP: hostIP,
      Hostname: placed?.hostname || (ask?.Hostname as string | undefined) || "",
      MBits: (ask?.MBits as number | undefined) ?? 0,
      DNS: ask?.DNS ?? null,
      ReservedPorts: reserved,
      DynamicPorts: dynamic,
      CNI: ask?.CNI ?? null,
    },
  ];
}
