// Which service registrations an allocation has, as Nomad's client builds
// them (client/serviceregistration/nsd): one per service of the group and of
// its tasks, with the address and port resolved by the service's
// address_mode. Services with provider "nomad" are registered, and so are
// provider "consul" ones: Caravan has no Consul, so the native catalog is
// where they are found (the job carries a warning saying so). Pure: the
// allocation, its group, the node and an interpolation of ${NOMAD_*} go in.
import type { GroupService, TaskGroup, TaskService } from "../../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../../crds/objects.js";
import type { NomadServiceRegistrationSpec } from "../../crds/service-registration.js";

export interface RegistrationFacts {
  /** The Nomad job ID (spec.id of the job, else its name). */
  jobID: string;
  node: NomadNode | undefined;
  interpolate?: (text: string) => string;
}

export type ServiceOutcome =
  | { ok: true; registration: NomadServiceRegistrationSpec }
  | { ok: false; service: string; task?: string; error: string };

/** Nomad's registration ID: "_nomad-task-<alloc>-<workload>-<service>-<port label>". */
export function registrationID(
  allocID: string,
  workload: string,
  service: string,
  portLabel: string,
): string {
  return `_nomad-task-${allocID}-${workload}-${service}-${portLabel}`;
}

/**
 * The registrations of the allocation's group services (`task` unset) or of
 * one task's services, each resolved or with the error Nomad's client gives.
 */
export function serviceRegistrations(
  alloc: NomadAllocation,
  group: TaskGroup,
  facts: RegistrationFacts,
  task?: string,
): ServiceOutcome[] {
  const interpolate = facts.interpolate ?? ((t: string) => t);
  const services: (GroupService | TaskService)[] =
    task === undefined
      ? (group.services ?? [])
      : (group.tasks.find((t) => t.name === task)?.services ?? []);
  const workload = task ?? `group-${group.name}`;
  const defaultName =
    task === undefined ? `${facts.jobID}-${group.name}` : `${facts.jobID}-${group.name}-${task}`;
  const canary = alloc.status?.deploymentStatus?.canary === true;
  const nodeStatus = facts.node?.status;
  const out: ServiceOutcome[] = [];
  for (const s of services) {
    const name = interpolate(s.name ?? defaultName);
    const portLabel = interpolate(s.port ?? "");
    const address = s.address ? interpolate(s.address) : "";
    const resolved = resolveAddress(alloc, facts.node, address, s.addressMode ?? "auto", portLabel);
    if (!resolved.ok) {
      out.push({ ok: false, service: name, ...(task ? { task } : {}), error: resolved.error });
      continue;
    }
    const tags = (canary && s.canaryTags?.length ? s.canaryTags : (s.tags ?? [])).map(interpolate);
    out.push({
      ok: true,
      registration: {
        id: registrationID(alloc.metadata.name, workload, name, portLabel),
        serviceName: name,
        nodeID: alloc.spec.nodeName,
        nodeName: nodeStatus?.name ?? alloc.spec.nodeName,
        datacenter: nodeStatus?.datacenter ?? "dc1",
        jobID: facts.jobID,
        allocID: alloc.metadata.name,
        group: group.name,
        ...(task !== undefined ? { task } : {}),
        ...(tags.length ? { tags } : {}),
        address: resolved.host,
        port: resolved.port,
      },
    });
  }
  return out;
}

type Resolved = { ok: true; host: string; port: number } | { ok: false; error: string };

/**
 * Nomad's GetAddress: "auto" takes a custom address as is (with the port
 * label's host port, or the label as a number), else the host address;
 * "host" the port's host IP and host port; "alloc" the allocation network's
 * address and the mapped (`to`) port; "driver" is for drivers that
 * advertise a network of their own, which Caravan's drivers do not.
 */
function resolveAddress(
  alloc: NomadAllocation,
  node: NomadNode | undefined,
  address: string,
  mode: string,
  portLabel: string,
): Resolved {
  const shared = alloc.spec.resources.shared;
  const mapping = shared?.ports?.find((p) => p.label === portLabel);
  const numeric = (): Resolved | number => {
    if (!/^-?[0-9]+$/.test(portLabel))
      return { ok: false, error: `invalid port "${portLabel}": port label not found` };
    const n = Number(portLabel);
    return n > 0 ? n : { ok: false, error: `invalid port: "${portLabel}": port must be >0` };
  };
  const hostIP =
    shared?.networks?.[0]?.ip ||
    node?.status?.attributes?.["unique.network.ip-address"] ||
    "127.0.0.1";
  switch (mode) {
    case "auto": {
      if (!address) return resolveAddress(alloc, node, "", "host", portLabel);
      if (!portLabel) return { ok: true, host: address, port: 0 };
      if (mapping) return { ok: true, host: address, port: mapping.value };
      if (!/^[0-9]+$/.test(portLabel))
        return {
          ok: false,
          error: `invalid port: "${portLabel}": not a valid port mapping or numeric port`,
        };
      return { ok: true, host: address, port: Number(portLabel) };
    }
    case "host": {
      if (address)
        return { ok: false, error: `cannot use custom advertise address with "host" address mode` };
      if (!portLabel) return { ok: true, host: hostIP, port: 0 };
      if (mapping) return { ok: true, host: mapping.hostIP || hostIP, port: mapping.value };
      const n = numeric();
      return typeof n === "number" ? { ok: true, host: hostIP, port: n } : n;
    }
    case "alloc": {
      if (address)
        return {
          ok: false,
          error: `cannot use custom advertise address with "alloc" address mode`,
        };
      const ip = alloc.status?.networkStatus?.address;
      if (!ip)
        return {
          ok: false,
          error: `cannot use address_mode="alloc": no allocation network status reported`,
        };
      if (!portLabel) return { ok: true, host: ip, port: 0 };
      if (mapping)
        return {
          ok: true,
          host: ip,
          port: mapping.to && mapping.to > 0 ? mapping.to : mapping.value,
        };
      const n = numeric();
      return typeof n === "number" ? { ok: true, host: ip, port: n } : n;
    }
    case "driver":
      return {
        ok: false,
        error: `cannot use address_mode="driver": no driver network exists`,
      };
    default:
      return { ok: false, error: `invalid address_mode "${mode}"` };
  }
}
