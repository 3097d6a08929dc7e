import { describe, expect, it } from "vitest";
import { evaluatePlan } from "../../../src/controllers/plans/evaluate.js";
import type { NomadAllocation } from "../../../src/crds/objects.js";
import { allocationSpecFor, type Plan, schedule } from "../../../src/scheduler/index.js";
import { job, NOW, node, snapshot } from "../scheduler/fixtures.js";

// One node that runs at most two allocations (client max_allocs = 2).
const n0 = node("n0", { maxAllocs: 2 });

function planFor(jobId: string, count: number): Plan {
  return schedule(
    snapshot({ evalId: `eval-${jobId}`, jobId, job: job({}, { count }), nodes: [n0], seed: 7 }),
  );
}

/** The allocations a plan's placements become once committed. */
function committed(plan: Plan): NomadAllocation[] {
  return plan.placements.map((p) => ({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadAllocation",
    metadata: { name: p.id, namespace: "default" },
    spec: allocationSpecFor(p, { jobName: plan.jobId, jobVersion: 0 }, plan.evalId, NOW),
    status: { clientStatus: "running" },
  }));
}

describe("the plan applier's re-check (evaluatePlan)", () => {
  it("refuses placements that would take a node past its max_allocs", () => {
    // Two workers planned from the same snapshot: each put its allocations on n0.
    const first = planFor("first", 1);
    const second = planFor("second", 2);
    expect(second.placements.map((p) => p.nodeId)).toEqual(["n0", "n0"]);
    // The first plan was committed; the second would make three allocations on n0.
    const result = evaluatePlan(second, "default", committed(first), () => n0);
    expect(result.accepted).toEqual([]);
    expect(result.rejected).toHaveLength(2);
    expect(result.rejectedBy).toEqual({ allocations: 2 });
  });

  it("accepts them when the node has room, or the plan stops what is there", () => {
    const first = planFor("first", 1);
    const second = planFor("second", 1);
    expect(evaluatePlan(second, "default", committed(first), () => n0).accepted).toHaveLength(1);
    const both = planFor("second", 2);
    const stopping: Plan = {
      ...both,
      stops: [{ allocId: first.placements[0]?.id ?? "", reason: "alloc not needed" }],
    };
    expect(evaluatePlan(stopping, "default", committed(first), () => n0).accepted).toHaveLength(2);
  });

  it("refuses placements on a node that is gone or not ready", () => {
    const plan = planFor("first", 1);
    expect(evaluatePlan(plan, "default", [], () => undefined).rejectedBy).toEqual({
      "node gone": 1,
    });
    const down = { ...n0, status: "down" as const };
    expect(evaluatePlan(plan, "default", [], () => down).rejectedBy).toEqual({ "node down": 1 });
  });
});
