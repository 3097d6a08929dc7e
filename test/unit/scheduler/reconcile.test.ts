import { describe, expect, it } from "vitest";
import type { SchedulerDeployment } from "../../../src/scheduler/types.js";
import { alloc, job, NOW, node, nodes, run } from "./fixtures.js";

const MIN = 60_000;

describe("reconcile: count changes", () => {
  it("scales up with the lowest free indexes", () => {
    const allocs = [alloc("n0", { index: 0 }), alloc("n1", { index: 2 })];
    const plan = run({ job: job({}, { count: 4 }), allocs });
    expect(plan.placements.map((p) => p.index).sort()).toEqual([1, 3]);
    expect(plan.annotations.desiredTGUpdates.web).toMatchObject({ place: 2, ignore: 2 });
  });

  it("scales down by stopping the highest indexes", () => {
    const allocs = [0, 1, 2].map((index) => alloc(`n${index}`, { index }));
    const plan = run({ job: job({}, { count: 1 }), allocs });
    expect(plan.placements).toHaveLength(0);
    expect(plan.stops.map((s) => s.allocId).sort()).toEqual([allocs[1]?.id, allocs[2]?.id].sort());
    expect(plan.stops[0]?.reason).toBe("alloc not needed due to job update");
  });

  it("stops everything when the job is stopped or purged", () => {
    const allocs = [alloc("n0"), alloc("n1", { index: 1 })];
    expect(run({ job: job({ stop: true }, { count: 2 }), allocs }).stops).toHaveLength(2);
    const purged = run({ job: undefined, allocs });
    expect(purged.stops.map((s) => s.reason)).toEqual([
      "alloc not needed due to job stop",
      "alloc not needed due to job stop",
    ]);
  });

  it("stops allocations of a group removed from the job", () => {
    const allocs = [alloc("n0", { group: "old" })];
    const plan = run({ allocs });
    expect(plan.stops).toEqual([
      { allocId: allocs[0]?.id, reason: "alloc not needed due to job update" },
    ]);
    expect(plan.placements).toHaveLength(1);
  });
});

