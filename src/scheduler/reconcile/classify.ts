// Nomad's classifyAllocs (allocSet.filterByTainted): every allocation of a
// group goes into one bucket, by its own status and its node's.
//
//   untainted     on a healthy node, running or kept (failed ones too: the reschedule step decides)
//   migrate       on a draining node (or marked for migration)
//   lost          on a down or gone node, or disconnected past lost_after
//   disconnecting on a disconnected node within lost_after (disconnect block)
//   reconnecting  unknown, but its node is back
//   ignore        terminal and of no further interest
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc, SchedulerNode } from "../types.js";

export type Bucket = "untainted" | "migrate" | "lost" | "disconnecting" | "reconnecting" | "ignore";

/** Each bucket's allocations, in the order they were given. */
export type Buckets = Record<Bucket, Set<SchedulerAlloc>>;

/** Which bucket an allocation of a group falls in. */
export function bucketOf(
  a: SchedulerAlloc,
  node: SchedulerNode | undefined,
  tg: ResolvedGroup | undefined,
  now: number,
  batch = false,
): Bucket {
  if (a.desiredStatus !== "run") return "ignore";
  if (a.clientStatus === "complete" || a.clientStatus === "lost") return "ignore";
  if (a.clientStatus === "failed") return "untainted"; // reschedule logic decides
  if (!node || node.status === "down") return "lost";
  if (node.status === "disconnected") {
    const lostAfter = tg?.lostAfterMs;
    if (lostAfter === undefined) return "lost";
    const since = node.statusUpdatedAt ?? now;
    return now >= since + lostAfter ? "lost" : "disconnecting";
  }
  if (a.clientStatus === "unknown") return "reconnecting";
  if (a.desiredTransition?.migrate) return "migrate";
  // A drain lets batch work run until its deadline, as Nomad's drainer does.
  if (node.draining && batch && !(node.drainDeadline !== undefined && node.drainDeadline <= now))
    return "untainted";
  if (node.draining) return "migrate";
  return "untainted";
}

export function classify(
  allocs: readonly SchedulerAlloc[],
  nodes: ReadonlyMap<string, SchedulerNode>,
  tg: ResolvedGroup,
  now: number,
  batch: boolean,
): Buckets {
  const buckets: Buckets = {
    untainted: new Set(),
    migrate: new Set(),
    lost: new Set(),
    disconnecting: new Set(),
    reconnecting: new Set(),
    ignore: new Set(),
  };
  for (const a of allocs) buckets[bucketOf(a, nodes.get(a.nodeId), tg, now, batch)].add(a);
  return buckets;
}

/** Allocations that already have a live replacement: they are not replaced again. */
export function replacedAllocs(allocs: readonly SchedulerAlloc[]): Set<string> {
  const replaced = new Set<string>();
  for (const a of allocs)
    if (a.previousAllocation && a.desiredStatus === "run") replaced.add(a.previousAllocation);
  return replaced;
}
