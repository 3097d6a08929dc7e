// The reschedule policy: when a failed allocation may be replaced, and
// whether it may be at all. Attempts count reschedule events within the
// sliding interval before the failure; the delay grows by the delay function
// up to max_delay, and starts over once an allocation ran longer than the
// ceiling before failing again.
import type { ResolvedReschedule } from "./defaults.js";
import type { SchedulerAlloc } from "./types.js";

/** Within this window a reschedule counts as "now" (Nomad's batched reschedule window). */
export const RESCHEDULE_WINDOW_MS = 1000;

export function nextDelay(alloc: SchedulerAlloc, policy: ResolvedReschedule): number {
  const events = alloc.rescheduleEvents;
  const last = events[events.length - 1];
  if (!last) return policy.delayMs;
  let delay = policy.delayMs;
  if (policy.delayFunction === "exponential") {
    delay = last.delayMs * 2;
  } else if (policy.delayFunction === "fibonacci") {
    const prev = events[events.length - 2];
    if (prev) {
      // A reset (ceiling then base) starts a new series.
      delay =
        prev.delayMs === policy.maxDelayMs && last.delayMs === policy.delayMs
          ? last.delayMs
          : last.delayMs + prev.delayMs;
    }
  } else {
    return delay;
  }
  if (policy.maxDelayMs > 0 && delay > policy.maxDelayMs) {
    delay = policy.maxDelayMs;
    // The allocation ran longer than the ceiling since its last reschedule: start over.
    if (alloc.modifyTime - last.time > delay) delay = policy.delayMs;
  }
  return delay;
}

/** Reschedule events counted against attempts: those within the interval before the failure. */
export function attemptsInInterval(
  alloc: SchedulerAlloc,
  policy: ResolvedReschedule,
  failTime: number,
): number {
  let n = 0;
  for (const e of alloc.rescheduleEvents) if (failTime - e.time < policy.intervalMs) n++;
  return n;
}

export type RescheduleDecision =
  | { readonly kind: "now"; readonly delayMs: number }
  | { readonly kind: "later"; readonly at: number; readonly delayMs: number }
  | { readonly kind: "never" };

/** What to do with a failed allocation at time `now`. */
export function rescheduleDecision(
  alloc: SchedulerAlloc,
  policy: ResolvedReschedule | undefined,
  now: number,
): RescheduleDecision {
  if (alloc.desiredTransition?.forceReschedule) return { kind: "now", delayMs: 0 };
  if (!policy || alloc.clientStatus !== "failed" || alloc.desiredStatus !== "run") {
    return { kind: "never" };
  }
  const failTime = alloc.modifyTime;
  const delay = nextDelay(alloc, policy);
  let eligible = policy.unlimited;
  if (!policy.unlimited && policy.attempts > 0) {
    eligible =
      attemptsInInterval(alloc, policy, failTime) < policy.attempts &&
      (alloc.rescheduleEvents.length === 0 || delay < policy.intervalMs);
  }
  if (!eligible) return { kind: "never" };
  const at = failTime + delay;
  return at <= now + RESCHEDULE_WINDOW_MS
    ? { kind: "now", delayMs: delay }
    : { kind: "later", at, delayMs: delay };
}
