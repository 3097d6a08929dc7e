// Shared inputs for the reconciler's step tests: a resolved group and a
// GroupChanges summary that names allocations by id.
import type { TaskGroup } from "../../../../src/crds/job/index.js";
import { type ResolvedGroup, resolveJob } from "../../../../src/scheduler/defaults.js";
import type { GroupChanges } from "../../../../src/scheduler/reconcile/results.js";
import { job } from "../fixtures.js";

export function resolvedGroup(over: Partial<TaskGroup> = {}, jobOver = {}): ResolvedGroup {
  const resolved = resolveJob(job(jobOver, over), "default", "example");
  return resolved.groups[0] as ResolvedGroup;
}

/** The changes with allocations by id, and only the counts that are not zero. */
export function summary(c: GroupChanges) {
  return {
    stop: c.stop.map(
      (s) => `${s.alloc.id}: ${s.reason}${s.clientStatus ? ` (${s.clientStatus})` : ""}`,
    ),
    place: c.place.map((p) => `${p.name} ${p.reason}${p.previous ? ` of ${p.previous.id}` : ""}`),
    disconnect: c.disconnect.map((a) => a.id),
    reconnect: c.reconnect.map((a) => a.id),
    followups: c.followups.map((f) => `${f.trigger} ${f.allocIds.join(",")} at ${f.at}`),
    kept: c.kept.map((a) => a.id),
    desired: Object.fromEntries(Object.entries(c.desired).filter(([, v]) => v !== 0)),
  };
}

export const none = {
  stop: [],
  place: [],
  disconnect: [],
  reconnect: [],
  followups: [],
  kept: [],
  desired: {},
};
