// The rollout of a new version (Nomad's computeCanaries and
// computeDestructiveUpdates): while the group wants canaries, place them
// (under the names of the allocations they will replace) and wait for
// promotion; otherwise replace old allocations, at most update.max_parallel
// at a time less this deployment's allocations not yet healthy. A paused or
// failed deployment holds everything.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc, SchedulerDeployment } from "../types.js";
import {
  allocName,
  type GroupChanges,
  indexAllocator,
  noChanges,
  type PlaceRequest,
  replacement,
} from "./results.js";
import type { GroupUpdates } from "./updates.js";

export interface Rollout {
  /** Canary placements, in `changes.place`. */
  readonly changes: GroupChanges;
  /** Old allocations replaced now: each stops once its replacement is placed. */
  readonly destructive: { alloc: SchedulerAlloc; request: PlaceRequest }[];
}

export function rollout(
  jobId: string,
  tg: ResolvedGroup,
  updates: Pick<GroupUpdates, "canaries" | "current" | "destructive" | "wantCanaries" | "paused">,
  deployment: SchedulerDeployment | undefined,
  /** Indexes taken in the group. */
  used: ReadonlySet<number>,
): Rollout {
  const changes = noChanges();
  const destructive: Rollout["destructive"] = [];
  const { canaries, current, wantCanaries, paused } = updates;
  if (paused) return { changes, destructive };
  if (wantCanaries) {
    const next = indexAllocator(new Set(used));
    for (let k = canaries.length; k < tg.update.canary; k++) {
      const ref = updates.destructive[k];
      const index = ref ? ref.index : next();
      changes.place.push({
        group: tg,
        name: allocName(jobId, tg.name, index),
        index,
        reason: "canary",
        canary: true,
      });
      changes.desired.canary++;
    }
    return { changes, destructive };
  }
  const old = [...updates.destructive].sort((x, y) => x.index - y.index);
  if (old.length === 0) return { changes, destructive };
  let budget = old.length;
  if (tg.update.maxParallel > 0) {
    const unhealthy = current.filter(
      (a) =>
        !a.canary &&
        deployment !== undefined &&
        a.deploymentId === deployment.id &&
        a.healthy !== true,
    ).length;
    budget = Math.max(0, tg.update.maxParallel - unhealthy);
  }
  for (const a of old.slice(0, budget)) {
    const request = replacement(tg, a, "destructive", {
      preferredNode: tg.sticky ? a.nodeId : undefined,
    });
    destructive.push({ alloc: a, request });
    changes.desired.destructiveUpdate++;
  }
  changes.desired.ignore += Math.max(0, old.length - budget);
  return { changes, destructive };
}
