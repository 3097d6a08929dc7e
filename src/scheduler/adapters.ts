// Pure adapters between the custom resources (as an informer cache holds
// them) and the scheduler's compact snapshot model, and from a placement
// back to a NomadAllocation spec. The controller feeds cached objects
// through these; the scheduler itself never sees a Kubernetes object.

import { compactGoDuration, durationMs } from "../common/duration.js";
import type {
  AllocationResources,
  NomadAllocationSpec,
  NomadAllocationStatus,
} from "../crds/allocation.js";
import type { NomadDeploymentSpec, NomadDeploymentStatus } from "../crds/deployment.js";
import type { NomadEvaluationStatus } from "../crds/evaluation.js";
import type { NomadNodeSpec, NomadNodeStatus } from "../crds/node.js";
import type { NomadNodePoolSpec } from "../crds/nodepool.js";
import {
  defaultPreemptionConfig,
  type NomadSchedulerConfigurationSpec,
} from "../crds/scheduler-config.js";
import { computedClassKey } from "./computed-class.js";
import type {
  AllocClientStatus,
  Placement,
  Plan,
  SchedulerAlloc,
  SchedulerConfig,
  SchedulerDeployment,
  SchedulerNode,
  SchedulerResources,
  TaskResources,
} from "./types.js";

/** The parts of a Kubernetes object the adapters read. */
export interface ObjectWithMeta<Spec, Status> {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly creationTimestamp?: string;
  };
  readonly spec: Spec;
  readonly status?: Status;
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** "22,80,8000-8100" → the ports. */
export function parsePortList(spec: string | undefined): number[] {
  if (!spec) return [];
  const out: number[] = [];
  for (const part of spec.split(",")) {
    const p = part.trim();
    if (!p) continue;
    const [lo, hi] = p.split("-").map((x) => Number.parseInt(x, 10));
    if (lo === undefined || Number.isNaN(lo)) continue;
    const end = hi === undefined || Number.isNaN(hi) ? lo : hi;
    for (let v = lo; v <= end; v++) out.push(v);
  }
  return out;
}

/** A NomadNode as the scheduler sees it. Its ID is metadata.name, which allocations reference. */
export function nodeFromResource(
  obj: ObjectWithMeta<NomadNodeSpec, NomadNodeStatus>,
): SchedulerNode {
  return withComputedClass(nodeFields(obj));
}

/**
 * Fills in the node's computed class once, as Nomad does when a node
 * registers, so evaluations do not hash every node again. The agent's own
 * status.computedClass is not used: the scheduler's caches must agree with
 * the fields its checkers read.
 */
export function withComputedClass(node: SchedulerNode): SchedulerNode {
  // Every field written in one order: nodes then share one hidden class, which
  // keeps the scheduler's hot loops monomorphic (object spreads do not).
  return {
    id: node.id,
    uniqueId: node.uniqueId,
    name: node.name,
    datacenter: node.datacenter,
    nodePool: node.nodePool,
    nodeClass: node.nodeClass,
    status: node.status,
    statusUpdatedAt: node.statusUpdatedAt,
    eligible: node.eligible,
    draining: node.draining,
    drainDeadline: node.drainDeadline,
    drainIgnoreSystemJobs: node.drainIgnoreSystemJobs,
    attributes: node.attributes,
    meta: node.meta,
    drivers: node.drivers,
    cpuMHz: node.cpuMHz,
    memoryMB: node.memoryMB,
    diskMB: node.diskMB,
    reservableCores: node.reservableCores,
    reserved: node.reserved,
    minDynamicPort: node.minDynamicPort,
    maxDynamicPort: node.maxDynamicPort,
    hostNetworks: node.hostNetworks,
    hostNetworkAddresses: node.hostNetworkAddresses,
    networkModes: node.networkModes,
    devices: node.devices,
    hostVolumes: node.hostVolumes,
    maxAllocs: node.maxAllocs,
    computedClass: computedClassKey({ ...node, computedClass: undefined }),
  };
}

