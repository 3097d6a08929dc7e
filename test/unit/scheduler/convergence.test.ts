// Convergence: applying a plan and evaluating again changes nothing more.
// A reconciler that is not level-based (it re-places, or stops what it just
// placed) fails here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NomadJobSpec } from "../../../src/crds/job/index.js";
import { schedule } from "../../../src/scheduler/index.js";
import type {
  Plan,
  SchedulerAlloc,
  SchedulerNode,
  SchedulerSnapshot,
} from "../../../src/scheduler/types.js";
import { alloc, NOW, node } from "./fixtures.js";

/** What the plan applier and the clients would make of a plan: placements run, stops stop. */
function apply(
  allocs: readonly SchedulerAlloc[],
  plan: Plan,
  type: SchedulerAlloc["jobType"],
): SchedulerAlloc[] {
  const stopped = new Map(plan.stops.map((s) => [s.allocId, s]));
  const kept = allocs.map((a) => {
    const s = stopped.get(a.id);
    return s
      ? { ...a, desiredStatus: "stop" as const, clientStatus: s.clientStatus ?? "complete" }
      : a;
  });
  const placed = plan.placements.map((p) =>
    alloc(p.nodeId, {
      id: p.id,
      name: p.name,
      jobId: "job",
      jobType: type,
      group: p.group,
      index: p.index,
      resources: p.resources,
      healthy: true,
      ...(p.previousAllocation ? { previousAllocation: p.previousAllocation } : {}),
      ...(p.deploymentId ? { deploymentId: p.deploymentId } : {}),
    }),
  );
  return [...kept, ...placed];
}

describe("convergence", () => {
  it("a second evaluation after applying the plan is a no-op, also after nodes go down or drain", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom<"service" | "batch" | "system">("service", "batch", "system"),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom("down", "drain")), { maxLength: 3 }),
        fc.integer(),
        (n, count, type, events, seed) => {
          let nodes: SchedulerNode[] = Array.from({ length: n }, (_, i) =>
            node(`n${i}`, { cpuMHz: 20_000, memoryMB: 64_000 }),
          );
          const spec: NomadJobSpec = {
            type,
            datacenters: ["dc1"],
            groups: [
              {
                name: "g",
                ...(type === "system" ? {} : { count }),
                tasks: [{ name: "t", driver: "exec", resources: { cpu: 100, memory: 64 } }],
              },
            ],
          };
          const snap = (allocs: SchedulerAlloc[], s: number): SchedulerSnapshot => ({
            evalId: "e",
            namespace: "default",
            jobId: "job",
            job: spec,
            jobVersion: 0,
            nodes,
            allocs,
            now: NOW,
            seed: s,
          });
          let allocs = apply([], schedule(snap([], seed)), type);
          for (const [k, what] of events) {
            const i = k % n;
            nodes = nodes.map((x, j) =>
              j !== i
                ? x
                : what === "down"
                  ? { ...x, status: "down" }
                  : { ...x, draining: true, eligible: false },
            );
            // Migrations go max_parallel at a time: evaluate until nothing moves.
            for (let round = 0; round < 30; round++) {
              const plan = schedule(snap(allocs, seed + round));
              if (plan.placements.length === 0 && plan.stops.length === 0) break;
              allocs = apply(allocs, plan, type);
            }
          }
          const again = schedule(snap(allocs, seed + 99));
          expect(again.placements).toEqual([]);
          expect(again.stops).toEqual([]);
          const live = allocs.filter(
            (a) => a.desiredStatus === "run" && a.clientStatus === "running",
          );
          const usable = nodes.filter((x) => x.status === "ready" && x.eligible);
          if (type === "system")
            expect(live.map((a) => a.nodeId).sort()).toEqual(usable.map((x) => x.id).sort());
          else if (usable.length > 0) expect(live).toHaveLength(count);
          // A drain without a deadline lets batch work finish where it runs, as Nomad's does.
          const stays = (x: SchedulerNode) =>
            type === "batch" && x.draining && x.status === "ready";
          for (const a of live)
            expect(nodes.some((x) => x.id === a.nodeId && (usable.includes(x) || stays(x)))).toBe(
              true,
            );
        },
      ),
      { numRuns: 150 },
    );
  });
});
