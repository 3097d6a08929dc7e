import { describe, expect, it } from "vitest";
import {
  allocationSpecFor,
  allocFromResource,
  deploymentFromResource,
  evaluationStatusFor,
  nodeFromResource,
  parsePortList,
  schedule,
  schedulerConfigFor,
} from "../../../src/scheduler/index.js";

const nodeObj = {
  metadata: { name: "worker-1" },
  spec: { meta: { rack: "r9" } },
  status: {
    status: "ready" as const,
    name: "worker-1.example",
    datacenter: "dc1",
    nodeClass: "m5",
    attributes: { "kernel.name": "linux", "unique.hostname": "worker-1" },
    meta: { rack: "r1", zone: "a" },
    drivers: {
      exec: { detected: true, healthy: true },
      docker: { detected: true, healthy: false },
    },
    resources: {
      cpu: { cpuShares: 8000, totalCores: 4, reservableCores: [0, 1, 2, 3] },
      memory: { memoryMB: 16000 },
      disk: { diskMB: 50000 },
      devices: [
        {
          vendor: "nvidia",
          type: "gpu",
          name: "t4",
          instances: [
            { id: "g0", healthy: true },
            { id: "g1", healthy: false },
          ],
          attributes: { memory: { int: 16, unit: "GiB" } },
        },
      ],
    },
    reserved: { cpuShares: 500, memoryMB: 512, reservedHostPorts: "22,8000-8002" },
    hostVolumes: { data: { path: "/srv/data", readOnly: true } },
  },
};

