// Property tests over random clusters and jobs: the invariants a plan
// applier and an operator rely on, whatever the input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Constraint, NomadJobSpec } from "../../../src/crds/job/index.js";
import { nodeMatches } from "../../../src/scheduler/constraints.js";
import { schedule } from "../../../src/scheduler/index.js";
import type { Plan, SchedulerAlloc, SchedulerNode } from "../../../src/scheduler/types.js";
import { alloc, NOW, node } from "./fixtures.js";

const DCS = ["dc1", "dc2", "dc3"];
const RACKS = ["r0", "r1", "r2", "r3"];

const arbNode = (i: number) =>
  fc
    .record({
      dc: fc.constantFrom(...DCS),
      rack: fc.constantFrom(...RACKS),
      kernel: fc.constantFrom("linux", "darwin"),
      cpu: fc.integer({ min: 500, max: 8000 }),
      mem: fc.integer({ min: 256, max: 16000 }),
      disk: fc.integer({ min: 100, max: 5000 }),
      status: fc.constantFrom("ready", "ready", "ready", "down"),
      eligible: fc.integer({ min: 0, max: 9 }).map((k) => k < 8),
      withGpu: fc.boolean(),
    })
    .map(
      (r): SchedulerNode =>
        node(`n${i}`, {
          datacenter: r.dc,
          meta: { rack: r.rack },
          attributes: { "kernel.name": r.kernel, "driver.exec": "1", "unique.hostname": `n${i}` },
          cpuMHz: r.cpu,
          memoryMB: r.mem,
          diskMB: r.disk,
          status: r.status as SchedulerNode["status"],
          eligible: r.eligible,
          minDynamicPort: 20000,
          maxDynamicPort: 20010,
          devices: r.withGpu
            ? [
                {
                  vendor: "nvidia",
                  type: "gpu",
                  name: "t4",
                  healthyIds: [`n${i}-g0`, `n${i}-g1`],
                  attributes: {},
                },
              ]
            : [],
        }),
    );

const arbCluster = fc
  .integer({ min: 1, max: 25 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbNode(i))));

const arbConstraint: fc.Arbitrary<Constraint> = fc.oneof(
  fc.constantFrom<Constraint>(
    { attribute: "${attr.kernel.name}", value: "linux" },
    { attribute: "${meta.rack}", operator: "set_contains_any", value: "r0,r1" },
    { attribute: "${meta.rack}", operator: "!=", value: "r3" },
    { attribute: "${node.datacenter}", operator: "regexp", value: "^dc[12]$" },
    { attribute: "${attr.kernel.name}", operator: "is_set" },
  ),
);

const arbJob = fc
  .record({
    type: fc.constantFrom<"service" | "batch">("service", "batch"),
    count: fc.integer({ min: 1, max: 30 }),
    cpu: fc.integer({ min: 100, max: 3000 }),
    mem: fc.integer({ min: 64, max: 4000 }),
    disk: fc.integer({ min: 10, max: 1000 }),
    constraints: fc.array(arbConstraint, { maxLength: 2 }),
    datacenters: fc.subarray(DCS, { minLength: 1 }),
    staticPort: fc.boolean(),
    dynamicPorts: fc.integer({ min: 0, max: 2 }),
    gpus: fc.integer({ min: 0, max: 1 }),
    spread: fc.boolean(),
    distinctHosts: fc.boolean(),
    algorithm: fc.constantFrom<"binpack" | "spread">("binpack", "spread"),
  })
  .map((r) => ({
    r,
    spec: {
      type: r.type,
      datacenters: r.datacenters,
      constraints: r.distinctHosts
        ? [...r.constraints, { operator: "distinct_hosts" as const }]
        : r.constraints,
      ...(r.spread ? { spreads: [{ attribute: "${meta.rack}" }] } : {}),
      groups: [
        {
          name: "g",
          count: r.count,
          ephemeralDisk: { size: r.disk },
          networks: [
            {
              ports: [
                ...(r.staticPort ? [{ label: "s", static: 8080 }] : []),
                ...Array.from({ length: r.dynamicPorts }, (_, k) => ({ label: `d${k}` })),
              ],
            },
          ],
          tasks: [
            {
              name: "t",
              driver: "exec",
              resources: {
                cpu: r.cpu,
                memory: r.mem,
                ...(r.gpus > 0 ? { devices: [{ name: "nvidia/gpu", count: r.gpus }] } : {}),
              },
            },
          ],
        },
      ],
    } satisfies NomadJobSpec,
  }));

