import { describe, expect, it } from "vitest";
import { alloc, job, node, nodes, perNode, run } from "./fixtures.js";

describe("service scheduler: placement", () => {
  it("places count allocations with Nomad names and resources", () => {
    const plan = run({ job: job({}, { count: 3 }) });
    expect(plan.placements.map((p) => p.name).sort()).toEqual([
      "example.web[0]",
      "example.web[1]",
      "example.web[2]",
    ]);
    for (const p of plan.placements) {
      expect(p.resources).toMatchObject({ cpuMHz: 500, memoryMB: 256, diskMB: 100 });
    }
    expect(plan.annotations.desiredTGUpdates.web?.place).toBe(3);
    expect(plan.failedTGAllocs).toEqual({});
  });

  it("is deterministic for a seed", () => {
    const a = run({ job: job({}, { count: 5 }), nodes: nodes(20), seed: 7 });
    const b = run({ job: job({}, { count: 5 }), nodes: nodes(20), seed: 7 });
    expect(a.placements.map((p) => [p.id, p.nodeId])).toEqual(
      b.placements.map((p) => [p.id, p.nodeId]),
    );
  });

  it("binpacks onto the fullest node that fits", () => {
    // Two nodes: a service looks at max(2, log2(n)) candidates, so both are ranked.
    const busy = alloc("n1", {
      jobId: "other",
      resources: { ...alloc("n1").resources, cpuMHz: 3000, memoryMB: 6000 },
    });
    const plan = run({ nodes: nodes(2), allocs: [busy] });
    expect(plan.placements[0]?.nodeId).toBe("n1");
  });

  it("spreads onto the emptiest node with the spread algorithm", () => {
    const busy = alloc("n1", {
      jobId: "other",
      resources: { ...alloc("n1").resources, cpuMHz: 3000, memoryMB: 6000 },
    });
    const plan = run({ nodes: nodes(2), allocs: [busy], config: { algorithm: "spread" } });
    expect(plan.placements[0]?.nodeId).toBe("n0");
  });

  it("never over-commits: what does not fit is reported with the exhausted dimension", () => {
    const plan = run({
      job: job(
        {},
        {
          count: 5,
          tasks: [{ name: "app", driver: "exec", resources: { cpu: 3000, memory: 256 } }],
        },
      ),
      nodes: nodes(2),
    });
    expect(plan.placements).toHaveLength(2);
    expect(plan.queuedAllocs.web).toBe(3);
    const m = plan.failedTGAllocs.web;
    expect(m?.nodesExhausted).toBe(2);
    expect(m?.dimensionExhausted).toEqual({ cpu: 2 });
    expect(m?.coalescedFailures).toBe(2);
  });

  it("reports nodes filtered by constraint with the constraint's text", () => {
    const plan = run({
      job: job({ constraints: [{ attribute: "${attr.kernel.name}", value: "windows" }] }),
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.failedTGAllocs.web?.constraintFiltered).toEqual({
      "${attr.kernel.name} = windows": 3,
    });
    expect(plan.failedTGAllocs.web?.nodesEvaluated).toBe(3);
  });

  it("only uses ready, eligible nodes of the job's datacenters (globs) and pool", () => {
    const ns = [
      node("a", { datacenter: "us-east-1" }),
      node("b", { datacenter: "eu-west-1" }),
      node("c", { datacenter: "us-west-2", status: "down" }),
      node("d", { datacenter: "us-west-2", eligible: false }),
      node("e", { datacenter: "us-west-2", nodePool: "gpu" }),
    ];
    const plan = run({ job: job({ datacenters: ["us-*"] }, { count: 4 }), nodes: ns });
    expect([...perNode(plan).keys()]).toEqual(["a"]);
  });

  it("filters nodes without a healthy driver", () => {
    const ns = [
      node("a", { drivers: { exec: { detected: true, healthy: false } } }),
      node("b", { drivers: {}, attributes: {} }),
      node("c"),
    ];
    const plan = run({ nodes: ns, job: job({}, { count: 1 }) });
    expect(plan.placements[0]?.nodeId).toBe("c");
  });
});

describe("plan fields for the plan applier", () => {
  it("carries all_at_once and the nodes available per datacenter", () => {
    const plan = run({
      job: job(
        { allAtOnce: true },
        { count: 5, tasks: [{ name: "app", driver: "exec", resources: { cpu: 3000 } }] },
      ),
      nodes: nodes(2),
    });
    expect(plan.allAtOnce).toBe(true);
    expect(plan.failedTGAllocs.web).toMatchObject({
      nodesAvailable: { dc1: 2 },
      nodesInPool: 2,
      nodePool: "default",
    });
    expect(plan.classEligibility).toEqual({
      [Object.keys(plan.classEligibility)[0] as string]: true,
    });
  });
});

describe("seeds", () => {
  it("derives a stable, evaluation-specific seed from the evaluation ID", async () => {
    const { seedFromEvalId } = await import("../../../src/scheduler/index.js");
    expect(seedFromEvalId("eval-1")).toBe(seedFromEvalId("eval-1"));
    expect(seedFromEvalId("eval-1")).not.toBe(seedFromEvalId("eval-2"));
    const a = run({ nodes: nodes(30), job: job({}, { count: 3 }), seed: seedFromEvalId("x") });
    const b = run({ nodes: nodes(30), job: job({}, { count: 3 }), seed: seedFromEvalId("y") });
    expect(a.placements.map((p) => p.nodeId)).not.toEqual(b.placements.map((p) => p.nodeId));
  });
});
