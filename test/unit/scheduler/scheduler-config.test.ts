// The stored scheduler configuration (`nomad operator scheduler set-config`)
// changes what the scheduler does: the algorithm, preemption per job type and
// memory oversubscription, and a node pool's settings win over the cluster's.
import { describe, expect, it } from "vitest";
import type { NomadSchedulerConfigurationSpec } from "../../../src/crds/scheduler-config.js";
import { schedulerConfigFor, schedulerConfigFromResource } from "../../../src/scheduler/index.js";
import { alloc, job, node, nodes, perNode, run } from "./fixtures.js";

const configured = (spec: NomadSchedulerConfigurationSpec | undefined) => ({
  config: schedulerConfigFromResource(spec),
});

describe("the stored scheduler configuration, applied", () => {
  const busy = () =>
    alloc("n1", {
      jobId: "other",
      resources: { ...alloc("n1").resources, cpuMHz: 3000, memoryMB: 6000 },
    });

  it("binpack (the default) fills the busy node; spread picks the empty one", () => {
    const packed = run({ nodes: nodes(2), allocs: [busy()], ...configured(undefined) });
    expect(packed.placements[0]?.nodeId).toBe("n1");
    const spread = run({
      nodes: nodes(2),
      allocs: [busy()],
      ...configured({ schedulerAlgorithm: "spread" }),
    });
    expect(spread.placements[0]?.nodeId).toBe("n0");
  });

  it("spread evens a job out over the nodes where binpack stacks it", () => {
    const count = 6;
    const j = job({}, { count });
    const packed = perNode(run({ job: j, nodes: nodes(3), ...configured({}) }));
    const spread = perNode(
      run({ job: j, nodes: nodes(3), ...configured({ schedulerAlgorithm: "spread" }) }),
    );
    expect([...spread.values()]).toEqual([2, 2, 2]);
    expect(Math.max(...packed.values())).toBeGreaterThan(2);
  });

  const victim = () =>
    alloc("n0", {
      jobId: "low",
      jobPriority: 20,
      resources: { ...alloc("n0").resources, cpuMHz: 3800, memoryMB: 4000 },
    });

  it("service jobs preempt only when serviceSchedulerEnabled is set", () => {
    const high = job({ priority: 90 });
    const off = run({ nodes: [node("n0")], allocs: [victim()], job: high, ...configured({}) });
    expect(off.placements).toHaveLength(0);
    expect(off.preemptions).toEqual([]);
    const on = run({
      nodes: [node("n0")],
      allocs: [victim()],
      job: high,
      ...configured({ preemptionConfig: { serviceSchedulerEnabled: true } }),
    });
    expect(on.placements).toHaveLength(1);
    expect(on.preemptions).toHaveLength(1);
  });

  it("system jobs stop preempting when systemSchedulerEnabled is turned off", () => {
    const system = job({ type: "system", priority: 90 });
    const byDefault = run({
      nodes: [node("n0")],
      allocs: [victim()],
      job: system,
      ...configured(undefined),
    });
    expect(byDefault.preemptions).toHaveLength(1);
    const off = run({
      nodes: [node("n0")],
      allocs: [victim()],
      job: system,
      ...configured({ preemptionConfig: { systemSchedulerEnabled: false } }),
    });
    expect(off.placements).toHaveLength(0);
    expect(off.preemptions).toEqual([]);
  });

  const withMax = job(
    {},
    {
      tasks: [
        { name: "app", driver: "exec", resources: { cpu: 500, memory: 256, memoryMax: 1024 } },
      ],
    },
  );

  it("memory_max is given to the task only with memory oversubscription enabled", () => {
    const off = run({ job: withMax, ...configured({}) });
    expect(off.placements[0]?.resources.tasks?.app?.memoryMaxMB).toBe(256);
    const on = run({ job: withMax, ...configured({ memoryOversubscriptionEnabled: true }) });
    expect(on.placements[0]?.resources.tasks?.app?.memoryMaxMB).toBe(1024);
    expect(on.placements[0]?.resources.memoryMB).toBe(256);
  });

  it("a node pool's algorithm and oversubscription win over the cluster's", () => {
    const cluster = schedulerConfigFromResource({
      schedulerAlgorithm: "spread",
      memoryOversubscriptionEnabled: true,
    });
    const pool = {
      metadata: { name: "packed" },
      spec: {
        schedulerConfiguration: {
          schedulerAlgorithm: "binpack" as const,
          memoryOversubscriptionEnabled: false,
        },
      },
    };
    const config = schedulerConfigFor(cluster, pool);
    const plan = run({ job: withMax, nodes: nodes(2), allocs: [busy()], config });
    expect(plan.placements[0]?.nodeId).toBe("n1");
    expect(plan.placements[0]?.resources.tasks?.app?.memoryMaxMB).toBe(256);
  });
});