describe("adapters", () => {
  it("writes each task's devices into the allocation spec and reads them back", () => {
    const node = nodeFromResource(nodeObj);
    const plan = schedule({
      evalId: "e1",
      namespace: "default",
      jobId: "ml",
      job: {
        datacenters: ["dc1"],
        groups: [
          {
            name: "g",
            tasks: [
              {
                name: "train",
                driver: "exec",
                resources: { cpu: 100, memory: 64, devices: [{ name: "nvidia/gpu" }] },
              },
              { name: "log", driver: "exec", resources: { cpu: 100, memory: 64 } },
            ],
          },
        ],
      },
      jobVersion: 0,
      nodes: [node],
      allocs: [],
      now: 0,
      seed: 1,
    });
    const p = plan.placements[0];
    expect(p).toBeDefined();
    if (!p) return;
    const spec = allocationSpecFor(p, { jobName: "ml", jobVersion: 0 }, "e1", 0);
    expect(spec.resources.tasks?.train?.devices).toEqual([
      { vendor: "nvidia", type: "gpu", name: "t4", deviceIDs: ["g0"] },
    ]);
    expect(spec.resources.tasks?.log?.devices).toBeUndefined();
    const back = allocFromResource(
      { metadata: { name: "a" }, spec },
      { priority: 50, type: "service" },
    );
    expect(back.resources.devices).toEqual([
      { vendor: "nvidia", type: "gpu", name: "t4", ids: ["g0"] },
    ]);
  });

  it("reads a NomadNode: spec meta overrides status meta, unhealthy devices and drivers are not usable", () => {
    const n = nodeFromResource(nodeObj);
    expect(n).toMatchObject({
      id: "worker-1",
      name: "worker-1.example",
      nodePool: "default",
      eligible: true,
      draining: false,
      meta: { rack: "r9", zone: "a" },
      cpuMHz: 8000,
      reserved: { cpuMHz: 500, memoryMB: 512, ports: [22, 8000, 8001, 8002] },
      drivers: { docker: { detected: true, healthy: false } },
      hostVolumes: { data: { readOnly: true } },
    });
    expect(n.devices[0]).toMatchObject({ healthyIds: ["g0"], attributes: { memory: "16 GiB" } });
    expect(n.computedClass).toBeTruthy();
  });

  it("gives nodes that differ only in unique attributes the same computed class", () => {
    const a = nodeFromResource(nodeObj);
    const b = nodeFromResource({
      ...nodeObj,
      metadata: { name: "worker-2" },
      status: {
        ...nodeObj.status,
        attributes: { ...nodeObj.status.attributes, "unique.hostname": "worker-2" },
      },
    });
    const c = nodeFromResource({ ...nodeObj, spec: { meta: { rack: "other" } } });
    expect(a.computedClass).toBe(b.computedClass);
    expect(a.computedClass).not.toBe(c.computedClass);
  });

  it("keeps the computed class short however much meta a node carries", () => {
    // Evaluations keep classes as map keys in their status, and YAML refuses keys over 1024 characters.
    const big = nodeFromResource({ ...nodeObj, spec: { meta: { notes: "x".repeat(5000) } } });
    expect(big.computedClass).toMatch(/^v1:[0-9a-f]{16}$/);
    const other = nodeFromResource({ ...nodeObj, spec: { meta: { notes: "y".repeat(5000) } } });
    expect(other.computedClass).not.toBe(big.computedClass);
  });

  it("treats a draining node as ineligible, with the drain's deadline", () => {
    const n = nodeFromResource({ ...nodeObj, spec: { drain: { deadline: "1h" } } });
    expect(n).toMatchObject({ eligible: false, draining: true });
    const forced = nodeFromResource({ ...nodeObj, spec: { drain: { force: true } } });
    expect(forced.drainDeadline).toBe(0);
    const timed = nodeFromResource({
      ...nodeObj,
      spec: { drain: {} },
      status: { ...nodeObj.status, drainStrategy: { forceDeadline: "2026-01-01T01:00:00Z" } },
    });
    expect(timed.drainDeadline).toBe(Date.parse("2026-01-01T01:00:00Z"));
  });

  it("parses port lists", () => {
    expect(parsePortList("22, 80,8000-8002")).toEqual([22, 80, 8000, 8001, 8002]);
    expect(parsePortList(undefined)).toEqual([]);
  });

  it("round-trips a placement into a NomadAllocation spec the scheduler reads back", () => {
    const node = nodeFromResource(nodeObj);
    const plan = schedule({
      evalId: "e1",
      namespace: "default",
      jobId: "web",
      job: {
        datacenters: ["dc1"],
        groups: [
          {
            name: "g",
            networks: [{ ports: [{ label: "http" }] }],
            tasks: [{ name: "t", driver: "exec", resources: { cpu: 200, memory: 128 } }],
          },
        ],
      },
      jobVersion: 3,
      nodes: [node],
      allocs: [],
      now: 0,
      seed: 1,
    });
    const p = plan.placements[0];
    expect(p).toBeDefined();
    if (!p) return;
    const spec = allocationSpecFor(p, { jobName: "web", jobVersion: 3 }, "e1", 0);
    expect(spec).toMatchObject({
      nodeName: "worker-1",
      name: "web.g[0]",
      desiredStatus: "run",
      resources: { tasks: { t: { cpu: 200, memoryMB: 128 } } },
    });
    const back = allocFromResource(
      { metadata: { name: "a1", namespace: "default" }, spec, status: { clientStatus: "running" } },
      { priority: 50, type: "service" },
    );
    expect(back.resources).toMatchObject({
      cpuMHz: 200,
      memoryMB: 128,
      diskMB: 300,
      ports: p.ports,
    });
  });

  it("reads a deployment's promotion and pause requests", () => {
    const d = deploymentFromResource({
      metadata: { name: "d1" },
      spec: { jobName: "web", jobVersion: 2, promoteGroups: ["g"], paused: true },
      status: { status: "running", groups: { g: { desiredCanaries: 1 }, h: {} } },
    });
    expect(d).toMatchObject({
      id: "d1",
      status: "paused",
      groups: { g: { promoted: true }, h: { promoted: false } },
    });
  });

  it("applies a node pool's scheduler configuration over the cluster's", () => {
    const pool = {
      metadata: { name: "batch" },
      spec: { schedulerConfiguration: { schedulerAlgorithm: "spread" as const } },
    };
    expect(
      schedulerConfigFor({ algorithm: "binpack", memoryOversubscription: true }, pool),
    ).toEqual({
      algorithm: "spread",
      memoryOversubscription: true,
    });
  });

  it("fills an evaluation's status from the plan", () => {
    const plan = schedule({
      evalId: "e",
      namespace: "default",
      jobId: "big",
      job: {
        datacenters: ["dc1"],
        groups: [
          { name: "g", count: 2, tasks: [{ name: "t", driver: "exec", resources: { cpu: 7000 } }] },
        ],
      },
      jobVersion: 0,
      nodes: [nodeFromResource(nodeObj)],
      allocs: [],
      now: 0,
      seed: 1,
    });
    const status = evaluationStatusFor(plan, true);
    expect(status.queuedAllocations).toEqual({ g: 1 });
    expect(status.failedTGAllocs?.g?.dimensionExhausted).toEqual({ cpu: 1 });
    expect(status.annotations?.desiredTGUpdates?.g).toMatchObject({ place: 2 });
    expect(evaluationStatusFor(plan, false).annotations).toBeUndefined();
  });
});
