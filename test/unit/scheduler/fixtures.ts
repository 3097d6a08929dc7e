// Builders for scheduler tests: a node or allocation with sensible defaults,
// overridden field by field.
import type { NomadJobSpec, TaskGroup } from "../../../src/crds/job/index.js";
import { schedule } from "../../../src/scheduler/index.js";
import type {
  Plan,
  SchedulerAlloc,
  SchedulerNode,
  SchedulerSnapshot,
} from "../../../src/scheduler/types.js";

export const NOW = Date.parse("2026-01-01T00:00:00Z");

export function node(id: string, over: Partial<SchedulerNode> = {}): SchedulerNode {
  return {
    id,
    name: id,
    datacenter: "dc1",
    nodePool: "default",
    nodeClass: "",
    status: "ready",
    eligible: true,
    draining: false,
    attributes: { "kernel.name": "linux", "driver.exec": "1", "unique.hostname": id },
    meta: {},
    drivers: { exec: { detected: true, healthy: true } },
    cpuMHz: 4000,
    memoryMB: 8192,
    diskMB: 100_000,
    reservableCores: [0, 1, 2, 3],
    reserved: { cpuMHz: 0, memoryMB: 0, diskMB: 0, cores: [], ports: [] },
    minDynamicPort: 20000,
    maxDynamicPort: 32000,
    hostNetworks: ["default"],
    networkModes: ["host"],
    devices: [],
    hostVolumes: {},
    maxAllocs: 0,
    ...over,
  };
}

export function nodes(
  n: number,
  over: (i: number) => Partial<SchedulerNode> = () => ({}),
): SchedulerNode[] {
  return Array.from({ length: n }, (_, i) => node(`n${i}`, over(i)));
}

export function group(over: Partial<TaskGroup> = {}): TaskGroup {
  return {
    name: "web",
    count: 1,
    tasks: [{ name: "app", driver: "exec", resources: { cpu: 500, memory: 256 } }],
    ephemeralDisk: { size: 100 },
    ...over,
  };
}

export function job(
  over: Partial<NomadJobSpec> = {},
  groupOver: Partial<TaskGroup> = {},
): NomadJobSpec {
  return { type: "service", datacenters: ["dc1"], groups: [group(groupOver)], ...over };
}

let allocSeq = 0;
export function alloc(nodeId: string, over: Partial<SchedulerAlloc> = {}): SchedulerAlloc {
  const index = over.index ?? 0;
  const g = over.group ?? "web";
  return {
    id: `a${allocSeq++}`,
    name: `example.${g}[${index}]`,
    namespace: "default",
    jobId: "example",
    jobVersion: 0,
    jobPriority: 50,
    jobType: "service",
    group: g,
    index,
    nodeId,
    desiredStatus: "run",
    clientStatus: "running",
    resources: {
      cpuMHz: 500,
      memoryMB: 256,
      memoryMaxMB: 256,
      diskMB: 100,
      cores: [],
      ports: [],
      devices: [],
    },
    rescheduleEvents: [],
    modifyTime: NOW - 60_000,
    ...over,
  };
}

export function snapshot(over: Partial<SchedulerSnapshot> = {}): SchedulerSnapshot {
  return {
    evalId: "eval-1",
    namespace: "default",
    jobId: "example",
    job: job(),
    jobVersion: 0,
    nodes: nodes(3),
    allocs: [],
    now: NOW,
    seed: 1,
    ...over,
  };
}

export function run(over: Partial<SchedulerSnapshot> = {}): Plan {
  return schedule(snapshot(over));
}

/** Placements per node ID. */
export function perNode(plan: Plan): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of plan.placements) m.set(p.nodeId, (m.get(p.nodeId) ?? 0) + 1);
  return m;
}
