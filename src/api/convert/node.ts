// NomadNode → api.Node and NodeListStub.
import type { NodeResources } from "../../crds/node.js";
import type { NomadNode } from "../../crds/objects.js";
import type { ObjectIndexes } from "../state.js";

type Obj = Record<string, unknown>;

export function nodeStub(n: NomadNode, idx: ObjectIndexes): Obj {
  const s = n.status ?? {};
  const drivers: Record<string, Obj> = {};
  for (const [name, d] of Object.entries(s.drivers ?? {}))
    drivers[name] = {
      Detected: d.detected ?? false,
      Healthy: d.healthy ?? false,
      HealthDescription: d.healthDescription ?? "",
      Attributes: d.attributes ?? {},
      UpdateTime: d.updateTime ?? "0001-01-01T00:00:00Z",
    };
  return {
    ID: n.metadata.name,
    Name: s.name ?? n.metadata.name,
    Address: (s.httpAddr ?? "").split(":")[0] ?? "",
    Datacenter: s.datacenter ?? "dc1",
    NodeClass: s.nodeClass ?? "",
    NodePool: n.spec.nodePool ?? s.nodePool ?? "default",
    Version: s.agentVersion ?? "",
    Drain: !!n.spec.drain,
    SchedulingEligibility: n.spec.eligibility ?? s.schedulingEligibility ?? "eligible",
    Status: s.status ?? "initializing",
    StatusDescription: s.statusDescription ?? "",
    Drivers: drivers,
    Attributes: s.attributes ?? {},
    LastDrain: s.lastDrain
      ? {
          Status: s.lastDrain.status ?? "",
          StartedAt: s.lastDrain.startedAt ?? "0001-01-01T00:00:00Z",
          UpdatedAt: s.lastDrain.updatedAt ?? "0001-01-01T00:00:00Z",
          Meta: s.lastDrain.meta ?? null,
        }
      : null,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}

export function nodeOut(n: NomadNode, idx: ObjectIndexes): Obj {
  const s = n.status ?? {};
  const r = s.resources ?? {};
  return {
    ...nodeStub(n, idx),
    HTTPAddr: s.httpAddr ?? "",
    TLSEnabled: s.tlsEnabled ?? false,
    Meta: { ...(s.meta ?? {}), ...(n.spec.meta ?? {}) },
    Links: s.links ?? {},
    ComputedClass: s.computedClass ?? "",
    DrainStrategy: n.spec.drain
      ? {
          Deadline: 0,
          IgnoreSystemJobs: n.spec.drain.ignoreSystemJobs ?? false,
          ForceDeadline: s.drainStrategy?.forceDeadline ?? "0001-01-01T00:00:00Z",
          StartedAt: s.drainStrategy?.startedAt ?? "0001-01-01T00:00:00Z",
        }
      : null,
    NodeResources: {
      Cpu: { CpuShares: r.cpu?.cpuShares ?? 0, TotalCpuCores: r.cpu?.totalCores ?? 0 },
      Memory: { MemoryMB: r.memory?.memoryMB ?? 0 },
      Disk: { DiskMB: r.disk?.diskMB ?? 0 },
      // The interface addresses the node fingerprinted, as Nomad's legacy list of host networks.
      Networks: legacyNetworks(r.networks ?? []),
      NodeNetworks: r.networks?.length
        ? r.networks.map((nw) => ({
            Mode: nw.mode ?? "host",
            Device: nw.device ?? "",
            MacAddress: nw.macAddress ?? "",
            Speed: nw.speed ?? 0,
            Addresses: (nw.addresses ?? []).map((a) => ({
              Family: a.family ?? "ipv4",
              Alias: a.alias ?? "",
              Address: a.address,
              ReservedPorts: a.reservedPorts ?? "",
              Gateway: a.gateway ?? "",
            })),
          }))
        : null,
      MinDynamicPort: r.minDynamicPort ?? 20000,
      MaxDynamicPort: r.maxDynamicPort ?? 32000,
    },
    HostNetworks: s.hostNetworks
      ? Object.fromEntries(
          Object.entries(s.hostNetworks).map(([name, h]) => [
            name,
            {
              Name: name,
              CIDR: h.cidr ?? "",
              Interface: h.interface ?? "",
              ReservedPorts: h.reservedPorts ?? "",
            },
          ]),
        )
      : null,
    ReservedResources: {
      Cpu: { CpuShares: s.reserved?.cpuShares ?? 0 },
      Memory: { MemoryMB: s.reserved?.memoryMB ?? 0 },
      Disk: { DiskMB: s.reserved?.diskMB ?? 0 },
      Networks: { ReservedHostPorts: s.reserved?.reservedHostPorts ?? "" },
    },
    HostVolumes: s.hostVolumes
      ? Object.fromEntries(
          Object.entries(s.hostVolumes).map(([k, v]) => [
            k,
            { Name: k, Path: v.path, ReadOnly: v.readOnly ?? false },
          ]),
        )
      : null,
    Events: (s.events ?? []).map((e) => ({
      Message: e.message,
      Subsystem: e.subsystem ?? "",
      Details: e.details ?? null,
      Timestamp: e.timestamp,
    })),
    StatusUpdatedAt: s.statusUpdatedAt ? Math.floor(Date.parse(s.statusUpdatedAt) / 1000) : 0,
  };
}

/** Nomad's NodeResources.Networks: one host-mode entry per address of the node's host networks. */
function legacyNetworks(networks: NonNullable<NodeResources["networks"]>): Obj[] | null {
  const out: Obj[] = [];
  for (const nw of networks) {
    if ((nw.mode ?? "host") !== "host") continue;
    for (const a of nw.addresses ?? [])
      out.push({
        Mode: "host",
        Device: nw.device ?? "",
        CIDR: `${a.address}/${a.family === "ipv6" ? 128 : 32}`,
        IP: a.address,
        Hostname: "",
        MBits: nw.speed ?? 0,
        DNS: null,
        ReservedPorts: null,
        DynamicPorts: null,
        CNI: null,
      });
  }
  return out.length ? out : null;
}
