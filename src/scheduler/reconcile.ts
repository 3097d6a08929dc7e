// The reconciler for service and batch jobs (Nomad's AllocReconciler):
// compares the job with its existing allocations and says what to stop,
// place, update in place or replace. Per group, Nomad's steps in order; each
// is a pure function in reconcile/:
//
//   classify       every allocation into a bucket (untainted, migrate, lost,
//                  disconnecting, reconnecting, ignore)
//   reconnect      originals back from a disconnect, or their replacements, go
//   lost           disconnected allocations marked unknown; lost ones stopped;
//                  both replaced
//   reschedule     failed allocations replaced now, later, or never
//   migrate        allocations on draining nodes moved, max_parallel at a time
//   updates        older versions: in place or destructive; canaries
//   stop           past the count, the surplus goes
//   deployment     canaries, then destructive updates at update.max_parallel
//   place          new allocations up to the count

import { activeDeploymentStatuses, deploymentDescriptions } from "../crds/deployment.js";
import { isTerminal } from "../crds/terminal.js";
import type { ResolvedGroup, ResolvedJob } from "./defaults.js";
import { classify, replacedAllocs } from "./reconcile/classify.js";
import { rollout } from "./reconcile/deployment.js";
import { reconcileLost } from "./reconcile/lost.js";
import { reconcileMigrations } from "./reconcile/migrate.js";
import { placeMissing } from "./reconcile/place.js";
import { reconcileReconnecting } from "./reconcile/reconnect.js";
import { reconcileFailed } from "./reconcile/reschedule.js";
import {
  addChanges,
  type DesiredUpdates,
  type Followup,
  type GroupChanges,
  inAllocOrder,
  noChanges,
  type PlaceRequest,
  REASONS,
  type StopRequest,
} from "./reconcile/results.js";
import { scaleDown } from "./reconcile/stop.js";
import {
  computeUpdates,
  type GroupDeploymentState,
  needsDestructive,
} from "./reconcile/updates.js";
import type {
  SchedulerAlloc,
  SchedulerDeployment,
  SchedulerNode,
  SchedulerSnapshot,
} from "./types.js";

export interface ReconcileResult {
  readonly place: PlaceRequest[];
  readonly stop: StopRequest[];
  /** Old-version allocations to move forward without restart (if their node still takes them). */
  readonly inPlace: { alloc: SchedulerAlloc; group: ResolvedGroup }[];
  /** Old-version allocations to replace: stopped, then placed anew (request in place[]). */
  readonly destructive: { alloc: SchedulerAlloc; request: PlaceRequest }[];
  readonly disconnect: SchedulerAlloc[];
  readonly reconnect: SchedulerAlloc[];
  readonly followups: Followup[];
  readonly desired: Record<string, DesiredUpdates>;
  /** The active deployment for this version (undefined: none yet), and per group what it wants. */
  readonly deployment: SchedulerDeployment | undefined;
  readonly deploymentGroups: Record<string, GroupDeploymentState>;
  readonly needsDeployment: boolean;
  /** The groups a deployment this plan creates covers (those with work to roll out). */
  readonly deploymentGroupNames: readonly string[];
  readonly cancelDeployment?: { id: string; description: string };
}

interface GroupInput {
  readonly snapshot: SchedulerSnapshot;
  readonly job: ResolvedJob;
  readonly tg: ResolvedGroup;
  readonly allocs: readonly SchedulerAlloc[];
  readonly nodes: ReadonlyMap<string, SchedulerNode>;
  readonly deployment: SchedulerDeployment | undefined;
}

interface GroupResult {
  readonly changes: GroupChanges;
  readonly inPlace: SchedulerAlloc[];
  readonly destructive: { alloc: SchedulerAlloc; request: PlaceRequest }[];
  readonly deployment: GroupDeploymentState;
  /** The group starts a deployment of this version (Nomad's createDeployment). */
  readonly wantsDeployment: boolean;
}

