// What happens over time to a job's allocations: rolling updates (update),
// node drains (migrate), replacement of failed allocations (reschedule),
// local restarts of failed tasks (restart) and lost clients (disconnect).
import type { Duration, Integer } from "../common.js";

/**
 * The rolling update and canary strategy (`update` block). Set on the job it
 * applies to every group; a group's own `update` overrides it field by field.
 */
export interface UpdateStrategy {
  /**
   * How many allocations are replaced at once; 0 turns deployments off for the group. Nomad's default is 1.
   * @minimum 0
   */
  maxParallel?: Integer;
  /** How an allocation is judged healthy: "checks" (tasks running and service checks passing), "task_states" (tasks running) or "manual" (set through the API). Nomad's default is "checks". */
  healthCheck?: "checks" | "task_states" | "manual";
  /** How long an allocation must stay healthy before it counts as healthy. Nomad's default is "10s". */
  minHealthyTime?: Duration;
  /** How long an allocation has to become healthy before it is marked unhealthy. Nomad's default is "5m". */
  healthyDeadline?: Duration;
  /** How long the deployment may go without a new allocation becoming healthy before it fails; "0s" disables the deadline. Nomad's default is "10m". */
  progressDeadline?: Duration;
  /**
   * How many canaries are placed before the old allocations are replaced. Nomad's default is 0 (no canaries).
   * @minimum 0
   */
  canary?: Integer;
  /** Whether a failed deployment rolls the job back to its last stable version. Nomad's default is false. */
  autoRevert?: boolean;
  /** Whether canaries are promoted automatically once they are all healthy. Nomad's default is false. */
  autoPromote?: boolean;
  /** Delay between updates of system-job allocations (legacy). Nomad's default is "30s". */
  stagger?: Duration;
}

/** How allocations move off a draining node (`migrate` block). Only service jobs use it. */
export interface MigrateStrategy {
  /**
   * How many allocations of the group migrate at once. Nomad's default is 1.
   * @minimum 0
   */
  maxParallel?: Integer;
  /** How a replacement is judged healthy: "checks" or "task_states". Nomad's default is "checks". */
  healthCheck?: "checks" | "task_states";
  /** How long a replacement must stay healthy before the next one is migrated. Nomad's default is "10s". */
  minHealthyTime?: Duration;
  /** How long a replacement has to become healthy. Nomad's default is "5m". */
  healthyDeadline?: Duration;
}

/**
 * How failed allocations are replaced on other nodes (`reschedule` block).
 * Defaults depend on the job type: service jobs reschedule without limit with
 * an exponential delay from "30s" to "1h"; batch jobs once per "24h" with a
 * constant "5s" delay; system jobs never.
 */
export interface ReschedulePolicy {
  /**
   * How many reschedules are allowed within interval. Ignored when unlimited is true.
   * @minimum 0
   */
  attempts?: Integer;
  /** The sliding window attempts counts within. */
  interval?: Duration;
  /** The wait before the first reschedule. */
  delay?: Duration;
  /** How the delay grows between reschedules: "constant", "exponential" or "fibonacci". */
  delayFunction?: "constant" | "exponential" | "fibonacci";
  /** The longest delay the delay function may reach. */
  maxDelay?: Duration;
  /** Whether to reschedule without limit. */
  unlimited?: boolean;
}

/**
 * How a failed task is restarted in place on its node (`restart` block), set
 * on a group or overridden per task. Defaults depend on the job type: service
 * jobs 2 attempts in "30m", batch jobs 3 attempts in "24h"; both wait "15s"
 * and "fail".
 */
export interface RestartPolicy {
  /**
   * How many restarts are allowed within interval.
   * @minimum 0
   */
  attempts?: Integer;
  /** The window the attempts are counted in. */
  interval?: Duration;
  /** The wait before each restart. Nomad's default is "15s". */
  delay?: Duration;
  /** What happens once attempts are used up within the interval: "fail" the allocation (so it may be rescheduled) or "delay" until the interval ends and try again. Nomad's default is "fail". */
  mode?: "fail" | "delay";
  /** Whether templates are rendered again before a restart. Nomad's default is false. */
  renderTemplates?: boolean;
}

/**
 * What happens to a group's allocations when their client stops
 * heartbeating (`disconnect` block, Nomad 1.8 and later).
 * @validation {"rule": "!(has(self.lostAfter) && has(self.stopOnClientAfter))", "message": "lostAfter and stopOnClientAfter cannot both be set"}
 */
export interface DisconnectStrategy {
  /** How long allocations on a disconnected client stay "unknown" before they are marked lost; unset means lost at once. */
  lostAfter?: Duration;
  /** Whether a replacement is placed while the client is disconnected. Nomad's default is true. */
  replace?: boolean;
  /** Which allocation is kept when the client comes back and both the original and its replacement run: "keep_original", "keep_replacement", "best_score" or "longest_running". Nomad's default is "best_score". */
  reconcile?: "keep_original" | "keep_replacement" | "best_score" | "longest_running";
  /** How long a client that lost contact with the servers waits before stopping its allocations itself. */
  stopOnClientAfter?: Duration;
}
