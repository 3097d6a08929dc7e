// NomadServiceRegistration → Nomad's api.ServiceRegistration, and the
// per-namespace service list (api.ServiceRegistrationListStub).
import type { NomadServiceRegistration } from "../../crds/objects.js";
import type { ObjectIndexes } from "../state.js";

export interface ServiceRegistrationOut {
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  Datacenter: string;
  JobID: string;
  AllocID: string;
  Tags: string[];
  Address: string;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export function serviceRegistration(
  r: NomadServiceRegistration,
  idx: ObjectIndexes,
): ServiceRegistrationOut {
  return {
    ID: r.spec.id,
    ServiceName: r.spec.serviceName,
    Namespace: r.metadata.namespace ?? "default",
    NodeID: r.spec.nodeID,
    Datacenter: r.spec.datacenter,
    JobID: r.spec.jobID,
    AllocID: r.spec.allocID,
    Tags: r.spec.tags ?? [],
    Address: r.spec.address,
    Port: r.spec.port,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}

/** Nomad's /v1/services: per namespace, each service name with the union of its tags. */
export function serviceList(
  regs: readonly NomadServiceRegistration[],
): { Namespace: string; Services: { ServiceName: string; Tags: string[] }[] }[] {
  const byNamespace = new Map<string, Map<string, Set<string>>>();
  for (const r of regs) {
    const ns = r.metadata.namespace ?? "default";
    const services = byNamespace.get(ns) ?? new Map<string, Set<string>>();
    byNamespace.set(ns, services);
    const tags = services.get(r.spec.serviceName) ?? new Set<string>();
    services.set(r.spec.serviceName, tags);
    for (const t of r.spec.tags ?? []) tags.add(t);
  }
  return [...byNamespace.keys()].sort().map((ns) => ({
    Namespace: ns,
    Services: [...(byNamespace.get(ns) ?? new Map<string, Set<string>>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, tags]) => ({ ServiceName: name, Tags: [...tags].sort() })),
  }));
}