/** One group: Nomad's computeGroup. */
function reconcileGroup({ snapshot, job, tg, allocs, nodes, deployment }: GroupInput): GroupResult {
  const { now, jobVersion: version } = snapshot;
  const batch = job.type === "batch";
  const out = noChanges();
  const buckets = classify(allocs, nodes, tg, now, batch);
  const replaced = replacedAllocs(allocs);

  const reconnects = reconcileReconnecting(allocs, buckets, tg);
  const left = (set: Iterable<SchedulerAlloc>) =>
    [...set].filter((a) => !reconnects.stopped.has(a));
  const decided = reconnects.changes;
  addChanges(
    decided,
    reconcileLost(left(buckets.disconnecting), left(buckets.lost), nodes, tg, replaced, now),
  );
  addChanges(decided, reconcileFailed(left(buckets.untainted), tg, replaced, now));
  inAllocOrder(decided, allocs);
  addChanges(out, decided);
  // Completed batch work is done: it holds its index and is not placed again.
  out.kept.push(
    ...left(buckets.ignore).filter(
      (a) =>
        batch &&
        a.clientStatus === "complete" &&
        a.desiredStatus === "run" &&
        a.jobVersion === version,
    ),
  );
  addChanges(out, reconcileMigrations(left(buckets.migrate), allocs, nodes, tg, replaced, now));

  // Running (or resuming) allocations, in the order given.
  const untainted = allocs.filter(
    (a) =>
      !reconnects.stopped.has(a) &&
      (buckets.reconnecting.has(a) || (buckets.untainted.has(a) && a.clientStatus !== "failed")),
  );
  const updates = computeUpdates(untainted, tg, version, deployment, (a) =>
    needsDestructive(snapshot, job.spec, tg, a),
  );
  // Unpromoted canaries are extra to the count.
  const regular = updates.wantCanaries
    ? untainted.filter((a) => !updates.canaries.includes(a))
    : untainted;
  const used = new Set([...out.kept, ...regular, ...updates.canaries].map((a) => a.index));
  const counted = out.kept.length + regular.length;

  const surplus = scaleDown(
    regular,
    updates.current,
    counted - tg.count,
    version,
    updates.promoted,
  );
  addChanges(out, surplus);
  const stopped = new Set(surplus.stop.map((s) => s.alloc));
  const inPlace = updates.inPlace.filter((a) => !stopped.has(a));
  const destructive = updates.destructive.filter((a) => !stopped.has(a));
  out.desired.inPlaceUpdate += inPlace.length;

  const rolled = rollout(job.id, tg, { ...updates, destructive }, deployment, used);
  addChanges(out, rolled.changes);
  for (const p of rolled.changes.place) used.add(p.index);
  out.desired.ignore += updates.current.filter((a) => !stopped.has(a)).length;

  const held = updates.paused || (updates.wantCanaries && destructive.length > 0);
  const missing = placeMissing(job.id, tg, Math.min(counted, tg.count), used, held);
  addChanges(out, missing);
  // Nomad's createDeployment: a group with an update block starts a deployment
  // when it has work (updates or placements), unless this version already
  // runs and only replacements are made (a stopped, lost or failed allocation).
  const updating = inPlace.length + destructive.length;
  const placing = out.place.filter((p) => p.reason !== "migrate").length;
  const hadRunning = allocs.some((a) => a.jobVersion === version);
  const wantsDeployment =
    tg.update.maxParallel > 0 && updating + placing > 0 && (!hadRunning || updating > 0);
  return {
    changes: out,
    inPlace,
    destructive: rolled.destructive,
    deployment: updates.deployment,
    wantsDeployment,
  };
}

/** Stops every allocation still running (a stopped job, a removed group). */
function stopAll(allocs: readonly SchedulerAlloc[], reason: string): GroupChanges {
  const changes = noChanges();
  for (const a of allocs) {
    if (isTerminal(a)) continue;
    changes.stop.push({ alloc: a, reason });
    changes.desired.stop++;
  }
  return changes;
}

/** Reconciles every group of a service or batch job. */
export function reconcile(
  snapshot: SchedulerSnapshot,
  job: ResolvedJob | undefined,
): ReconcileResult {
  const nodes = new Map(snapshot.nodes.map((n) => [n.id, n] as const));
  const latest = snapshot.deployment;
  const active = latest && activeDeploymentStatuses.has(latest.status) ? latest : undefined;
  // A failed deployment of this very version holds the rollout where it
  // stopped (Nomad's deploymentFailed): no new deployment, no more updates.
  const failedHere =
    latest?.status === "failed" && latest.jobVersion === snapshot.jobVersion ? latest : undefined;
  const stopped = !job || job.stopped;
  const out: ReconcileResult = {
    place: [],
    stop: [],
    inPlace: [],
    destructive: [],
    disconnect: [],
    reconnect: [],
    followups: [],
    desired: {},
    deployment: active && active.jobVersion === snapshot.jobVersion ? active : failedHere,
    deploymentGroups: {},
    needsDeployment: false,
    deploymentGroupNames: [],
    cancelDeployment:
      active && (active.jobVersion !== snapshot.jobVersion || stopped)
        ? {
            id: active.id,
            description: stopped
              ? deploymentDescriptions.stopped
              : deploymentDescriptions.newerVersion,
          }
        : undefined,
  };
  const add = (group: string, changes: GroupChanges) => {
    out.desired[group] = changes.desired;
    out.place.push(...changes.place);
    out.stop.push(...changes.stop);
    out.disconnect.push(...changes.disconnect);
    out.reconnect.push(...changes.reconnect);
    out.followups.push(...changes.followups);
  };

  const byGroup = new Map<string, SchedulerAlloc[]>();
  for (const a of snapshot.allocs) {
    if (a.jobId !== snapshot.jobId || a.namespace !== snapshot.namespace) continue;
    const list = byGroup.get(a.group) ?? [];
    list.push(a);
    byGroup.set(a.group, list);
  }
  if (stopped) {
    for (const [group, allocs] of byGroup) add(group, stopAll(allocs, REASONS.jobStopped));
    return out;
  }
  for (const [group, allocs] of byGroup)
    if (!job.groups.some((g) => g.name === group))
      add(group, stopAll(allocs, REASONS.groupRemoved));
  const wanting: string[] = [];
  for (const tg of job.groups) {
    const r = reconcileGroup({
      snapshot,
      job,
      tg,
      allocs: byGroup.get(tg.name) ?? [],
      nodes,
      deployment: out.deployment,
    });
    add(tg.name, r.changes);
    out.inPlace.push(...r.inPlace.map((alloc) => ({ alloc, group: tg })));
    out.destructive.push(...r.destructive);
    out.deploymentGroups[tg.name] = r.deployment;
    if (r.wantsDeployment) wanting.push(tg.name);
  }
  (out as { needsDeployment: boolean }).needsDeployment =
    job.type === "service" && !out.deployment && wanting.length > 0;
  (out as { deploymentGroupNames: readonly string[] }).deploymentGroupNames = wanting;
  return out;
}
