// Which Nomad service checks an allocation runs, resolved against what it was
// given: the checks of its group's and tasks' services with provider "nomad"
// (Consul runs the others, and there is no Consul here), each with the
// address it targets. Pure: the allocation, its group and the node go in.

import { durationMs } from "../../common/duration.js";
import type { AllocationCheckStatus } from "../../crds/allocation.js";
import type { CheckRestart, ServiceBase, ServiceCheck, TaskGroup } from "../../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../../crds/objects.js";

/** One check to run, with everything its runs need. */
export interface CheckDefinition {
  id: string;
  check: string;
  service: string;
  task?: string;
  mode: AllocationCheckStatus["mode"];
  type: "http" | "tcp";
  /** host:port to connect to, or an error saying why there is none. */
  address: { ok: true; host: string; port: number } | { ok: false; error: string };
  intervalMs: number;
  timeoutMs: number;
  protocol: "http" | "https";
  path: string;
  method: string;
  headers: Record<string, string[]>;
  body?: string;
  tlsSkipVerify: boolean;
  /** Consecutive successes before the check turns to success from another status. */
  successBeforePassing: number;
  /** Consecutive failures before the check turns to failure from success. */
  failuresBeforeCritical: number;
  /** check_restart: the task restarted once the check has not passed `limit` runs in a row. */
  restart?: { task: string; limit: number; graceMs: number };
}

/** The check ID Nomad's API and `nomad alloc checks` key results by. */
export function checkId(service: string, task: string | undefined, check: string): string {
  return `${task ?? "group"}/${service}/${check}`;
}

/**
 * The allocation's Nomad checks. `interpolate` resolves `${NOMAD_*}`-style
 * references in service and check fields, as Nomad interpolates services.
 */
export function nomadChecks(
  alloc: NomadAllocation,
  group: TaskGroup,
  node: NomadNode | undefined,
  interpolate: (text: string) => string = (t) => t,
): CheckDefinition[] {
  const out: CheckDefinition[] = [];
  const job = alloc.spec.jobName;
  const add = (service: ServiceBase, defaultName: string, task: string | undefined) => {
    if (service.provider !== "nomad") return;
    const serviceName = interpolate(service.name ?? defaultName);
    for (const c of service.checks ?? []) {
      // Nomad's provider runs http and tcp checks only; its job validation
      // rejects the others, so a job written for Nomad never has them.
      if (c.type !== "http" && c.type !== "tcp") continue;
      const name = c.name ?? `service: ${JSON.stringify(serviceName)} check`;
      const onUpdate = c.onUpdate ?? service.onUpdate ?? "require_healthy";
      // IDs key a list in the status: two checks alike still get two.
      let id = checkId(serviceName, task, name);
      for (let n = 2; out.some((d) => d.id === id); n++)
        id = `${checkId(serviceName, task, name)}#${n}`;
      out.push({
        id,
        check: name,
        service: serviceName,
        ...(task ? { task } : {}),
        mode: onUpdate === "ignore" ? "readiness" : "healthiness",
        type: c.type,
        address: checkAddress(alloc, node, c, service, interpolate),
        intervalMs: Math.max(100, durationMs(c.interval, 10_000)),
        timeoutMs: Math.max(100, durationMs(c.timeout, 2_000)),
        protocol: c.protocol ?? "http",
        path: interpolate(c.path ?? "/"),
        method: c.method || "GET",
        headers: c.header ?? {},
        ...(c.body !== undefined ? { body: c.body } : {}),
        tlsSkipVerify: c.tlsSkipVerify ?? false,
        successBeforePassing: c.successBeforePassing ?? 0,
        failuresBeforeCritical: c.failuresBeforeCritical ?? 0,
        ...restartOf(service.checkRestart, c.checkRestart, task ?? c.task),
      });
    }
  };
  for (const s of group.services ?? []) add(s, `${job}-${group.name}`, s.task);
  for (const t of group.tasks ?? [])
    for (const s of t.services ?? []) add(s, `${job}-${group.name}-${t.name}`, t.name);
  return out;
}

/**
 * Where a check connects, as Nomad resolves it: the check's port label (else
 * the service's) among the allocation's ports; "host" mode (the default) uses
 * the host port on its host address, "alloc" mode the mapped port on the
 * allocation's own address. A service's custom address is used as is.
 */
function checkAddress(
  alloc: NomadAllocation,
  node: NomadNode | undefined,
  c: ServiceCheck,
  service: ServiceBase,
  interpolate: (text: string) => string,
): CheckDefinition["address"] {
  const label = interpolate(c.port ?? service.port ?? "");
  if (!label) return { ok: false, error: "the check and its service name no port" };
  const shared = alloc.spec.resources.shared;
  const port = shared?.ports?.find((p) => p.label === label);
  const numeric = /^[0-9]+$/.test(label) ? Number(label) : undefined;
  const mode = c.addressMode ?? (service.address ? "auto" : "host");
  const nodeIp = node?.status?.attributes?.["unique.network.ip-address"] ?? "127.0.0.1";
  if (service.address && mode === "auto") {
    const p = port?.value ?? numeric;
    return p === undefined
      ? { ok: false, error: `invalid port "${label}": port label not found` }
      : { ok: true, host: interpolate(service.address), port: p };
  }
  if (mode === "alloc") {
    const ip = alloc.status?.networkStatus?.address;
    if (!ip) return { ok: false, error: "address_mode alloc needs a bridge or CNI network" };
    const p = port ? (port.to && port.to > 0 ? port.to : port.value) : numeric;
    return p === undefined
      ? { ok: false, error: `invalid port "${label}": port label not found` }
      : { ok: true, host: ip, port: p };
  }
  if (!port) return { ok: false, error: `invalid port "${label}": port label not found` };
  const host = port.hostIP || shared?.networks?.[0]?.ip || nodeIp;
  return { ok: true, host, port: port.value };
}

/**
 * A check's check_restart, the service's merged under the check's own as
 * Nomad merges them; none without a limit or a task to restart (a group
 * service's check names its task).
 */
function restartOf(
  service: CheckRestart | undefined,
  check: CheckRestart | undefined,
  task: string | undefined,
): { restart?: NonNullable<CheckDefinition["restart"]> } {
  const limit = check?.limit || service?.limit || 0;
  if (limit <= 0 || !task) return {};
  const grace = check?.grace ?? service?.grace;
  return { restart: { task, limit, graceMs: durationMs(grace, 1_000) } };
}
