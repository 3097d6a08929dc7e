// Allocation health within a deployment, as Nomad's client health watcher
// judges it: healthy once its tasks have run for min_healthy_time without
// failing (with health_check = "checks", and its Nomad service checks passing
// for min_healthy_time too), unhealthy when a task fails or healthy_deadline
// passes first. An allocation updated in place is judged from when it joined
// the new deployment, as Nomad's client restarts its health watcher then.
// Pure: the allocation, its group's update strategy and the clock go in.

import { durationMs } from "../../common/duration.js";
import type { AllocationCheckStatus } from "../../crds/allocation.js";
import { defaultUpdateStrategy } from "../../crds/job/defaults.js";
import type { NomadJobSpec, ServiceBase, TaskGroup, UpdateStrategy } from "../../crds/job/index.js";
import type { NomadAllocation } from "../../crds/objects.js";

/** A group's update block with Nomad's defaults, in milliseconds. */
export interface HealthStrategy {
  healthCheck: "checks" | "task_states" | "manual";
  minHealthyMs: number;
  healthyDeadlineMs: number;
  progressDeadlineMs: number;
  autoRevert: boolean;
  autoPromote: boolean;
  canary: number;
  /** How many Nomad service checks the group's allocations run (0: health is task states only). */
  checks: number;
}

/** The group's checks the node agent runs: http and tcp checks of services with provider "nomad". */
export function nomadCheckCount(tg: TaskGroup | undefined): number {
  const count = (services: readonly ServiceBase[] | undefined) =>
    (services ?? [])
      .filter((s) => s.provider === "nomad")
      .flatMap((s) => s.checks ?? [])
      .filter((c) => c.type === "http" || c.type === "tcp").length;
  return count(tg?.services) + (tg?.tasks ?? []).reduce((n, t) => n + count(t.services), 0);
}

/** What update and migrate blocks share: how health is judged, Nomad's defaults already filled in. */
export function healthRules(
  block: Required<Pick<UpdateStrategy, "healthCheck" | "minHealthyTime" | "healthyDeadline">>,
  tg: TaskGroup | undefined,
): Pick<HealthStrategy, "healthCheck" | "minHealthyMs" | "healthyDeadlineMs" | "checks"> {
  return {
    healthCheck: block.healthCheck,
    minHealthyMs: durationMs(block.minHealthyTime, 0),
    healthyDeadlineMs: durationMs(block.healthyDeadline, 0),
    checks: nomadCheckCount(tg),
  };
}

export function strategyFor(job: NomadJobSpec | undefined, group: string): HealthStrategy {
  const tg = job?.groups.find((g) => g.name === group);
  const u: Required<UpdateStrategy> = { ...defaultUpdateStrategy, ...job?.update, ...tg?.update };
  return {
    ...healthRules(u, tg),
    progressDeadlineMs: durationMs(u.progressDeadline, 0),
    autoRevert: u.autoRevert,
    autoPromote: u.autoPromote,
    canary: u.canary,
  };
}

export type HealthVerdict =
  | { kind: "healthy"; at: number }
  | { kind: "unhealthy"; at: number; reason: string }
  /** Not decided yet; look again at `recheckAt` (ms). */
  | { kind: "pending"; recheckAt: number };

const time = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * The allocation's health now. `firstSeenRunning` is when the caller first saw
 * it running, used when the agent reported no task start times.
 */
export function allocationHealth(
  alloc: NomadAllocation,
  strategy: HealthStrategy,
  now: number,
  firstSeenRunning?: number,
): HealthVerdict {
  const status = alloc.status ?? {};
  // An allocation updated in place is watched afresh from when it joined the deployment.
  const joined = time(status.deploymentStatus?.joinedAt);
  const created = joined ?? time(alloc.metadata.creationTimestamp) ?? now;
  const deadline = created + strategy.healthyDeadlineMs;
  const client = status.clientStatus ?? "pending";
  if (client === "failed" || client === "lost")
    return { kind: "unhealthy", at: now, reason: `allocation ${client}` };
  const states = Object.entries(status.taskStates ?? {});
  const failedTask = states.find(([, s]) => s.failed);
  if (failedTask) return { kind: "unhealthy", at: now, reason: `task ${failedTask[0]} failed` };
  // Health set through the API only: nothing to decide here.
  if (strategy.healthCheck === "manual")
    return { kind: "pending", recheckAt: Number.POSITIVE_INFINITY };

  // Running means every task that is not a finished lifecycle task runs; the
  // healthy clock starts at the latest (re)start.
  let runningSince: number | undefined;
  if (client === "running") {
    const running = states.filter(([, s]) => s.state === "running");
    const allUp = states.every(
      ([, s]) => s.state === "running" || (s.state === "dead" && !s.failed),
    );
    if (states.length === 0) runningSince = time(status.modifyTime) ?? firstSeenRunning ?? now;
    else if (allUp && running.length > 0) {
      runningSince = 0;
      for (const [, s] of running) {
        const started = Math.max(time(s.startedAt) ?? 0, time(s.lastRestart) ?? 0);
        runningSince = Math.max(runningSince, started || (firstSeenRunning ?? now));
      }
    }
  }
  if (runningSince !== undefined && joined !== undefined)
    runningSince = Math.max(runningSince, joined);
  // Checks count only while the tasks run; they must pass for min_healthy_time too.
  if (runningSince !== undefined && strategy.healthCheck === "checks" && strategy.checks > 0) {
    const since = checksPassingSince(status.checks ?? [], strategy.checks);
    if (since === undefined) {
      if (now >= deadline)
        return {
          kind: "unhealthy",
          at: deadline,
          reason: "service checks not passing by healthy deadline",
        };
      // The agent reports check changes; the deadline is the next thing to look at.
      return { kind: "pending", recheckAt: deadline };
    }
    runningSince = Math.max(runningSince, since);
  }
  if (runningSince !== undefined) {
    const healthyAt = runningSince + strategy.minHealthyMs;
    if (healthyAt <= now && healthyAt <= deadline) return { kind: "healthy", at: healthyAt };
    if (healthyAt <= deadline) return { kind: "pending", recheckAt: healthyAt };
  }
  if (now >= deadline)
    return { kind: "unhealthy", at: deadline, reason: "healthy deadline reached" };
  return { kind: "pending", recheckAt: deadline };
}

/**
 * Since when every check has passed, or undefined while one does not (or has
 * not been reported yet). As Nomad's health watcher: a pending check never
 * passes; a failing readiness check (on_update = "ignore") does not hold the
 * allocation back; Nomad checks have no warning state, so ignore_warnings
 * is require_healthy.
 */
export function checksPassingSince(
  checks: readonly AllocationCheckStatus[],
  expected: number,
): number | undefined {
  if (checks.length < expected) return undefined;
  let since = 0;
  for (const c of checks) {
    if (c.status === "pending") return undefined;
    if (c.status === "failure" && c.mode !== "readiness") return undefined;
    // A readiness check's own failure does not restart the clock.
    if (c.status === "success") since = Math.max(since, time(c.timestamp) ?? 0);
  }
  return since;
}