/** Existing allocations of another job, some of them already over-using nothing. */
function existing(nodes: readonly SchedulerNode[]): SchedulerAlloc[] {
  return nodes
    .filter((_, i) => i % 3 === 0)
    .map((n) =>
      alloc(n.id, {
        jobId: "other",
        resources: {
          cpuMHz: 200,
          memoryMB: 100,
          diskMB: 50,
          memoryMaxMB: 100,
          cores: [],
          ports: [{ label: "x", value: 8080 }],
          devices: [],
        },
      }),
    );
}

function checkNoOvercommit(
  nodes: readonly SchedulerNode[],
  allocs: readonly SchedulerAlloc[],
  plan: Plan,
): void {
  const stopped = new Set(plan.stops.map((s) => s.allocId));
  for (const n of nodes) {
    const live = allocs
      .filter((a) => a.nodeId === n.id && !stopped.has(a.id))
      .map((a) => a.resources);
    const placed = plan.placements.filter((p) => p.nodeId === n.id).map((p) => p.resources);
    const all = [...live, ...placed];
    const sum = (f: (r: (typeof all)[number]) => number) => all.reduce((s, r) => s + f(r), 0);
    expect(sum((r) => r.cpuMHz)).toBeLessThanOrEqual(n.cpuMHz - n.reserved.cpuMHz);
    expect(sum((r) => r.memoryMB)).toBeLessThanOrEqual(n.memoryMB - n.reserved.memoryMB);
    expect(sum((r) => r.diskMB)).toBeLessThanOrEqual(n.diskMB - n.reserved.diskMB);
    const ports = all.flatMap((r) => r.ports.map((p) => p.value));
    expect(new Set(ports).size).toBe(ports.length);
    const devs = all.flatMap((r) => r.devices.flatMap((d) => d.ids));
    expect(new Set(devs).size).toBe(devs.length);
    for (const id of devs) expect(n.devices.some((d) => d.healthyIds.includes(id))).toBe(true);
    const cores = all.flatMap((r) => r.cores);
    expect(new Set(cores).size).toBe(cores.length);
  }
}

