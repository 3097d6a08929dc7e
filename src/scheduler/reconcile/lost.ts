// Nomad's computeDisconnecting and lost handling: allocations on a
// disconnected node are marked unknown and followed up when lost_after runs
// out; lost ones stop as lost. Both are replaced (under their own name and
// index) unless disconnect.replace is false, when a lost allocation waits,
// unknown, for its node; with stop_after_client_disconnect the replacement
// waits until the client has stopped the work itself.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc, SchedulerNode } from "../types.js";
import { type GroupChanges, noChanges, REASONS, replacement } from "./results.js";

export function reconcileLost(
  disconnecting: Iterable<SchedulerAlloc>,
  lost: Iterable<SchedulerAlloc>,
  nodes: ReadonlyMap<string, SchedulerNode>,
  tg: ResolvedGroup,
  replaced: ReadonlySet<string>,
  now: number,
): GroupChanges {
  const changes = noChanges();
  const { desired } = changes;
  for (const a of disconnecting) {
    if (a.clientStatus !== "unknown") {
      changes.disconnect.push(a);
      desired.disconnect++;
    }
    // One follow-up per allocation: an allocation that has one is already waited for.
    if (!a.followupEvalId) {
      const since = nodes.get(a.nodeId)?.statusUpdatedAt ?? now;
      changes.followups.push({
        at: since + (tg.lostAfterMs ?? 0),
        trigger: "max-disconnect-timeout",
        allocIds: [a.id],
      });
    }
    replace(a, false);
  }
  for (const a of lost) {
    if (tg.replaceOnLost || replaced.has(a.id)) {
      changes.stop.push({ alloc: a, reason: REASONS.lost, clientStatus: "lost" });
      desired.stop++;
    } else if (a.clientStatus !== "unknown") {
      // Not replaced: the allocation waits, unknown, for its node to come back.
      changes.disconnect.push(a);
      desired.disconnect++;
    }
    replace(a, true);
  }
  return changes;

  function replace(a: SchedulerAlloc, isLost: boolean): void {
    if (replaced.has(a.id)) return; // its replacement counts instead
    changes.kept.push(a);
    if (!tg.replaceOnLost) return;
    // stop_after_client_disconnect: the client stops the work itself later; replace after that.
    const node = nodes.get(a.nodeId);
    if (isLost && tg.stopAfterClientDisconnectMs !== undefined && node) {
      const at = (node.statusUpdatedAt ?? now) + tg.stopAfterClientDisconnectMs;
      if (at > now) {
        changes.followups.push({ at, trigger: "failed-follow-up", allocIds: [a.id] });
        desired.rescheduleLater++;
        return;
      }
    }
    changes.place.push(replacement(tg, a, "lost"));
    desired.place++;
  }
}