describe("reconcile: lost and disconnected nodes", () => {
  it("replaces allocations on down nodes and marks them lost", () => {
    const ns = [node("n0", { status: "down" }), node("n1")];
    const a = alloc("n0");
    const plan = run({ nodes: ns, allocs: [a] });
    expect(plan.stops).toEqual([
      { allocId: a.id, reason: "alloc is lost since its node is down", clientStatus: "lost" },
    ]);
    expect(plan.placements).toMatchObject([
      { nodeId: "n1", previousAllocation: a.id, name: a.name },
    ]);
  });

  it("with disconnect.replace = false keeps a lost allocation unknown instead of replacing it", () => {
    const a = alloc("n0");
    const plan = run({
      nodes: [node("n0", { status: "down" }), node("n1")],
      allocs: [a],
      job: job({}, { disconnect: { replace: false } }),
    });
    expect(plan.disconnectUpdates).toEqual([a.id]);
    expect(plan.stops).toHaveLength(0);
    expect(plan.placements).toHaveLength(0);
  });

  it("marks allocations on a disconnected node unknown within lost_after, replaces them, and follows up", () => {
    const ns = [node("n0", { status: "disconnected", statusUpdatedAt: NOW - 5 * MIN }), node("n1")];
    const a = alloc("n0");
    const plan = run({ nodes: ns, allocs: [a], job: job({}, { disconnect: { lostAfter: "1h" } }) });
    expect(plan.disconnectUpdates).toEqual([a.id]);
    expect(plan.stops).toHaveLength(0);
    expect(plan.placements).toMatchObject([{ nodeId: "n1", previousAllocation: a.id }]);
    expect(plan.followupEvals).toMatchObject([
      { waitUntil: NOW - 5 * MIN + 60 * MIN, triggeredBy: "max-disconnect-timeout" },
    ]);
  });

  it("treats max_client_disconnect like lost_after and loses allocations past it", () => {
    const ns = [
      node("n0", { status: "disconnected", statusUpdatedAt: NOW - 90 * MIN }),
      node("n1"),
    ];
    const plan = run({
      nodes: ns,
      allocs: [alloc("n0")],
      job: job({}, { maxClientDisconnect: "1h" }),
    });
    expect(plan.stops[0]?.clientStatus).toBe("lost");
    expect(plan.placements).toHaveLength(1);
  });

  it("with stop_after_client_disconnect waits before replacing", () => {
    const ns = [node("n0", { status: "down", statusUpdatedAt: NOW - MIN }), node("n1")];
    const plan = run({
      nodes: ns,
      allocs: [alloc("n0")],
      job: job({}, { stopAfterClientDisconnect: "10m" }),
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.followupEvals[0]?.waitUntil).toBe(NOW + 9 * MIN);
  });

  it("resumes a reconnected allocation and stops its replacement", () => {
    const original = alloc("n0", { clientStatus: "unknown" });
    const replacement = alloc("n1", { previousAllocation: original.id });
    const plan = run({ nodes: nodes(2), allocs: [original, replacement] });
    expect(plan.reconnectUpdates).toEqual([original.id]);
    expect(plan.stops.map((s) => s.allocId)).toEqual([replacement.id]);
    expect(plan.placements).toHaveLength(0);
  });
});

describe("reconcile: disconnect.reconcile = keep_replacement", () => {
  it("stops the reconnected original and keeps its replacement", () => {
    const original = alloc("n0", { clientStatus: "unknown" });
    const replacement = alloc("n1", { previousAllocation: original.id });
    const plan = run({
      nodes: nodes(2),
      allocs: [original, replacement],
      job: job({}, { disconnect: { lostAfter: "1h", reconcile: "keep_replacement" } }),
    });
    expect(plan.stops.map((s) => s.allocId)).toEqual([original.id]);
    expect(plan.reconnectUpdates).toEqual([]);
    expect(plan.placements).toHaveLength(0);
  });
});

describe("reconcile: draining nodes", () => {
  it("migrates at most migrate.max_parallel at a time", () => {
    const ns = [node("n0", { draining: true, eligible: false }), ...nodes(3).slice(1)];
    const allocs = [0, 1, 2].map((index) => alloc("n0", { index }));
    const plan = run({
      nodes: ns,
      allocs,
      job: job({}, { count: 3, migrate: { maxParallel: 2 } }),
    });
    expect(plan.stops.filter((s) => s.reason === "alloc is being migrated")).toHaveLength(2);
    expect(plan.placements).toHaveLength(2);
    expect(plan.placements.every((p) => p.nodeId !== "n0" && p.previousAllocation)).toBe(true);
    expect(plan.annotations.desiredTGUpdates.web?.migrate).toBe(2);
  });
});

describe("reconcile: drain deadlines", () => {
  it("moves everything at once past the deadline or when forced", () => {
    const allocs = [0, 1, 2].map((index) => alloc("n0", { index }));
    const tg = { count: 3, migrate: { maxParallel: 1 } };
    for (const drainDeadline of [0, NOW - MIN]) {
      const ns = [
        node("n0", { draining: true, eligible: false, drainDeadline }),
        ...nodes(4).slice(1),
      ];
      expect(run({ nodes: ns, allocs, job: job({}, tg) }).placements).toHaveLength(3);
    }
    const before = [
      node("n0", { draining: true, eligible: false, drainDeadline: NOW + MIN }),
      ...nodes(4).slice(1),
    ];
    expect(run({ nodes: before, allocs, job: job({}, tg) }).placements).toHaveLength(1);
  });
});

describe("reconcile: migrations already in flight", () => {
  it("counts unhealthy replacements against migrate.max_parallel", () => {
    const ns = [node("n0", { draining: true, eligible: false }), ...nodes(3).slice(1)];
    const moved = alloc("n0", { index: 0, desiredStatus: "stop" });
    const replacement = alloc("n1", {
      index: 0,
      previousAllocation: moved.id,
      clientStatus: "pending",
    });
    const waiting = [1, 2].map((index) => alloc("n0", { index }));
    const plan = run({
      nodes: ns,
      allocs: [moved, replacement, ...waiting],
      job: job({}, { count: 3, migrate: { maxParallel: 1 } }),
    });
    expect(plan.placements).toHaveLength(0);
    const healthy = { ...replacement, clientStatus: "running" as const, healthy: true };
    const next = run({
      nodes: ns,
      allocs: [moved, healthy, ...waiting],
      job: job({}, { count: 3, migrate: { maxParallel: 1 } }),
    });
    expect(next.placements).toHaveLength(1);
  });
});

describe("reconcile: failed allocations and the reschedule policy", () => {
  it("reschedules a failed service allocation later, with the default 30s delay", () => {
    const a = alloc("n0", { clientStatus: "failed", modifyTime: NOW });
    const plan = run({ allocs: [a] });
    expect(plan.placements).toHaveLength(0);
    expect(plan.followupEvals).toMatchObject([
      { waitUntil: NOW + 30_000, triggeredBy: "failed-follow-up", allocIds: [a.id] },
    ]);
    expect(plan.annotations.desiredTGUpdates.web?.rescheduleLater).toBe(1);
  });

  it("does not create a second follow-up for an allocation that already waits for one", () => {
    const a = alloc("n0", { clientStatus: "failed", modifyTime: NOW, followupEvalId: "eval-7" });
    const plan = run({ allocs: [a] });
    expect(plan.followupEvals).toEqual([]);
    expect(plan.placements).toHaveLength(0);
  });

  it("reschedules now once the delay passed, away from the failed node", () => {
    const a = alloc("n0", { clientStatus: "failed", modifyTime: NOW - MIN });
    const plan = run({ nodes: nodes(2), allocs: [a] });
    expect(plan.placements).toHaveLength(1);
    const p = plan.placements[0];
    expect(p?.nodeId).toBe("n1"); // the reschedule penalty
    expect(p?.previousAllocation).toBe(a.id);
    expect(p?.rescheduleEvents).toMatchObject([
      { prevAllocId: a.id, prevNodeId: "n0", delayMs: 30_000 },
    ]);
  });

  it("gives up when attempts in the interval are used (batch: 1 per 24h)", () => {
    const a = alloc("n0", {
      clientStatus: "failed",
      jobType: "batch",
      modifyTime: NOW - MIN,
      rescheduleEvents: [
        { time: NOW - 10 * MIN, prevAllocId: "x", prevNodeId: "n1", delayMs: 5000 },
      ],
    });
    const plan = run({ job: job({ type: "batch" }), allocs: [a] });
    expect(plan.placements).toHaveLength(0);
    expect(plan.followupEvals).toHaveLength(0);
  });

  it("does not replace completed batch allocations", () => {
    const allocs = [
      alloc("n0", { clientStatus: "complete", jobType: "batch" }),
      alloc("n1", { index: 1, jobType: "batch" }),
    ];
    const plan = run({ job: job({ type: "batch" }, { count: 2 }), allocs });
    expect(plan.placements).toHaveLength(0);
  });

  it("replaces completed service allocations (services run forever)", () => {
    const plan = run({ allocs: [alloc("n0", { clientStatus: "complete" })] });
    expect(plan.placements).toHaveLength(1);
  });
});

describe("reconcile: updates", () => {
  const v0 = job({}, { count: 2 });
  const allocs = () => [alloc("n0", { index: 0 }), alloc("n1", { index: 1 })];

  it("updates in place when only policies change", () => {
    const v1 = job({}, { count: 2, restart: { attempts: 5 } });
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
    });
    expect(plan.inPlaceUpdates).toHaveLength(2);
    expect(plan.placements).toHaveLength(0);
    expect(plan.stops).toHaveLength(0);
  });

  it("starts a deployment for an in-place update, which the updated allocations join", () => {
    const v1 = job({ update: { maxParallel: 1 } }, { count: 2, restart: { attempts: 5 } });
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: job({ update: { maxParallel: 1 } }, { count: 2 }), version: 0 },
      allocs: allocs(),
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.deployment).toMatchObject({
      op: "create",
      jobVersion: 1,
      groups: { web: { desiredTotal: 2, placedAllocs: 0 } },
    });
    expect(plan.inPlaceUpdates.map((u) => u.deploymentId)).toEqual([
      plan.deployment?.id,
      plan.deployment?.id,
    ]);
  });

  it("starts no deployment to replace a stopped allocation of the version already running", () => {
    const v0u = job({ update: { maxParallel: 1 } }, { count: 2 });
    const plan = run({
      job: v0u,
      allocs: [
        alloc("n0", { index: 0 }),
        alloc("n1", { index: 1, desiredTransition: { migrate: true } }),
      ],
      deployment: { id: "d0", jobVersion: 0, status: "successful", groups: {} },
    });
    expect(plan.placements).toHaveLength(1);
    expect(plan.placements[0]?.deploymentId).toBeUndefined();
    expect(plan.deployment).toBeUndefined();
  });

  it("replaces allocations when a task changes (destructive), all at once without an update block", () => {
    const v1 = job(
      {},
      { count: 2, tasks: [{ name: "app", driver: "exec", config: { command: "/bin/new" } }] },
    );
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
    });
    expect(plan.inPlaceUpdates).toHaveLength(0);
    expect(plan.stops.map((s) => s.reason)).toEqual([
      "alloc is being updated due to job update",
      "alloc is being updated due to job update",
    ]);
    expect(plan.placements).toHaveLength(2);
    expect(plan.annotations.desiredTGUpdates.web?.destructiveUpdate).toBe(2);
  });

  it("limits destructive updates to update.max_parallel and creates a deployment", () => {
    const v1 = job(
      { update: { maxParallel: 1 } },
      { count: 2, tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
    });
    expect(plan.placements).toHaveLength(1);
    expect(plan.deployment).toMatchObject({
      op: "create",
      jobVersion: 1,
      groups: { web: { desiredTotal: 2, placedAllocs: 1 } },
    });
    expect(plan.placements[0]?.deploymentId).toBe(plan.deployment?.id);
  });

  it("places canaries first and waits for promotion", () => {
    const v1 = job(
      { update: { maxParallel: 1, canary: 1 } },
      { count: 2, tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
    });
    expect(plan.placements).toHaveLength(1);
    expect(plan.placements[0]?.canary).toBe(true);
    expect(plan.stops).toHaveLength(0);
    expect(plan.deployment?.groups.web).toMatchObject({
      desiredCanaries: 1,
      placedCanaries: [plan.placements[0]?.id],
    });
    expect(plan.deployment?.statusDescription).toBe(
      "Deployment is running but requires manual promotion",
    );
  });

  it("after promotion replaces old allocations at max_parallel and keeps the canary", () => {
    const v1 = job(
      { update: { maxParallel: 1, canary: 1 } },
      { count: 2, tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const dep: SchedulerDeployment = {
      id: "d1",
      jobVersion: 1,
      status: "running",
      groups: { web: { promoted: true, desiredCanaries: 1, placedCanaries: ["c"] } },
    };
    const canary = alloc("n2", {
      id: "c",
      index: 0,
      jobVersion: 1,
      canary: true,
      deploymentId: "d1",
      healthy: true,
    });
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: [...allocs(), canary],
      deployment: dep,
    });
    // The canary takes index 0's place: the old index 0 goes; the other old allocation is replaced.
    expect(plan.stops.map((s) => s.reason)).toEqual([
      "alloc not needed as canaries were promoted",
      "alloc is being updated due to job update",
    ]);
    expect(plan.placements.map((p) => p.name)).toEqual(["example.web[1]"]);
  });

  it("does nothing destructive while the deployment is paused", () => {
    const v1 = job(
      { update: { maxParallel: 1 } },
      { count: 2, tasks: [{ name: "app", driver: "exec", config: { v: 2 } }] },
    );
    const dep: SchedulerDeployment = { id: "d1", jobVersion: 1, status: "paused", groups: {} };
    const plan = run({
      job: v1,
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
      deployment: dep,
    });
    expect(plan.placements).toHaveLength(0);
    expect(plan.stops).toHaveLength(0);
  });

  it("leaves a running deployment alone when there is nothing to place", () => {
    const dep: SchedulerDeployment = {
      id: "d1",
      jobVersion: 0,
      status: "running",
      groups: { web: { placedAllocs: 2 } },
    };
    const plan = run({
      job: job({ update: { maxParallel: 1 } }, { count: 2 }),
      allocs: allocs(),
      deployment: dep,
    });
    expect(plan.deployment).toBeUndefined();
    expect(plan.placements).toHaveLength(0);
  });

  it("cancels the deployment of an older version", () => {
    const dep: SchedulerDeployment = { id: "old", jobVersion: 0, status: "running", groups: {} };
    const plan = run({
      job: job({}, { count: 2 }),
      jobVersion: 1,
      previousJob: { spec: v0, version: 0 },
      allocs: allocs(),
      deployment: dep,
    });
    expect(plan.cancelledDeployments).toEqual([
      { id: "old", description: "Cancelled due to newer version of job" },
    ]);
  });
});