describe("scheduler properties", () => {
  it("never over-commits a node and every placement satisfies every hard constraint", () => {
    fc.assert(
      fc.property(arbCluster, arbJob, fc.integer(), (nodes, { r, spec }, seed) => {
        const allocs = existing(nodes);
        const plan = schedule({
          evalId: "e",
          namespace: "default",
          jobId: "job",
          job: spec,
          jobVersion: 0,
          nodes,
          allocs,
          now: NOW,
          seed,
          config: { algorithm: r.algorithm },
        });
        checkNoOvercommit(nodes, allocs, plan);
        for (const p of plan.placements) {
          const n = nodes.find((x) => x.id === p.nodeId) as SchedulerNode;
          expect(n.status).toBe("ready");
          expect(n.eligible).toBe(true);
          expect(r.datacenters).toContain(n.datacenter);
          for (const c of r.constraints) expect(nodeMatches(c, n)).toBe(true);
        }
        expect(plan.placements.length + (plan.queuedAllocs.g ?? 0)).toBe(r.count);
        if (r.distinctHosts) {
          const used = plan.placements.map((p) => p.nodeId);
          expect(new Set(used).size).toBe(used.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("meets spread targets within one allocation when capacity allows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (pct, count, seed) => {
          const nodes = Array.from({ length: 60 }, (_, i) =>
            node(`n${i}`, {
              datacenter: i % 2 ? "dc2" : "dc1",
              cpuMHz: 100_000,
              memoryMB: 100_000,
            }),
          );
          const plan = schedule({
            evalId: "e",
            namespace: "default",
            jobId: "job",
            job: {
              datacenters: ["dc1", "dc2"],
              spreads: [
                {
                  attribute: "${node.datacenter}",
                  targets: [
                    { value: "dc1", percent: pct },
                    { value: "dc2", percent: 100 - pct },
                  ],
                },
              ],
              groups: [
                {
                  name: "g",
                  count,
                  tasks: [{ name: "t", driver: "exec", resources: { cpu: 100, memory: 64 } }],
                },
              ],
            },
            jobVersion: 0,
            nodes,
            allocs: [],
            now: NOW,
            seed,
          });
          expect(plan.placements).toHaveLength(count);
          const dc1 = plan.placements.filter(
            (p) => nodes.find((n) => n.id === p.nodeId)?.datacenter === "dc1",
          ).length;
          expect(Math.abs(dc1 - (pct / 100) * count)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("an even spread (no targets) keeps the values within one allocation of each other", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (racks, count, seed) => {
          const nodes = Array.from({ length: 60 }, (_, i) =>
            node(`n${i}`, { meta: { rack: `r${i % racks}` }, cpuMHz: 100_000, memoryMB: 100_000 }),
          );
          const plan = schedule({
            evalId: "e",
            namespace: "default",
            jobId: "job",
            job: {
              datacenters: ["dc1"],
              spreads: [{ attribute: "${meta.rack}" }],
              groups: [
                {
                  name: "g",
                  count,
                  tasks: [{ name: "t", driver: "exec", resources: { cpu: 100, memory: 64 } }],
                },
              ],
            },
            jobVersion: 0,
            nodes,
            allocs: [],
            now: NOW,
            seed,
          });
          const per = new Map<string, number>();
          for (let r = 0; r < racks; r++) per.set(`r${r}`, 0);
          for (const p of plan.placements) {
            const rack = nodes.find((n) => n.id === p.nodeId)?.meta.rack as string;
            per.set(rack, (per.get(rack) ?? 0) + 1);
          }
          const counts = [...per.values()];
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a system job has exactly one allocation on each eligible node", () => {
    fc.assert(
      fc.property(
        arbCluster,
        fc.subarray(DCS, { minLength: 1 }),
        fc.array(arbConstraint, { maxLength: 2 }),
        (nodes, dcs, constraints) => {
          const spec: NomadJobSpec = {
            type: "system",
            datacenters: dcs,
            constraints,
            groups: [
              {
                name: "g",
                tasks: [{ name: "t", driver: "exec", resources: { cpu: 100, memory: 64 } }],
                ephemeralDisk: { size: 10 },
              },
            ],
          };
          // Run twice: the second evaluation, with the first plan applied, must change nothing.
          const first = schedule({
            evalId: "e",
            namespace: "default",
            jobId: "sys",
            job: spec,
            jobVersion: 0,
            nodes,
            allocs: [],
            now: NOW,
            seed: 1,
          });
          const eligible = nodes.filter(
            (n) =>
              n.status === "ready" &&
              n.eligible &&
              dcs.includes(n.datacenter) &&
              constraints.every((c) => nodeMatches(c, n)),
          );
          expect(first.placements.map((p) => p.nodeId).sort()).toEqual(
            eligible.map((n) => n.id).sort(),
          );
          const applied = first.placements.map((p) =>
            alloc(p.nodeId, {
              id: p.id,
              jobId: "sys",
              jobType: "system",
              group: "g",
              index: p.index,
              resources: p.resources,
            }),
          );
          const second = schedule({
            evalId: "e2",
            namespace: "default",
            jobId: "sys",
            job: spec,
            jobVersion: 0,
            nodes,
            allocs: applied,
            now: NOW,
            seed: 2,
          });
          expect(second.placements).toEqual([]);
          expect(second.stops).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rescheduling never exceeds its attempts within its interval", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom<"constant" | "exponential" | "fibonacci">(
          "constant",
          "exponential",
          "fibonacci",
        ),
        fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 15 }),
        (attempts, intervalMin, fn, failAfterSec) => {
          const intervalMs = intervalMin * 60_000;
          const spec: NomadJobSpec = {
            type: "batch",
            datacenters: ["dc1"],
            groups: [
              {
                name: "g",
                reschedule: {
                  attempts,
                  interval: `${intervalMin}m`,
                  delay: "5s",
                  delayFunction: fn,
                  maxDelay: "1m",
                },
                tasks: [{ name: "t", driver: "exec", resources: { cpu: 100, memory: 64 } }],
              },
            ],
          };
          const nodes = Array.from({ length: 3 }, (_, i) => node(`n${i}`));
          let now = NOW;
          let current = alloc("n0", {
            jobId: "b",
            jobType: "batch",
            group: "g",
            clientStatus: "failed",
            modifyTime: now,
          });
          const times: number[] = [];
          for (const wait of failAfterSec) {
            const plan = schedule({
              evalId: "e",
              namespace: "default",
              jobId: "b",
              job: spec,
              jobVersion: 0,
              nodes,
              allocs: [current],
              now,
              seed: 3,
            });
            const follow = plan.followupEvals[0]?.waitUntil;
            const p = plan.placements[0];
            if (!p && follow !== undefined) {
              now = follow; // the follow-up evaluation runs when due
              continue;
            }
            if (!p) break; // out of attempts
            times.push(now);
            now += wait * 1000;
            current = alloc(p.nodeId, {
              id: p.id,
              jobId: "b",
              jobType: "batch",
              group: "g",
              clientStatus: "failed",
              modifyTime: now,
              rescheduleEvents: p.rescheduleEvents ?? [],
            });
          }
          for (const t of times) {
            expect(times.filter((x) => x > t - intervalMs && x <= t).length).toBeLessThanOrEqual(
              attempts,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
