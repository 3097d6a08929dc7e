// Nomad's computeReconnecting: an allocation whose node came back resumes;
// when a replacement was placed meanwhile, one of the two goes.
// keep_original, best_score and longest_running keep the original (the
// latter two as an approximation: the original has run longest and its node
// scored best when it was placed); keep_replacement keeps the replacement.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc } from "../types.js";
import type { Buckets } from "./classify.js";
import { type GroupChanges, noChanges, REASONS } from "./results.js";

export function reconcileReconnecting(
  allocs: readonly SchedulerAlloc[],
  buckets: Buckets,
  tg: ResolvedGroup,
): { changes: GroupChanges; stopped: Set<SchedulerAlloc> } {
  const changes = noChanges();
  const stopped = new Set<SchedulerAlloc>();
  const keepReplacement = tg.reconcileOnReconnect === "keep_replacement";
  const reconnected = new Set<string>();
  for (const a of buckets.reconnecting) reconnected.add(a.id);
  const replacedLive = new Set<string>();
  for (const a of allocs)
    if (a.previousAllocation && a.desiredStatus === "run" && a.clientStatus !== "complete")
      replacedLive.add(a.previousAllocation);

  for (const a of allocs) {
    const stop = keepReplacement
      ? reconnected.has(a.id) && replacedLive.has(a.id)
      : a.previousAllocation !== undefined &&
        reconnected.has(a.previousAllocation) &&
        !buckets.ignore.has(a);
    if (!stop) continue;
    changes.stop.push({
      alloc: a,
      reason: keepReplacement ? REASONS.replacementKept : REASONS.reconnected,
    });
    changes.desired.stop++;
    stopped.add(a);
  }
  for (const a of buckets.reconnecting) {
    if (stopped.has(a)) continue;
    changes.reconnect.push(a);
    changes.desired.reconnect++;
  }
  return { changes, stopped };
}
