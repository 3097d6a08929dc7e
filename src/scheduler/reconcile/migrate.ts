// Nomad's computeMigrations: allocations on draining nodes move, at most
// migrate.max_parallel at a time (replacements not yet healthy count
// against it); past the drain's deadline, or for a forced drain, everything
// left moves at once. Allocations marked for migration go first.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc, SchedulerNode } from "../types.js";
import { type GroupChanges, noChanges, REASONS, replacement } from "./results.js";

export function reconcileMigrations(
  migrate: Iterable<SchedulerAlloc>,
  allocs: readonly SchedulerAlloc[],
  nodes: ReadonlyMap<string, SchedulerNode>,
  tg: ResolvedGroup,
  replaced: ReadonlySet<string>,
  now: number,
): GroupChanges {
  const changes = noChanges();
  const { desired } = changes;
  const byId = new Map(allocs.map((a) => [a.id, a] as const));
  const inFlight = allocs.filter(
    (a) =>
      a.previousAllocation !== undefined &&
      a.desiredStatus === "run" &&
      (a.clientStatus === "pending" || (a.clientStatus === "running" && a.healthy !== true)) &&
      byId.get(a.previousAllocation)?.desiredStatus !== "run" &&
      byId.has(a.previousAllocation),
  ).length;
  let budget = Math.max(0, tg.migrateMaxParallel - inFlight);
  const ordered = [...migrate].sort(
    (x, y) =>
      Number(Boolean(y.desiredTransition?.migrate)) - Number(Boolean(x.desiredTransition?.migrate)),
  );
  for (const a of ordered) {
    changes.kept.push(a);
    const deadline = nodes.get(a.nodeId)?.drainDeadline;
    const forced = deadline !== undefined && deadline <= now;
    if (replaced.has(a.id) || (budget <= 0 && !forced)) {
      desired.ignore++;
      continue;
    }
    if (!forced) budget--;
    changes.stop.push({ alloc: a, reason: REASONS.migrating });
    changes.place.push(replacement(tg, a, "migrate"));
    desired.migrate++;
  }
  return changes;
}
