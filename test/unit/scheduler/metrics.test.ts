import { describe, expect, it } from "vitest";
import { Metrics } from "../../../src/scheduler/metrics.js";
import type { SchedulerNode } from "../../../src/scheduler/types.js";

const node = (name: string) => ({ name, nodeClass: "" }) as unknown as SchedulerNode;

describe("allocation metrics as stored", () => {
  it("keeps the best scores, highest first, without zero scorers or long decimals", () => {
    const m = new Metrics();
    m.nodesEvaluated = 3;
    m.score(node("a"), 0.123456789, 0.123456789, 0, 0, 0, 0);
    m.score(node("b"), 0.9, 0.8, -0.25, 0, 0, 0);
    const metric = m.toAllocationMetric(1.5);
    expect(metric.scoreMetaData).toEqual([
      { nodeName: "b", scores: { binpack: 0.8, "job-anti-affinity": -0.25 }, normScore: 0.9 },
      { nodeName: "a", scores: { binpack: 0.1235 }, normScore: 0.1235 },
    ]);
    expect(metric.allocationTime).toBe("1500000ns");
  });

  it("leaves out empty maps but keeps those with counts", () => {
    const m = new Metrics();
    m.filter(node("a"), "${meta.rack} = r1");
    const metric = m.toAllocationMetric(0);
    expect(metric.constraintFiltered).toEqual({ "${meta.rack} = r1": 1 });
    expect(metric).not.toHaveProperty("dimensionExhausted");
    expect(metric).not.toHaveProperty("classFiltered");
    expect(metric.nodesFiltered).toBe(1);
  });
});
