// What the reconciler's steps decide for a group, in Nomad's words: stops,
// placements (with why), allocations marked disconnected or reconnected,
// follow-up evaluations, and the per-group counts `job plan` shows. Each step
// returns its own GroupChanges; the reconciler adds them up.
import type { EvaluationDesiredUpdates } from "../../crds/evaluation.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerAlloc } from "../types.js";

export type PlaceReason = "new" | "reschedule" | "lost" | "migrate" | "destructive" | "canary";

export interface PlaceRequest {
  readonly group: ResolvedGroup;
  readonly name: string;
  readonly index: number;
  readonly reason: PlaceReason;
  readonly previous?: SchedulerAlloc;
  readonly canary: boolean;
  readonly penaltyNodes?: ReadonlySet<string>;
  readonly preferredNode?: string;
  readonly rescheduleDelayMs?: number;
}

export interface StopRequest {
  readonly alloc: SchedulerAlloc;
  readonly reason: string;
  readonly clientStatus?: "lost";
}

export interface Followup {
  readonly at: number;
  readonly trigger: "failed-follow-up" | "max-disconnect-timeout";
  readonly allocIds: string[];
}

export type DesiredUpdates = Required<EvaluationDesiredUpdates>;

export interface GroupChanges {
  readonly stop: StopRequest[];
  readonly place: PlaceRequest[];
  readonly disconnect: SchedulerAlloc[];
  readonly reconnect: SchedulerAlloc[];
  readonly followups: Followup[];
  /** Allocations that keep their index and count toward the group's count. */
  readonly kept: SchedulerAlloc[];
  readonly desired: DesiredUpdates;
}

export const REASONS = {
  jobStopped: "alloc not needed due to job stop",
  groupRemoved: "alloc not needed due to job update",
  countReduced: "alloc not needed due to job update",
  migrating: "alloc is being migrated",
  lost: "alloc is lost since its node is down",
  updating: "alloc is being updated due to job update",
  reconnected: "alloc not needed since the original allocation reconnected",
  replacementKept: "alloc not needed since its replacement is kept (disconnect.reconcile)",
  canaryPromoted: "alloc not needed as canaries were promoted",
} as const;

export function emptyDesired(): DesiredUpdates {
  return {
    ignore: 0,
    place: 0,
    migrate: 0,
    stop: 0,
    inPlaceUpdate: 0,
    destructiveUpdate: 0,
    canary: 0,
    preemptions: 0,
    disconnect: 0,
    reconnect: 0,
    rescheduleNow: 0,
    rescheduleLater: 0,
  };
}

export function noChanges(): GroupChanges {
  return {
    stop: [],
    place: [],
    disconnect: [],
    reconnect: [],
    followups: [],
    kept: [],
    desired: emptyDesired(),
  };
}

/** Adds a step's changes to the group's. */
export function addChanges(into: GroupChanges, from: GroupChanges): void {
  into.stop.push(...from.stop);
  into.place.push(...from.place);
  into.disconnect.push(...from.disconnect);
  into.reconnect.push(...from.reconnect);
  into.followups.push(...from.followups);
  into.kept.push(...from.kept);
  for (const k of Object.keys(from.desired) as (keyof DesiredUpdates)[])
    into.desired[k] += from.desired[k];
}

/**
 * Sorts what the per-allocation steps decided (each decides at most one stop,
 * placement, disconnect and follow-up per allocation) into the order the
 * allocations were given in: placements are made in this order, and the
 * first ones see the nodes first.
 */
export function inAllocOrder(changes: GroupChanges, allocs: readonly SchedulerAlloc[]): void {
  const position = new Map(allocs.map((a, i) => [a.id, i] as const));
  const at = (id: string | undefined) => (id === undefined ? -1 : (position.get(id) ?? -1));
  changes.stop.sort((x, y) => at(x.alloc.id) - at(y.alloc.id));
  changes.place.sort((x, y) => at(x.previous?.id) - at(y.previous?.id));
  changes.disconnect.sort((x, y) => at(x.id) - at(y.id));
  changes.followups.sort((x, y) => at(x.allocIds[0]) - at(y.allocIds[0]));
}

export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

/** Lowest free indexes for new allocations; takes each one it hands out. */
export function indexAllocator(used: Set<number>): () => number {
  let next = 0;
  return () => {
    while (used.has(next)) next++;
    used.add(next);
    return next++;
  };
}

/** A placement that replaces an allocation under its name and index. */
export function replacement(
  tg: ResolvedGroup,
  a: SchedulerAlloc,
  reason: PlaceReason,
  extra: Partial<PlaceRequest> = {},
): PlaceRequest {
  return { group: tg, name: a.name, index: a.index, reason, previous: a, canary: false, ...extra };
}
