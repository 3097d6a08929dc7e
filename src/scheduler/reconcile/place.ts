// Nomad's computePlacements for new allocations: up to the group's count,
// under the lowest free indexes, unless the rollout holds (a paused or failed
// deployment, or canaries still to be placed or promoted).
import type { ResolvedGroup } from "../defaults.js";
import { allocName, type GroupChanges, indexAllocator, noChanges } from "./results.js";

export function placeMissing(
  jobId: string,
  tg: ResolvedGroup,
  /** Allocations counting toward the group's count. */
  total: number,
  /** Indexes taken in the group. */
  used: ReadonlySet<number>,
  held: boolean,
): GroupChanges {
  const changes = noChanges();
  if (held || total >= tg.count) return changes;
  const next = indexAllocator(new Set(used));
  for (let k = total; k < tg.count; k++) {
    const index = next();
    changes.place.push({
      group: tg,
      name: allocName(jobId, tg.name, index),
      index,
      reason: "new",
      canary: false,
    });
    changes.desired.place++;
  }
  return changes;
}
