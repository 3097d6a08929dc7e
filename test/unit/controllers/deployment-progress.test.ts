// The deployment watcher's pure rules: when an allocation counts as healthy
// or unhealthy, and what a deployment's status becomes from its allocations,
// the user's actions and the clock.
import { describe, expect, it } from "vitest";
import {
  allocationHealth,
  type HealthStrategy,
  strategyFor,
} from "../../../src/controllers/deployments/health.js";
import { deploymentProgress } from "../../../src/controllers/deployments/progress.js";
import type { NomadAllocation, NomadDeployment } from "../../../src/crds/objects.js";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const strategy: HealthStrategy = {
  ...strategyFor(undefined, "web"),
  minHealthyMs: 10_000,
  healthyDeadlineMs: 60_000,
  progressDeadlineMs: 120_000,
};

function alloc(name: string, status: NomadAllocation["status"], created = t0): NomadAllocation {
  return {
    metadata: { name, namespace: "default", creationTimestamp: iso(created) },
    spec: {
      jobName: "j",
      jobVersion: 1,
      group: "web",
      nodeName: "n",
      desiredStatus: "run",
      name: `j.web[${name}]`,
      index: 0,
      evalName: "e",
      deploymentName: "d",
      resources: {},
    },
    ...(status ? { status } : {}),
  } as NomadAllocation;
}

function deployment(
  groups: NonNullable<NomadDeployment["status"]>["groups"],
  spec: Partial<NomadDeployment["spec"]> = {},
): NomadDeployment {
  return {
    metadata: { name: "d", namespace: "default", creationTimestamp: iso(t0) },
    spec: { jobName: "j", jobVersion: 1, ...spec },
    status: { status: "running", groups },
  } as NomadDeployment;
}

const running = (since: number) => ({
  clientStatus: "running" as const,
  taskStates: { t: { state: "running" as const, startedAt: iso(since) } },
});

describe("allocation health", () => {
  it("is healthy min_healthy_time after its tasks started, not before", () => {
    const a = alloc("a", running(t0 + 1_000));
    expect(allocationHealth(a, strategy, t0 + 5_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 11_000,
    });
    expect(allocationHealth(a, strategy, t0 + 11_000)).toEqual({
      kind: "healthy",
      at: t0 + 11_000,
    });
  });

  it("restarts the clock when a task restarts", () => {
    const a = alloc("a", {
      clientStatus: "running",
      taskStates: {
        t: { state: "running", startedAt: iso(t0), lastRestart: iso(t0 + 8_000), restarts: 1 },
      },
    });
    expect(allocationHealth(a, strategy, t0 + 12_000).kind).toBe("pending");
    expect(allocationHealth(a, strategy, t0 + 18_000).kind).toBe("healthy");
  });

  it("is unhealthy when a task fails, or when healthy_deadline passes first", () => {
    const failed = alloc("a", { clientStatus: "failed" });
    expect(allocationHealth(failed, strategy, t0 + 1_000).kind).toBe("unhealthy");
    const stuck = alloc("b", { clientStatus: "pending" });
    expect(allocationHealth(stuck, strategy, t0 + 59_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 60_000,
    });
    expect(allocationHealth(stuck, strategy, t0 + 60_000)).toMatchObject({
      kind: "unhealthy",
      reason: "healthy deadline reached",
    });
  });

  it("reads the group's update block over the job's, with Nomad's defaults", () => {
    const s = strategyFor(
      {
        update: { minHealthyTime: "30s", autoRevert: true },
        groups: [{ name: "web", update: { minHealthyTime: "5s" }, tasks: [] }],
      } as never,
      "web",
    );
    expect(s).toMatchObject({
      minHealthyMs: 5_000,
      healthyDeadlineMs: 300_000,
      progressDeadlineMs: 600_000,
      autoRevert: true,
    });
  });
});

