import { describe, expect, it } from "vitest";
import { alloc, job, node, nodes, run } from "./fixtures.js";

const sys = (over = {}) => job({ type: "system", ...over });

describe("system scheduler", () => {
  it("places one allocation on every eligible node", () => {
    const ns = [
      ...nodes(3),
      node("down", { status: "down" }),
      node("inel", { eligible: false }),
      node("other", { datacenter: "dc9" }),
    ];
    const plan = run({ nodes: ns, job: sys() });
    expect(plan.placements.map((p) => p.nodeId).sort()).toEqual(["n0", "n1", "n2"]);
    expect(new Set(plan.placements.map((p) => p.name)).size).toBe(3);
  });

  it("adds an allocation when a node joins, and leaves the others alone", () => {
    const existing = [
      alloc("n0", { jobType: "system" }),
      alloc("n1", { index: 1, jobType: "system" }),
    ];
    const plan = run({ nodes: nodes(3), job: sys(), allocs: existing });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["n2"]);
    expect(plan.stops).toHaveLength(0);
    expect(plan.annotations.desiredTGUpdates.web).toMatchObject({ place: 1, ignore: 2 });
  });

  it("skips nodes that fail a constraint and stops what they ran", () => {
    const ns = [
      node("a"),
      node("b", { attributes: { "kernel.name": "darwin", "driver.exec": "1" } }),
    ];
    const constrained = sys({
      constraints: [{ attribute: "${attr.kernel.name}", value: "linux" }],
    });
    const plan = run({ nodes: ns, job: constrained, allocs: [alloc("b", { jobType: "system" })] });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["a"]);
    expect(plan.stops.map((s) => s.reason)).toEqual([
      "alloc not needed as node is no longer eligible",
    ]);
    expect(plan.failedTGAllocs).toEqual({}); // filtered nodes are not failures for system jobs
  });

  it("stops allocations on draining nodes unless the drain ignores system jobs; marks down nodes' lost", () => {
    const ns = [
      node("drain", { draining: true, eligible: false }),
      node("keep", { draining: true, eligible: false, drainIgnoreSystemJobs: true }),
      node("gone", { status: "down" }),
    ];
    const allocs = ["drain", "keep", "gone"].map((n, index) =>
      alloc(n, { index, jobType: "system" }),
    );
    const plan = run({ nodes: ns, job: sys(), allocs });
    expect(plan.stops.map((s) => [s.allocId, s.clientStatus])).toEqual([
      [allocs[0]?.id, undefined],
      [allocs[2]?.id, "lost"],
    ]);
    expect(plan.placements).toHaveLength(0);
  });

  it("reports nodes without room as failed placements", () => {
    const ns = [node("small", { cpuMHz: 100 }), node("ok")];
    const plan = run({ nodes: ns, job: sys() });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["ok"]);
    expect(plan.failedTGAllocs.web?.dimensionExhausted).toEqual({ cpu: 1 });
  });

  it("sysbatch does not run again where it completed", () => {
    const done = alloc("n0", { clientStatus: "complete", jobType: "sysbatch" });
    const plan = run({ nodes: nodes(2), job: job({ type: "sysbatch" }), allocs: [done] });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["n1"]);
  });

  it("updates in place or replaces on the same node when the job changes", () => {
    const v0 = sys();
    const a = alloc("n0", { jobType: "system" });
    const inPlace = run({
      nodes: [node("n0")],
      job: sys({ meta: undefined }),
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: [a],
    });
    expect(inPlace.inPlaceUpdates).toEqual([
      { allocId: a.id, nodeId: "n0", group: "web", jobVersion: 1 },
    ]);
    const changed = job(
      { type: "system" },
      { tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const destructive = run({
      nodes: [node("n0")],
      job: changed,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: [a],
    });
    expect(destructive.stops.map((s) => s.allocId)).toEqual([a.id]);
    expect(destructive.placements).toMatchObject([
      { nodeId: "n0", previousAllocation: a.id, name: a.name },
    ]);
  });
});

describe("system scheduler: failures and staggered updates", () => {
  it("replaces a failed system allocation on its node; sysbatch leaves a failed run alone", () => {
    const failed = alloc("n0", { clientStatus: "failed", jobType: "system" });
    const sysPlan = run({ nodes: [node("n0")], job: job({ type: "system" }), allocs: [failed] });
    expect(sysPlan.placements).toMatchObject([{ nodeId: "n0", previousAllocation: failed.id }]);
    const batchPlan = run({
      nodes: [node("n0")],
      job: job({ type: "sysbatch" }),
      allocs: [{ ...failed, jobType: "sysbatch" }],
    });
    expect(batchPlan.placements).toHaveLength(0);
  });

  it("replaces at most update.max_parallel allocations per evaluation", () => {
    const v0 = job({ type: "system" });
    const v1 = job(
      { type: "system", update: { maxParallel: 2 } },
      { tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const allocs = [0, 1, 2, 3].map((index) => alloc(`n${index}`, { index, jobType: "system" }));
    const plan = run({
      nodes: nodes(4),
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs,
    });
    expect(plan.placements).toHaveLength(2);
    expect(plan.stops).toHaveLength(2);
    expect(plan.annotations.desiredTGUpdates.web).toMatchObject({
      destructiveUpdate: 2,
      ignore: 2,
    });
  });
});
