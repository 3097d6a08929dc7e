// Examples from Nomad's documentation of each stanza, checked to behave as
// the documentation says.
import { describe, expect, it } from "vitest";
import { resolveJob } from "../../../src/scheduler/defaults.js";
import { nextDelay } from "../../../src/scheduler/reschedule.js";
import { alloc, job, node, nodes, run } from "./fixtures.js";

describe("constraint block examples", () => {
  it('kernel: `attribute = "${attr.kernel.name}" value = "linux"`', () => {
    const ns = [
      node("mac", { attributes: { "kernel.name": "darwin", "driver.exec": "1" } }),
      node("lin"),
    ];
    const plan = run({
      nodes: ns,
      job: job({ constraints: [{ attribute: "${attr.kernel.name}", value: "linux" }] }),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["lin"]);
  });

  it('version: `attribute = "${attr.kernel.version}" operator = "version" value = "> 3.19"`', () => {
    const ns = [
      node("old", { attributes: { "kernel.version": "3.10.0", "driver.exec": "1" } }),
      node("new", { attributes: { "kernel.version": "5.15.0", "driver.exec": "1" } }),
    ];
    const plan = run({
      nodes: ns,
      job: job({
        constraints: [
          { attribute: "${attr.kernel.version}", operator: "version", value: "> 3.19" },
        ],
      }),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["new"]);
  });

  it('set_contains: `attribute = "${meta.cached_binaries}" set_contains = "redis,cypress,nginx"`', () => {
    const ns = [
      node("some", { meta: { cached_binaries: "redis,nginx" } }),
      node("all", { meta: { cached_binaries: "redis,cypress,nginx,python" } }),
    ];
    const plan = run({
      nodes: ns,
      job: job({
        constraints: [
          {
            attribute: "${meta.cached_binaries}",
            operator: "set_contains",
            value: "redis,cypress,nginx",
          },
        ],
      }),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["all"]);
  });

  it('distinct_property: `attribute = "${meta.rack}" value = "3"` puts at most 3 per rack', () => {
    const ns = nodes(12, (i) => ({ meta: { rack: `rack-${i % 2}` } }));
    const plan = run({
      nodes: ns,
      job: job(
        { constraints: [{ operator: "distinct_property", attribute: "${meta.rack}", value: "3" }] },
        { count: 8 },
      ),
    });
    expect(plan.placements).toHaveLength(6);
    expect(plan.queuedAllocs.web).toBe(2);
  });

  it("unique attributes are checked per node, not cached per class", () => {
    const plan = run({
      nodes: nodes(2),
      job: job(
        { constraints: [{ attribute: "${node.unique.name}", operator: "!=", value: "n0" }] },
        { count: 2 },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(["n1", "n1"]);
    expect(plan.escapedComputedClass).toBe(true);
  });
});

describe("affinity block example", () => {
  it('`attribute = "${node.datacenter}" value = "us-west1" weight = 100` prefers us-west1 but still runs elsewhere', () => {
    const ns = [
      node("e", { datacenter: "us-east1" }),
      node("w", { datacenter: "us-west1", cpuMHz: 500 }),
    ];
    const plan = run({
      nodes: ns,
      job: job(
        {
          datacenters: ["us-east1", "us-west1"],
          affinities: [{ attribute: "${node.datacenter}", value: "us-west1", weight: 100 }],
        },
        { count: 3 },
      ),
    });
    expect(plan.placements.map((p) => p.nodeId).sort()).toEqual(["e", "e", "w"]);
  });
});

describe("spread block example", () => {
  it("`target us-east1 60%, us-west1 40%` over 10 allocations", () => {
    const ns = nodes(20, (i) => ({ datacenter: i % 2 ? "us-west1" : "us-east1" }));
    const plan = run({
      nodes: ns,
      job: job(
        {
          datacenters: ["us-east1", "us-west1"],
          spreads: [
            {
              attribute: "${node.datacenter}",
              weight: 100,
              targets: [
                { value: "us-east1", percent: 60 },
                { value: "us-west1", percent: 40 },
              ],
            },
          ],
        },
        { count: 10 },
      ),
    });
    const east = plan.placements.filter(
      (p) => ns.find((n) => n.id === p.nodeId)?.datacenter === "us-east1",
    );
    expect(east).toHaveLength(6);
  });
});

describe("reschedule block", () => {
  it("service default: unlimited, exponential from 30s up to 1h", () => {
    const tg = resolveJob(job(), "default", "example").groups[0];
    expect(tg?.reschedule).toMatchObject({
      unlimited: true,
      delayFunction: "exponential",
      delayMs: 30_000,
      maxDelayMs: 3_600_000,
    });
    const delays = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600];
    let events: { time: number; prevAllocId: string; prevNodeId: string; delayMs: number }[] = [];
    for (const want of delays) {
      const a = alloc("n0", {
        clientStatus: "failed",
        rescheduleEvents: events,
        modifyTime: (events.at(-1)?.time ?? 0) + 1000,
      });
      const d = nextDelay(a, tg?.reschedule ?? (undefined as never));
      expect(d / 1000).toBe(want);
      events = [...events, { time: a.modifyTime, prevAllocId: a.id, prevNodeId: "n0", delayMs: d }];
    }
  });

  it("batch default: 1 attempt in 24h, constant 5s; system jobs never reschedule", () => {
    const batch = resolveJob(job({ type: "batch" }), "default", "b").groups[0];
    expect(batch?.reschedule).toMatchObject({
      attempts: 1,
      intervalMs: 86_400_000,
      delayMs: 5000,
      delayFunction: "constant",
      unlimited: false,
    });
    expect(
      resolveJob(job({ type: "system" }), "default", "s").groups[0]?.reschedule,
    ).toBeUndefined();
  });

  it("`attempts = 0, unlimited = false` turns rescheduling off", () => {
    const plan = run({
      allocs: [alloc("n0", { clientStatus: "failed", modifyTime: 0 })],
      job: job({ reschedule: { attempts: 0, unlimited: false } }),
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.followupEvals).toHaveLength(0);
  });
});

describe("migrate block", () => {
  it("defaults to max_parallel = 1", () => {
    const ns = [node("n0", { draining: true, eligible: false }), node("n1"), node("n2")];
    const allocs = [0, 1].map((index) => alloc("n0", { index }));
    const plan = run({ nodes: ns, allocs, job: job({}, { count: 2 }) });
    expect(plan.placements).toHaveLength(1);
  });
});