describe("deployment progress", () => {
  const healthy = (name: string, at: number) =>
    alloc(name, { ...running(t0), deploymentStatus: { healthy: true, timestamp: iso(at) } });
  const strategies = { web: strategy };

  it("succeeds when every group has its desired total healthy", () => {
    const dep = deployment({ web: { desiredTotal: 2, desiredCanaries: 0 } });
    const p = deploymentProgress({
      deployment: dep,
      allocs: [healthy("a", t0 + 1), healthy("b", t0 + 2)],
      strategies,
      now: t0 + 5_000,
    });
    expect(p.status).toMatchObject({
      status: "successful",
      statusDescription: "Deployment completed successfully",
      groups: { web: { placedAllocs: 2, healthyAllocs: 2, unhealthyAllocs: 0 } },
    });
  });

  it("fails at the progress deadline, which each healthy allocation pushes back", () => {
    const dep = deployment({ web: { desiredTotal: 3, desiredCanaries: 0 } });
    const allocs = [healthy("a", t0 + 60_000)];
    const before = deploymentProgress({ deployment: dep, allocs, strategies, now: t0 + 150_000 });
    expect(before.status.status).toBe("running");
    expect(before.recheckAt).toBe(t0 + 180_000);
    const after = deploymentProgress({ deployment: dep, allocs, strategies, now: t0 + 180_000 });
    expect(after.status).toMatchObject({
      status: "failed",
      statusDescription: "Failed due to progress deadline",
    });
  });

  it("fails on an unhealthy allocation and rolls back with auto_revert", () => {
    const dep = deployment({ web: { desiredTotal: 2, autoRevert: true } });
    const bad = alloc("b", { clientStatus: "failed", deploymentStatus: { healthy: false } });
    const p = deploymentProgress({
      deployment: dep,
      allocs: [healthy("a", t0), bad],
      strategies,
      stableVersion: 0,
      now: t0 + 1_000,
    });
    expect(p.revertTo).toBe(0);
    expect(p.status.statusDescription).toBe(
      "Failed due to unhealthy allocations - rolling back to job version 0",
    );
    const none = deploymentProgress({
      deployment: dep,
      allocs: [bad],
      strategies,
      now: t0 + 1_000,
    });
    expect(none.revertTo).toBeUndefined();
    expect(none.status.statusDescription).toBe(
      "Failed due to unhealthy allocations - no stable job version to auto revert to",
    );
  });

  it("waits for promotion with healthy canaries, promotes when asked or with auto_promote", () => {
    const groups = { web: { desiredTotal: 4, desiredCanaries: 1, placedCanaries: ["c"] } };
    const canary = healthy("c", t0 + 1_000);
    const waiting = deploymentProgress({
      deployment: deployment(groups),
      allocs: [canary],
      strategies,
      now: t0 + 500_000, // no progress deadline while waiting for promotion
    });
    expect(waiting.status).toMatchObject({
      status: "running",
      statusDescription: "Deployment is running but requires manual promotion",
    });
    expect(waiting.promoted).toEqual([]);
    const asked = deploymentProgress({
      deployment: deployment(groups, { promote: true }),
      allocs: [canary],
      strategies,
      now: t0 + 500_000,
    });
    expect(asked.promoted).toEqual(["web"]);
    expect(asked.status.groups?.web?.requireProgressBy).toBe(iso(t0 + 620_000));
    const auto = deploymentProgress({
      deployment: deployment({ web: { ...groups.web, autoPromote: true } }),
      allocs: [canary],
      strategies,
      now: t0 + 2_000,
    });
    expect(auto.promoted).toEqual(["web"]);
    const unhealthyCanary = deploymentProgress({
      deployment: deployment({ web: { ...groups.web, autoPromote: true } }),
      allocs: [alloc("c", running(t0))],
      strategies,
      now: t0 + 2_000,
    });
    expect(unhealthyCanary.promoted).toEqual([]);
  });

  it("pauses, fails and cancels as the user and the job say", () => {
    const groups = { web: { desiredTotal: 2 } };
    const args = { allocs: [], strategies, now: t0 };
    expect(
      deploymentProgress({ ...args, deployment: deployment(groups, { paused: true }) }).status,
    ).toMatchObject({ status: "paused", statusDescription: "Deployment is paused" });
    expect(
      deploymentProgress({ ...args, deployment: deployment(groups, { fail: true }) }).status,
    ).toMatchObject({ status: "failed", statusDescription: "Deployment marked as failed" });
    expect(
      deploymentProgress({
        ...args,
        deployment: deployment(groups),
        cancel: "Cancelled due to newer version of job",
      }).status.status,
    ).toBe("cancelled");
  });
});
