// Deployment health with update { health_check = "checks" }: an allocation
// whose group has Nomad service checks is healthy only once its tasks run and
// every check has passed for min_healthy_time, as Nomad's health watcher.
import { describe, expect, it } from "vitest";
import {
  allocationHealth,
  type HealthStrategy,
  strategyFor,
} from "../../../src/controllers/deployments/health.js";
import type { AllocationCheckStatus } from "../../../src/crds/allocation.js";
import type { NomadJobSpec } from "../../../src/crds/job/index.js";
import type { NomadAllocation } from "../../../src/crds/objects.js";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

const job = (healthCheck: "checks" | "task_states", onUpdate?: "ignore"): NomadJobSpec =>
  ({
    type: "service",
    update: { healthCheck, minHealthyTime: "10s", healthyDeadline: "60s" },
    groups: [
      {
        name: "web",
        services: [
          {
            provider: "nomad",
            port: "http",
            checks: [{ type: "http", path: "/", interval: "1s", timeout: "1s" }],
          },
        ],
        tasks: [
          {
            name: "t",
            driver: "raw_exec",
            services: [
              {
                provider: "nomad",
                port: "http",
                checks: [
                  { type: "tcp", interval: "1s", timeout: "1s", ...(onUpdate ? { onUpdate } : {}) },
                ],
              },
              // Consul checks are Consul's to run; none runs here.
              { provider: "consul", checks: [{ type: "tcp", interval: "1s", timeout: "1s" }] },
            ],
          },
        ],
      },
    ],
  }) as unknown as NomadJobSpec;

const check = (
  id: string,
  status: AllocationCheckStatus["status"],
  since: number,
  mode: AllocationCheckStatus["mode"] = "healthiness",
): AllocationCheckStatus => ({ id, check: id, service: "s", mode, status, timestamp: iso(since) });

function alloc(checks: AllocationCheckStatus[] | undefined): NomadAllocation {
  return {
    metadata: { name: "a", namespace: "default", creationTimestamp: iso(t0) },
    spec: { jobName: "j", group: "web", desiredStatus: "run", resources: {} },
    status: {
      clientStatus: "running",
      taskStates: { t: { state: "running", startedAt: iso(t0 + 1_000) } },
      ...(checks ? { checks } : {}),
    },
  } as unknown as NomadAllocation;
}

describe("allocation health with service checks", () => {
  const strategy: HealthStrategy = strategyFor(job("checks"), "web");

  it("counts the group's and its tasks' Nomad checks", () => {
    expect(strategy.checks).toBe(2);
    expect(strategyFor(job("task_states"), "web").checks).toBe(2);
  });

  it("waits for every check to be reported and passing", () => {
    // Tasks alone would be healthy at t0 + 11 s.
    expect(allocationHealth(alloc(undefined), strategy, t0 + 20_000).kind).toBe("pending");
    const onePending = alloc([check("a", "success", t0 + 2_000), check("b", "pending", t0)]);
    expect(allocationHealth(onePending, strategy, t0 + 20_000).kind).toBe("pending");
    const oneReported = alloc([check("a", "success", t0 + 2_000)]);
    expect(allocationHealth(oneReported, strategy, t0 + 20_000).kind).toBe("pending");
  });

  it("is healthy min_healthy_time after the last check began passing", () => {
    const a = alloc([check("a", "success", t0 + 2_000), check("b", "success", t0 + 15_000)]);
    expect(allocationHealth(a, strategy, t0 + 20_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 25_000,
    });
    expect(allocationHealth(a, strategy, t0 + 25_000)).toEqual({
      kind: "healthy",
      at: t0 + 25_000,
    });
  });

  it("is unhealthy at the healthy deadline while a check fails", () => {
    const a = alloc([check("a", "success", t0 + 2_000), check("b", "failure", t0 + 2_000)]);
    expect(allocationHealth(a, strategy, t0 + 59_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 60_000,
    });
    expect(allocationHealth(a, strategy, t0 + 60_000)).toEqual({
      kind: "unhealthy",
      at: t0 + 60_000,
      reason: "service checks not passing by healthy deadline",
    });
  });

  it("does not wait for a failing check whose on_update is ignore", () => {
    const s = strategyFor(job("checks", "ignore"), "web");
    const a = alloc([
      check("a", "success", t0 + 2_000),
      check("b", "failure", t0 + 2_000, "readiness"),
    ]);
    expect(allocationHealth(a, s, t0 + 12_000)).toEqual({ kind: "healthy", at: t0 + 12_000 });
  });

  it("ignores checks with health_check = task_states", () => {
    const s = strategyFor(job("task_states"), "web");
    const a = alloc([check("a", "failure", t0 + 2_000)]);
    expect(allocationHealth(a, s, t0 + 11_000)).toEqual({ kind: "healthy", at: t0 + 11_000 });
  });
});

describe("allocation health after an in-place update", () => {
  const s = strategyFor(job("task_states"), "web");
  const joined = (at: number): NomadAllocation => {
    const a = alloc(undefined);
    return {
      ...a,
      status: { ...a.status, deploymentStatus: { joinedAt: iso(at) } },
    } as NomadAllocation;
  };

  it("is judged from when the allocation joined the new deployment", () => {
    // Running since t0 + 1 s, so healthy long ago in its first deployment.
    const a = joined(t0 + 300_000);
    expect(allocationHealth(a, s, t0 + 305_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 310_000,
    });
    expect(allocationHealth(a, s, t0 + 310_000)).toEqual({ kind: "healthy", at: t0 + 310_000 });
  });

  it("has its healthy deadline counted from then too", () => {
    const a = joined(t0 + 300_000);
    const down = {
      ...a,
      status: { ...a.status, clientStatus: "pending", taskStates: {} },
    } as NomadAllocation;
    expect(allocationHealth(down, s, t0 + 100_000)).toEqual({
      kind: "pending",
      recheckAt: t0 + 360_000,
    });
  });
});
