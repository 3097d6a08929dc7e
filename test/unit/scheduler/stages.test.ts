import { describe, expect, it } from "vitest";
import type { SchedulerDevice } from "../../../src/scheduler/types.js";
import { alloc, job, node, nodes, perNode, run } from "./fixtures.js";

const gpu = (ids: string[], memory = "11264 MiB"): SchedulerDevice => ({
  vendor: "nvidia",
  type: "gpu",
  name: "1080ti",
  healthyIds: ids,
  attributes: { memory, cuda_cores: "3584" },
});

const task = (resources: object) => [{ name: "app", driver: "exec", resources }];

describe("feasibility: devices", () => {
  it("places on nodes with enough healthy matching instances and hands out distinct IDs", () => {
    const ns = [node("cpu"), node("gpu", { devices: [gpu(["g0", "g1", "g2"])] })];
    const plan = run({
      nodes: ns,
      job: job(
        {},
        {
          count: 3,
          tasks: task({ cpu: 100, memory: 64, devices: [{ name: "nvidia/gpu", count: 1 }] }),
        },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["gpu", "gpu", "gpu"]);
    const ids = plan.placements.flatMap((p) => p.resources.devices.flatMap((d) => d.ids));
    expect(new Set(ids)).toEqual(new Set(["g0", "g1", "g2"]));
    expect(plan.failedTGAllocs).toEqual({});
  });

  it("reports missing devices and free-instance exhaustion", () => {
    const ns = [node("cpu"), node("gpu", { devices: [gpu(["g0"])] })];
    const plan = run({
      nodes: ns,
      job: job({}, { count: 2, tasks: task({ cpu: 100, memory: 64, devices: [{ name: "gpu" }] }) }),
    });
    expect(plan.placements).toHaveLength(1);
    expect(plan.failedTGAllocs.web?.constraintFiltered).toEqual({ "missing devices": 1 });
  });

  it("applies device constraints with units", () => {
    const ns = [
      node("small", { devices: [gpu(["a"], "4 GiB")] }),
      node("big", { devices: [gpu(["b"], "16 GiB")] }),
    ];
    const plan = run({
      nodes: ns,
      job: job(
        {},
        {
          tasks: task({
            cpu: 100,
            memory: 64,
            devices: [
              {
                name: "nvidia/gpu/1080ti",
                constraints: [
                  { attribute: "${device.attr.memory}", operator: ">=", value: "8 GiB" },
                ],
              },
            ],
          }),
        },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["big"]);
  });
});

describe("feasibility: host volumes, network, ports, cores", () => {
  it("needs the host volume, writable unless claimed read-only", () => {
    const ns = [
      node("none"),
      node("ro", { hostVolumes: { data: { readOnly: true } } }),
      node("rw", { hostVolumes: { data: { readOnly: false } } }),
    ];
    const plan = run({
      nodes: ns,
      job: job({}, { volumes: [{ name: "d", type: "host", source: "data" }] }),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["rw"]);
    expect(plan.failedTGAllocs).toEqual({});
  });

  it("filters nodes without the network mode", () => {
    const ns = [node("plain"), node("bridged", { networkModes: ["host", "bridge"] })];
    const plan = run({ nodes: ns, job: job({}, { networks: [{ mode: "bridge" }] }) });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["bridged"]);
  });

  it("places a port asking for a host_network on that network's address, only where it exists", () => {
    const ns = [
      node("plain"),
      node("public", {
        hostNetworks: ["default", "public"],
        hostNetworkAddresses: { public: "203.0.113.7" },
      }),
    ];
    const plan = run({
      nodes: ns,
      job: job(
        {},
        {
          networks: [
            { ports: [{ label: "http", static: 8080, hostNetwork: "public" }, { label: "admin" }] },
          ],
        },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["public"]);
    expect(plan.placements[0]?.ports[0]).toEqual({
      label: "http",
      value: 8080,
      hostIP: "203.0.113.7",
    });
    // A port on the default network carries no address of its own.
    expect(plan.placements[0]?.ports[1]).not.toHaveProperty("hostIP");
  });

  it("never gives a static port twice on a node and reports the collision", () => {
    const plan = run({
      nodes: nodes(2),
      job: job({}, { count: 3, networks: [{ ports: [{ label: "http", static: 8080 }] }] }),
    });
    expect(plan.placements).toHaveLength(2);
    expect(new Set(plan.placements.map((p) => p.nodeId)).size).toBe(2);
    expect(plan.placements[0]?.ports).toEqual([{ label: "http", value: 8080 }]);
    expect(plan.failedTGAllocs.web?.dimensionExhausted).toEqual({
      "network: reserved port collision http=8080": 2,
    });
  });

  it("does not collide with reserved ports", () => {
    const ns = [
      node("a", { reserved: { cpuMHz: 0, memoryMB: 0, diskMB: 0, cores: [], ports: [22] } }),
    ];
    const plan = run({
      nodes: ns,
      job: job({}, { networks: [{ ports: [{ label: "ssh", static: 22 }] }] }),
    });
    expect(plan.placements).toHaveLength(0);
  });

  it("picks dynamic ports inside the node's range, distinct per node", () => {
    const ns = [node("a", { minDynamicPort: 30000, maxDynamicPort: 30003 })];
    const plan = run({
      nodes: ns,
      job: job({}, { count: 3, networks: [{ ports: [{ label: "a" }, { label: "b", to: 80 }] }] }),
    });
    // 4 ports in range, 2 per allocation: 2 allocations fit.
    expect(plan.placements).toHaveLength(2);
    const values = plan.placements.flatMap((p) => p.ports.map((x) => x.value));
    expect(new Set(values).size).toBe(4);
    expect(values.every((v) => v >= 30000 && v <= 30003)).toBe(true);
    expect(plan.placements[0]?.ports[1]?.to).toBe(80);
    // Without `to` there is no mapping (Nomad's To 0); `to = -1` maps to the picked port.
    expect(plan.placements[0]?.ports[0]).not.toHaveProperty("to");
    const same = run({
      nodes: [node("a")],
      job: job({}, { networks: [{ ports: [{ label: "a", to: -1 }] }] }),
    });
    const [picked] = same.placements[0]?.ports ?? [];
    expect(picked?.to).toBe(picked?.value);
  });

  it("reserves whole cores and counts them as CPU", () => {
    const plan = run({
      nodes: [node("a")],
      job: job({}, { count: 3, tasks: task({ cores: 2, memory: 64 }) }),
    });
    expect(plan.placements).toHaveLength(2);
    expect(plan.placements.flatMap((p) => p.resources.cores).sort()).toEqual([0, 1, 2, 3]);
    expect(plan.placements[0]?.resources.cpuMHz).toBe(2000);
    expect(plan.failedTGAllocs.web?.dimensionExhausted).toEqual({ cores: 1 });
  });

  it("counts disk and memory", () => {
    const plan = run({ nodes: [node("a", { diskMB: 250 })], job: job({}, { count: 3 }) });
    expect(plan.placements).toHaveLength(2);
    expect(plan.failedTGAllocs.web?.dimensionExhausted).toEqual({ disk: 1 });
  });
});

describe("feasibility: distinct_hosts and distinct_property", () => {
  it("distinct_hosts puts at most one allocation of the job on a node", () => {
    const plan = run({
      nodes: nodes(2),
      job: job({ constraints: [{ operator: "distinct_hosts", value: "true" }] }, { count: 3 }),
    });
    expect([...perNode(plan).values()]).toEqual([1, 1]);
    expect(plan.failedTGAllocs.web?.constraintFiltered).toEqual({ distinct_hosts: 2 });
  });

  it("distinct_property allows value allocations per property value", () => {
    const ns = nodes(6, (i) => ({ meta: { rack: `r${i % 2}` } }));
    const plan = run({
      nodes: ns,
      job: job(
        {},
        {
          count: 5,
          constraints: [{ attribute: "${meta.rack}", operator: "distinct_property", value: "2" }],
        },
      ),
    });
    expect(plan.placements).toHaveLength(4);
    const racks = plan.placements.map((p) => ns.find((n) => n.id === p.nodeId)?.meta.rack);
    expect(racks.filter((r) => r === "r0")).toHaveLength(2);
    expect(racks.filter((r) => r === "r1")).toHaveLength(2);
  });
});

describe("ranking", () => {
  it("job anti-affinity spreads a group over equal nodes", () => {
    const plan = run({ nodes: nodes(2), job: job({}, { count: 2 }) });
    expect([...perNode(plan).values()]).toEqual([1, 1]);
  });

  it("affinities pull towards (positive) or away from (negative) matching nodes", () => {
    const ns = nodes(10, (i) => ({ nodeClass: i === 7 ? "fast" : "slow" }));
    const towards = run({
      nodes: ns,
      job: job({ affinities: [{ attribute: "${node.class}", value: "fast", weight: 100 }] }),
    });
    expect(towards.placements[0]?.nodeId).toBe("n7");
    const twoNodes = nodes(2, (i) => ({ nodeClass: i === 0 ? "bad" : "ok" }));
    const away = run({
      nodes: twoNodes,
      job: job({ affinities: [{ attribute: "${node.class}", value: "bad", weight: -100 }] }),
    });
    expect(away.placements[0]?.nodeId).toBe("n1");
    expect(towards.placements[0]?.metrics.scoreMetaData?.[0]?.scores?.["node-affinity"]).toBe(1);
  });

  it("spread with targets meets the percentages within one allocation", () => {
    const ns = nodes(20, (i) => ({ datacenter: i < 10 ? "dc1" : "dc2" }));
    const plan = run({
      nodes: ns,
      job: job(
        {
          datacenters: ["dc1", "dc2"],
          spreads: [
            {
              attribute: "${node.datacenter}",
              targets: [
                { value: "dc1", percent: 70 },
                { value: "dc2", percent: 30 },
              ],
            },
          ],
        },
        { count: 10 },
      ),
    });
    const dc1 = plan.placements.filter((p) => p.nodeId.match(/^n[0-9]$/)).length;
    expect(Math.abs(dc1 - 7)).toBeLessThanOrEqual(1);
  });

  it("spread without targets evens allocations out over the values", () => {
    const ns = nodes(30, (i) => ({ meta: { rack: `r${i % 3}` } }));
    const plan = run({
      nodes: ns,
      job: job({ spreads: [{ attribute: "${meta.rack}" }] }, { count: 9 }),
    });
    const per: Record<string, number> = {};
    for (const p of plan.placements) {
      const r = ns.find((n) => n.id === p.nodeId)?.meta.rack as string;
      per[r] = (per[r] ?? 0) + 1;
    }
    expect(per).toEqual({ r0: 3, r1: 3, r2: 3 });
  });

  it("records the top scores in the placement metrics", () => {
    const plan = run({ nodes: nodes(8), job: job({}, { count: 1 }) });
    const m = plan.placements[0]?.metrics;
    expect(m?.nodesEvaluated).toBe(3); // log2(8) candidates
    expect(m?.scoreMetaData?.length).toBe(3);
    expect(m?.scoreMetaData?.[0]?.normScore).toBeGreaterThanOrEqual(
      m?.scoreMetaData?.[1]?.normScore ?? 0,
    );
  });
});

describe("preemption", () => {
  const big = (n: string, priority: number) =>
    alloc(n, {
      jobId: "low",
      jobPriority: priority,
      resources: { ...alloc(n).resources, cpuMHz: 3800, memoryMB: 4000 },
    });

  it("system jobs preempt allocations of jobs at least 10 priority levels lower", () => {
    const victim = big("n0", 20);
    const plan = run({
      nodes: [node("n0")],
      allocs: [victim],
      job: job({ type: "system", priority: 90 }),
    });
    expect(plan.placements).toHaveLength(1);
    expect(plan.preemptions).toEqual([{ allocId: victim.id, preemptedBy: plan.placements[0]?.id }]);
    expect(plan.placements[0]?.preemptedAllocs).toEqual([victim.id]);
  });

  it("does not preempt jobs of close priority", () => {
    const plan = run({
      nodes: [node("n0")],
      allocs: [big("n0", 85)],
      job: job({ type: "system", priority: 90 }),
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.failedTGAllocs.web?.dimensionExhausted).toEqual({ cpu: 1 });
  });

  it("is off for service jobs unless configured", () => {
    const off = run({ nodes: [node("n0")], allocs: [big("n0", 20)], job: job({ priority: 90 }) });
    expect(off.placements).toHaveLength(0);
    const on = run({
      nodes: [node("n0")],
      allocs: [big("n0", 20)],
      job: job({ priority: 90 }),
      config: { preemption: { system: true, sysbatch: false, batch: false, service: true } },
    });
    expect(on.placements).toHaveLength(1);
    expect(on.preemptions).toHaveLength(1);
  });
});

describe("placement failure metrics", () => {
  it("lists each task's request when nodes ran out of cpu or memory", () => {
    const plan = run({ nodes: [node("a", { memoryMB: 100 })] });
    expect(plan.failedTGAllocs.web?.resourcesExhausted).toEqual({
      app: { cpu: 500, memoryMB: 256 },
    });
  });
});

describe("in-place updates under distinct_hosts", () => {
  it("an allocation does not block its own node", () => {
    const v0 = job({ constraints: [{ operator: "distinct_hosts" }] });
    const v1 = job({ constraints: [{ operator: "distinct_hosts" }] }, { restart: { attempts: 9 } });
    const a = alloc("n0");
    const plan = run({
      nodes: nodes(1),
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: [a],
    });
    expect(plan.inPlaceUpdates).toEqual([
      { allocId: a.id, nodeId: "n0", group: "web", jobVersion: 1 },
    ]);
  });
});

describe("device instances and affinities per candidate", () => {
  const gpuNode = (id: string, model: string, ids: string[]) =>
    node(id, {
      devices: [{ vendor: "nvidia", type: "gpu", name: model, healthyIds: ids, attributes: {} }],
    });

  it("skips nodes whose instances are all in use and places on one with free instances", () => {
    const busy = alloc("a", {
      jobId: "other",
      resources: {
        ...alloc("a").resources,
        devices: [{ vendor: "nvidia", type: "gpu", name: "t4", ids: ["a0"] }],
      },
    });
    const plan = run({
      nodes: [gpuNode("a", "t4", ["a0"]), gpuNode("b", "t4", ["b0"])],
      allocs: [busy],
      job: job(
        {},
        {
          tasks: [
            {
              name: "app",
              driver: "exec",
              resources: { cpu: 100, memory: 64, devices: [{ name: "gpu" }] },
            },
          ],
        },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["b"]);
  });

  it("device affinities steer towards the preferred model", () => {
    const plan = run({
      nodes: [gpuNode("a", "k80", ["a0"]), gpuNode("b", "t4", ["b0"])],
      job: job(
        {},
        {
          tasks: [
            {
              name: "app",
              driver: "exec",
              resources: {
                cpu: 100,
                memory: 64,
                devices: [
                  {
                    name: "gpu",
                    affinities: [{ attribute: "${device.model}", value: "t4", weight: 100 }],
                  },
                ],
              },
            },
          ],
        },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["b"]);
  });
});