function nodeFields(obj: ObjectWithMeta<NomadNodeSpec, NomadNodeStatus>): SchedulerNode {
  const st = obj.status ?? {};
  const res = st.resources ?? {};
  const reserved = st.reserved ?? {};
  const draining = obj.spec.drain !== undefined || st.drainStrategy !== undefined;
  const eligibility = st.schedulingEligibility ?? obj.spec.eligibility ?? "eligible";
  const drivers: Record<string, { detected: boolean; healthy: boolean }> = {};
  for (const [name, d] of Object.entries(st.drivers ?? {})) {
    drivers[name] = { detected: d.detected ?? false, healthy: d.healthy ?? d.detected ?? false };
  }
  const modes = new Set<string>(["host"]);
  const hostNetworkAddresses: Record<string, string> = {};
  for (const n of res.networks ?? []) {
    if (n.mode) modes.add(n.mode);
    if ((n.mode ?? "host") !== "host") continue;
    for (const a of n.addresses ?? [])
      if (a.alias && a.alias !== "default" && !(a.alias in hostNetworkAddresses))
        hostNetworkAddresses[a.alias] = a.address;
  }
  for (const k of Object.keys(st.attributes ?? {})) {
    if (k === "plugins.cni.version.bridge") modes.add("bridge");
  }
  const hostVolumes: Record<string, { readOnly: boolean }> = {};
  for (const [name, v] of Object.entries(st.hostVolumes ?? {}))
    hostVolumes[name] = { readOnly: v.readOnly ?? false };
  const statusUpdatedAt = time(st.statusUpdatedAt);
  const forced = obj.spec.drain?.force || st.drainStrategy?.force;
  const drainDeadline = !draining ? undefined : forced ? 0 : time(st.drainStrategy?.forceDeadline);
  return {
    id: obj.metadata.name,
    ...(st.id ? { uniqueId: st.id } : {}),
    name: st.name ?? obj.metadata.name,
    datacenter: st.datacenter ?? "dc1",
    nodePool: st.nodePool ?? obj.spec.nodePool ?? "default",
    nodeClass: st.nodeClass ?? "",
    status: st.status ?? "initializing",
    ...(statusUpdatedAt !== undefined ? { statusUpdatedAt } : {}),
    eligible: eligibility === "eligible" && !draining,
    draining,
    drainIgnoreSystemJobs:
      obj.spec.drain?.ignoreSystemJobs ?? st.drainStrategy?.ignoreSystemJobs ?? false,
    ...(drainDeadline !== undefined ? { drainDeadline } : {}),
    attributes: st.attributes ?? {},
    meta: { ...st.meta, ...obj.spec.meta },
    drivers,
    cpuMHz: res.cpu?.cpuShares ?? 0,
    memoryMB: res.memory?.memoryMB ?? 0,
    diskMB: res.disk?.diskMB ?? 0,
    reservableCores: res.cpu?.reservableCores ?? [],
    reserved: {
      cpuMHz: reserved.cpuShares ?? 0,
      memoryMB: reserved.memoryMB ?? 0,
      diskMB: reserved.diskMB ?? 0,
      cores: reserved.reservedCores ?? [],
      ports: parsePortList(reserved.reservedHostPorts),
    },
    minDynamicPort: res.minDynamicPort ?? 20000,
    maxDynamicPort: res.maxDynamicPort ?? 32000,
    hostNetworks: ["default", ...Object.keys(st.hostNetworks ?? {})],
    hostNetworkAddresses,
    networkModes: [...modes],
    devices: (res.devices ?? []).map((d) => ({
      vendor: d.vendor,
      type: d.type,
      name: d.name,
      healthyIds: (d.instances ?? []).filter((x) => x.healthy !== false).map((x) => x.id),
      attributes: Object.fromEntries(
        Object.entries(d.attributes ?? {}).map(([k, a]) => {
          const v = a.int ?? a.float ?? a.string ?? a.bool;
          return [k, a.unit ? `${v} ${a.unit}` : String(v)];
        }),
      ),
    })),
    hostVolumes,
    maxAllocs: st.nodeMaxAllocs ?? 0,
  };
}

