// Nomad's restart policy for a task, decided locally by the agent: after an
// exit, restart after `delay` while fewer than `attempts` restarts happened in
// the last `interval`; then fail the task (mode "fail") or wait for the
// interval to pass and start counting again (mode "delay"). Pure.
import { durationMs } from "../common/duration.js";
import { defaultRestartPolicy, runsToCompletion } from "../crds/job/defaults.js";
import type { RestartPolicy } from "../crds/job/policies.js";

export interface RestartDecision {
  restart: boolean;
  /** How long to wait before starting again. */
  delayMs: number;
  reason: string;
}

/**
 * What to do after a task exited. `succeeded` exits of batch tasks never
 * restart (the task is done); service tasks restart whatever their exit code,
 * as they are meant to run until stopped. `restarts` are the earlier restart
 * times (ms), newest last.
 */
export function decideRestart(
  jobType: string,
  policy: RestartPolicy | undefined,
  succeeded: boolean,
  restarts: readonly number[],
  now: number,
): RestartDecision {
  const batch = runsToCompletion(jobType);
  if (batch && succeeded) return { restart: false, delayMs: 0, reason: "task completed" };
  const defaults = defaultRestartPolicy(jobType);
  const attempts = policy?.attempts ?? defaults.attempts;
  const intervalMs = durationMs(policy?.interval ?? defaults.interval, 0);
  const delayMs = durationMs(policy?.delay ?? defaults.delay, 0);
  const mode = policy?.mode ?? defaults.mode;
  const recent = restarts.filter((t) => now - t < intervalMs).length;
  if (recent < attempts) {
    return {
      restart: true,
      delayMs,
      reason: `Restart within policy: ${recent + 1} of ${attempts} in ${policy?.interval ?? defaults.interval}`,
    };
  }
  if (mode === "delay") {
    const oldest = restarts.filter((t) => now - t < intervalMs)[0] ?? now;
    return {
      restart: true,
      delayMs: Math.max(delayMs, oldest + intervalMs - now),
      reason: "Exceeded allowed attempts, applying a delay",
    };
  }
  return {
    restart: false,
    delayMs: 0,
    reason: `Exceeded allowed attempts ${attempts} in interval ${policy?.interval ?? defaults.interval} and mode is "fail"`,
  };
}
