// Nomad's filterByRescheduleable: a failed allocation is replaced now (away
// from the nodes it failed on), followed up once its reschedule delay has
// passed, or, past the policy's attempts, left as it is. Either way it keeps
// its place in the group's count.
import type { ResolvedGroup } from "../defaults.js";
import { rescheduleDecision } from "../reschedule.js";
import type { SchedulerAlloc } from "../types.js";
import { type GroupChanges, noChanges, replacement } from "./results.js";

function penaltyNodesOf(a: SchedulerAlloc): Set<string> {
  const s = new Set<string>([a.nodeId]);
  for (const e of a.rescheduleEvents) s.add(e.prevNodeId);
  return s;
}

/** Decides for the failed allocations among `untainted`. */
export function reconcileFailed(
  untainted: Iterable<SchedulerAlloc>,
  tg: ResolvedGroup,
  replaced: ReadonlySet<string>,
  now: number,
): GroupChanges {
  const changes = noChanges();
  const { desired } = changes;
  for (const a of untainted) {
    if (a.clientStatus !== "failed" || replaced.has(a.id)) continue;
    changes.kept.push(a);
    const d = rescheduleDecision(a, tg.reschedule, now);
    if (d.kind === "now") {
      changes.place.push(
        replacement(tg, a, "reschedule", {
          penaltyNodes: penaltyNodesOf(a),
          rescheduleDelayMs: d.delayMs,
        }),
      );
      desired.rescheduleNow++;
      desired.place++;
    } else if (d.kind === "later") {
      if (!a.followupEvalId)
        changes.followups.push({ at: d.at, trigger: "failed-follow-up", allocIds: [a.id] });
      desired.rescheduleLater++;
    }
  }
  return changes;
}
