// Allocation health within a deployment, as Nomad's client health watcher
// judges it: healthy once its tasks have run for min_healthy_time without
// failing, unhealthy when a task fails or healthy_deadline passes first.
// Pure: the allocation, its group's update strategy and the clock go in.
import type { NomadJobSpec, UpdateStrategy } from "../../crds/job/index.js";
import type { NomadAllocation } from "../../crds/objects.js";
import { durationMs } from "../../scheduler/duration.js";

/** A group's update block with Nomad's defaults, in milliseconds. */
export interface HealthStrategy {
  healthCheck: "checks" | "task_states" | "manual";
  minHealthyMs: number;
  healthyDeadlineMs: number;
  progressDeadlineMs: number;
  autoRevert: boolean;
  autoPromote: boolean;
  canary: number;
}

export function strategyFor(job: NomadJobSpec | undefined, group: string): HealthStrategy {
  const tg = job?.groups.find((g) => g.name === group);
  const u: UpdateStrategy = { ...job?.update, ...tg?.update };
  return {
    healthCheck: u.healthCheck ?? "checks",
    minHealthyMs: durationMs(u.minHealthyTime, 10_000),
    healthyDeadlineMs: durationMs(u.healthyDeadline, 300_000),
    progressDeadlineMs: durationMs(u.progressDeadline, 600_000),
    autoRevert: u.autoRevert ?? false,
    autoPromote: u.autoPromote ?? false,
    canary: u.canary ?? 0,
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
  const created = time(alloc.metadata.creationTimestamp) ?? now;
  const deadline = created + strategy.healthyDeadlineMs;
  const status = alloc.status ?? {};
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
  if (runningSince !== undefined) {
    const healthyAt = runningSince + strategy.minHealthyMs;
    if (healthyAt <= now && healthyAt <= deadline) return { kind: "healthy", at: healthyAt };
    if (healthyAt <= deadline) return { kind: "pending", recheckAt: healthyAt };
  }
  if (now >= deadline)
    return { kind: "unhealthy", at: deadline, reason: "healthy deadline reached" };
  return { kind: "pending", recheckAt: deadline };
}