/** Flattens an allocation's resources over its tasks. */
export function resourcesFromAllocation(r: AllocationResources): SchedulerResources {
  let cpuMHz = 0;
  let memoryMB = 0;
  let memoryMaxMB = 0;
  const cores: number[] = [];
  const devices: SchedulerResources["devices"][number][] = [];
  const tasks: Record<string, TaskResources> = {};
  for (const [name, t] of Object.entries(r.tasks ?? {})) {
    const mem = t.memoryMB ?? 0;
    const max = t.memoryMaxMB && t.memoryMaxMB > mem ? t.memoryMaxMB : mem;
    cpuMHz += t.cpu ?? 0;
    memoryMB += mem;
    memoryMaxMB += max;
    cores.push(...(t.reservedCores ?? []));
    const taskDevices = (t.devices ?? []).map((d) => ({
      vendor: d.vendor,
      type: d.type,
      name: d.name,
      ids: d.deviceIDs ?? [],
    }));
    devices.push(...taskDevices);
    tasks[name] = {
      cpuMHz: t.cpu ?? 0,
      memoryMB: mem,
      memoryMaxMB: max,
      cores: t.reservedCores ?? [],
      ...(taskDevices.length > 0 ? { devices: taskDevices } : {}),
    };
  }
  return {
    cpuMHz,
    memoryMB,
    memoryMaxMB,
    diskMB: r.shared?.diskMB ?? 0,
    cores,
    ports: (r.shared?.ports ?? []).map((p) => ({
      label: p.label,
      value: p.value,
      ...(p.to !== undefined ? { to: p.to } : {}),
      ...(p.hostIP ? { hostIP: p.hostIP } : {}),
    })),
    devices,
    tasks,
  };
}

/**
 * A NomadAllocation as the scheduler sees it. The allocation does not carry
 * its job's priority and type, which preemption needs: the caller looks them up.
 */
export function allocFromResource(
  obj: ObjectWithMeta<NomadAllocationSpec, NomadAllocationStatus>,
  job: { priority: number; type: SchedulerAlloc["jobType"] },
): SchedulerAlloc {
  const s = obj.spec;
  const st = obj.status ?? {};
  const modifyTime = time(st.modifyTime) ?? time(obj.metadata.creationTimestamp) ?? 0;
  return {
    id: obj.metadata.name,
    name: s.name,
    namespace: obj.metadata.namespace ?? "default",
    jobId: s.jobName,
    jobVersion: s.jobVersion,
    jobPriority: job.priority,
    jobType: job.type,
    group: s.group,
    index: s.index,
    nodeId: s.nodeName,
    desiredStatus: s.desiredStatus,
    clientStatus: (st.clientStatus ?? "pending") as AllocClientStatus,
    resources: resourcesFromAllocation(s.resources),
    ...(s.previousAllocation ? { previousAllocation: s.previousAllocation } : {}),
    ...(s.nextAllocation ? { nextAllocation: s.nextAllocation } : {}),
    rescheduleEvents: (s.rescheduleTracker?.events ?? []).map((e) => ({
      time: time(e.rescheduleTime) ?? 0,
      prevAllocId: e.prevAllocation,
      prevNodeId: e.prevNodeName ?? "",
      delayMs: durationMs(e.delay, 0),
    })),
    ...(s.desiredTransition ? { desiredTransition: s.desiredTransition } : {}),
    ...(s.deploymentName ? { deploymentId: s.deploymentName } : {}),
    ...(st.deploymentStatus?.canary ? { canary: true } : {}),
    ...(st.deploymentStatus?.healthy !== undefined ? { healthy: st.deploymentStatus.healthy } : {}),
    modifyTime,
    ...(s.followupEvalName ? { followupEvalId: s.followupEvalName } : {}),
  };
}

/** The job's deployment as the scheduler sees it. */
export function deploymentFromResource(
  obj: ObjectWithMeta<NomadDeploymentSpec, NomadDeploymentStatus>,
): SchedulerDeployment {
  const groups: Record<string, SchedulerDeployment["groups"][string]> = {};
  const promoteAll = obj.spec.promote === true;
  const promoteSome = new Set(obj.spec.promoteGroups ?? []);
  for (const [name, g] of Object.entries(obj.status?.groups ?? {})) {
    groups[name] = { ...g, promoted: g.promoted === true || promoteAll || promoteSome.has(name) };
  }
  let status = obj.status?.status ?? "running";
  if (obj.spec.fail) status = "failed";
  else if (obj.spec.paused && status === "running") status = "paused";
  return { id: obj.metadata.name, jobVersion: obj.spec.jobVersion, status, groups };
}

