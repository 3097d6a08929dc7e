// Nomad's computeStop: past the group's count, allocations go: old versions
// whose name a new allocation (a promoted canary) already carries first,
// then other old versions, then the highest indexes.
import type { SchedulerAlloc } from "../types.js";
import { type GroupChanges, noChanges, REASONS } from "./results.js";

export function scaleDown(
  /** Untainted allocations that count toward the group's count. */
  regular: readonly SchedulerAlloc[],
  /** Allocations of this version, canaries included. */
  current: readonly SchedulerAlloc[],
  /** How many are too many. */
  excess: number,
  version: number,
  promoted: boolean,
): GroupChanges {
  const changes = noChanges();
  if (excess <= 0) return changes;
  const currentIndexes = new Set(current.map((a) => a.index));
  const rankOf = (a: SchedulerAlloc) =>
    a.jobVersion === version ? 0 : currentIndexes.has(a.index) ? 2 : 1;
  const victims = [...regular].sort((x, y) => rankOf(y) - rankOf(x) || y.index - x.index);
  for (const a of victims.slice(0, excess)) {
    changes.stop.push({
      alloc: a,
      reason: promoted && a.jobVersion !== version ? REASONS.canaryPromoted : REASONS.countReduced,
    });
    changes.desired.stop++;
  }
  return changes;
}