/** The NomadAllocation spec the plan applier writes for a placement. */
export function allocationSpecFor(
  p: Placement,
  job: { jobName: string; jobVersion: number },
  evalName: string,
  now: number,
): NomadAllocationSpec {
  const tasks: NonNullable<AllocationResources["tasks"]> = {};
  for (const [name, t] of Object.entries(p.resources.tasks ?? {})) {
    tasks[name] = {
      cpu: t.cpuMHz,
      memoryMB: t.memoryMB,
      ...(t.memoryMaxMB > t.memoryMB ? { memoryMaxMB: t.memoryMaxMB } : {}),
      ...(t.cores.length > 0 ? { reservedCores: t.cores } : {}),
      ...(t.devices && t.devices.length > 0
        ? {
            devices: t.devices.map((d) => ({
              vendor: d.vendor,
              type: d.type,
              name: d.name,
              deviceIDs: [...d.ids],
            })),
          }
        : {}),
    };
  }
  return {
    jobName: job.jobName,
    jobVersion: job.jobVersion,
    group: p.group,
    nodeName: p.nodeId,
    desiredStatus: "run",
    name: p.name,
    index: p.index,
    evalName,
    ...(p.deploymentId ? { deploymentName: p.deploymentId } : {}),
    resources: {
      shared: {
        diskMB: p.resources.diskMB,
        ...(p.ports.length > 0 ? { ports: p.ports.map((x) => ({ ...x })) } : {}),
      },
      tasks,
    },
    ...(p.previousAllocation ? { previousAllocation: p.previousAllocation } : {}),
    ...(p.rescheduleEvents
      ? {
          rescheduleTracker: {
            events: p.rescheduleEvents.map((e) => ({
              rescheduleTime: new Date(e.time || now).toISOString(),
              prevAllocation: e.prevAllocId,
              prevNodeName: e.prevNodeId,
              delay: compactGoDuration(e.delayMs * 1e6),
            })),
          },
        }
      : {}),
    ...(p.preemptedAllocs ? { preemptedAllocations: [...p.preemptedAllocs] } : {}),
  };
}

/**
 * The cluster-wide scheduler configuration as the scheduler reads it: the
 * fields the NomadSchedulerConfiguration sets; the rest keep Nomad's defaults.
 */
export function schedulerConfigFromResource(
  spec: NomadSchedulerConfigurationSpec | undefined,
): Partial<SchedulerConfig> {
  if (!spec) return {};
  const p = { ...defaultPreemptionConfig, ...spec.preemptionConfig };
  return {
    ...(spec.schedulerAlgorithm ? { algorithm: spec.schedulerAlgorithm } : {}),
    memoryOversubscription: spec.memoryOversubscriptionEnabled ?? false,
    preemption: {
      system: p.systemSchedulerEnabled,
      sysbatch: p.sysBatchSchedulerEnabled,
      batch: p.batchSchedulerEnabled,
      service: p.serviceSchedulerEnabled,
    },
    // 0 is Nomad's "unset": its default of 100 applies.
    ...(spec.nodeLimitForFeasibilityChecks
      ? { nodeLimitForFeasibilityChecks: spec.nodeLimitForFeasibilityChecks }
      : {}),
  };
}

/**
 * The scheduler configuration for a job in a node pool: the cluster-wide
 * settings with the pool's overrides (algorithm, memory oversubscription).
 */
export function schedulerConfigFor(
  cluster: Partial<SchedulerConfig>,
  pool: ObjectWithMeta<NomadNodePoolSpec, unknown> | undefined,
): Partial<SchedulerConfig> {
  const over = pool?.spec.schedulerConfiguration;
  return {
    ...cluster,
    ...(over?.schedulerAlgorithm ? { algorithm: over.schedulerAlgorithm } : {}),
    ...(over?.memoryOversubscriptionEnabled !== undefined
      ? { memoryOversubscription: over.memoryOversubscriptionEnabled }
      : {}),
  };
}

/**
 * What an evaluation's status records about its plan: failed placements
 * per group with their metrics, queued allocations, class eligibility for a
 * blocked evaluation, and (when asked) the plan annotations.
 */
export function evaluationStatusFor(
  plan: Plan,
  annotate: boolean,
): Pick<
  NomadEvaluationStatus,
  | "failedTGAllocs"
  | "queuedAllocations"
  | "classEligibility"
  | "escapedComputedClass"
  | "annotations"
> {
  return {
    failedTGAllocs: plan.failedTGAllocs,
    queuedAllocations: plan.queuedAllocs,
    classEligibility: plan.classEligibility,
    escapedComputedClass: plan.escapedComputedClass,
    ...(annotate
      ? {
          annotations: {
            desiredTGUpdates: plan.annotations.desiredTGUpdates,
            ...(plan.preemptions.length > 0
              ? { preemptedAllocs: plan.preemptions.map((p) => p.allocId) }
              : {}),
          },
        }
      : {}),
  };
}
