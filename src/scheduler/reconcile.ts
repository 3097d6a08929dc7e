// The reconciler for service and batch jobs: compares the job with its
// existing allocations and says what to stop, place, update in place or
// replace. Every allocation first goes into a named bucket (Nomad's words):
//
//   untainted     on a healthy node, running or kept
//   migrate       on a draining node (or marked for migration)
//   lost          on a down or gone node, or disconnected past lost_after
//   disconnecting on a disconnected node within lost_after (disconnect block)
//   reconnecting  unknown, but its node is back
//   ignore        terminal and of no further interest
//
// then every decision is "which bucket, then what".
import type { EvaluationDesiredUpdates } from "../crds/evaluation.js";
import type { ResolvedGroup, ResolvedJob } from "./defaults.js";
import { rescheduleDecision } from "./reschedule.js";
import type {
  SchedulerAlloc,
  SchedulerDeployment,
  SchedulerNode,
  SchedulerSnapshot,
} from "./types.js";
import { tasksUpdated } from "./update.js";

export type Bucket = "untainted" | "migrate" | "lost" | "disconnecting" | "reconnecting" | "ignore";

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

export interface GroupDeploymentState {
  readonly desiredTotal: number;
  readonly desiredCanaries: number;
  readonly promoted: boolean;
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
}

export interface ReconcileResult {
  readonly place: PlaceRequest[];
  readonly stop: StopRequest[];
  /** Old-version allocations to move forward without restart (if their node still takes them). */
  readonly inPlace: { alloc: SchedulerAlloc; group: ResolvedGroup }[];
  /** Old-version allocations to replace: stopped, then placed anew (request in place[]). */
  readonly destructive: { alloc: SchedulerAlloc; request: PlaceRequest }[];
  readonly disconnect: SchedulerAlloc[];
  readonly reconnect: SchedulerAlloc[];
  readonly followups: {
    at: number;
    trigger: "failed-follow-up" | "max-disconnect-timeout";
    allocIds: string[];
  }[];
  readonly desired: Record<string, Required<EvaluationDesiredUpdates>>;
  /** The active deployment for this version (undefined: none yet), and per group what it wants. */
  readonly deployment: SchedulerDeployment | undefined;
  readonly deploymentGroups: Record<string, GroupDeploymentState>;
  readonly needsDeployment: boolean;
  readonly cancelDeployment?: { id: string; description: string };
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

const ACTIVE_DEPLOYMENT = new Set([
  "running",
  "pending",
  "paused",
  "blocked",
  "unblocking",
  "initializing",
]);

export function emptyDesired(): Required<EvaluationDesiredUpdates> {
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

export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

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

interface GroupInput {
  readonly snapshot: SchedulerSnapshot;
  readonly job: ResolvedJob;
  readonly tg: ResolvedGroup;
  readonly allocs: readonly SchedulerAlloc[];
  readonly nodes: ReadonlyMap<string, SchedulerNode>;
  readonly deployment: SchedulerDeployment | undefined;
  readonly out: ReconcileResult;
}

/** Lowest free indexes for new allocations. */
function indexAllocator(used: Set<number>): () => number {
  let next = 0;
  return () => {
    while (used.has(next)) next++;
    used.add(next);
    return next++;
  };
}

function penaltyNodesOf(a: SchedulerAlloc): Set<string> {
  const s = new Set<string>([a.nodeId]);
  for (const e of a.rescheduleEvents) s.add(e.prevNodeId);
  return s;
}

function needsDestructive(input: GroupInput, a: SchedulerAlloc): boolean {
  const prev = input.snapshot.previousJob;
  const spec = input.job.spec;
  const oldSpec =
    prev?.version === a.jobVersion ? prev.spec : input.snapshot.olderJobs?.[a.jobVersion];
  if (!oldSpec) return true;
  const oldGroup = oldSpec.groups.find((g) => g.name === a.group);
  return !oldGroup || tasksUpdated(oldSpec, oldGroup, spec, input.tg.spec);
}

function reconcileGroup(input: GroupInput): void {
  const { tg, job, snapshot, out } = input;
  const now = snapshot.now;
  const version = snapshot.jobVersion;
  const desired = emptyDesired();
  out.desired[tg.name] = desired;
  const batch = job.type === "batch";

  const untainted: SchedulerAlloc[] = [];
  const migrate: SchedulerAlloc[] = [];
  const completed: SchedulerAlloc[] = [];
  // Allocations that already have a live replacement are not replaced again.
  const replaced = new Set<string>();
  for (const a of input.allocs)
    if (a.previousAllocation && a.desiredStatus === "run") replaced.add(a.previousAllocation);

  const used = new Set<number>();
  let keep = 0;

  // When an original reconnects and a replacement runs, one of them goes.
  // keep_original, best_score and longest_running keep the original (the
  // latter two as an approximation: the original has run longest and its node
  // scored best when it was placed); keep_replacement keeps the replacement.
  const keepReplacement = tg.reconcileOnReconnect === "keep_replacement";
  const reconnected = new Set<string>();
  const replacedLive = new Set<string>();
  for (const a of input.allocs) {
    if (bucketOf(a, input.nodes.get(a.nodeId), tg, now, batch) === "reconnecting")
      reconnected.add(a.id);
    if (a.previousAllocation && a.desiredStatus === "run" && a.clientStatus !== "complete") {
      replacedLive.add(a.previousAllocation);
    }
  }

  for (const a of input.allocs) {
    const node = input.nodes.get(a.nodeId);
    const bucket = bucketOf(a, node, tg, now, batch);
    if (keepReplacement && reconnected.has(a.id) && replacedLive.has(a.id)) {
      out.stop.push({ alloc: a, reason: REASONS.replacementKept });
      desired.stop++;
      continue;
    }
    if (
      !keepReplacement &&
      a.previousAllocation &&
      reconnected.has(a.previousAllocation) &&
      bucket !== "ignore"
    ) {
      out.stop.push({ alloc: a, reason: REASONS.reconnected });
      desired.stop++;
      continue;
    }
    if (bucket === "ignore") {
      // Completed batch work is done: it holds its index and is not placed again.
      if (
        batch &&
        a.clientStatus === "complete" &&
        a.desiredStatus === "run" &&
        a.jobVersion === version
      ) {
        completed.push(a);
        used.add(a.index);
        keep++;
      }
      continue;
    }
    if (bucket === "lost" || bucket === "disconnecting") {
      if (bucket === "disconnecting") {
        if (a.clientStatus !== "unknown") {
          out.disconnect.push(a);
          desired.disconnect++;
        }
        // One follow-up per allocation: an allocation that has one is already waited for.
        if (!a.followupEvalId) {
          const since = node?.statusUpdatedAt ?? now;
          out.followups.push({
            at: since + (tg.lostAfterMs ?? 0),
            trigger: "max-disconnect-timeout",
            allocIds: [a.id],
          });
        }
      } else {
        out.stop.push({ alloc: a, reason: REASONS.lost, clientStatus: "lost" });
        desired.stop++;
      }
      if (replaced.has(a.id)) continue; // its replacement counts instead
      if (!tg.replaceOnLost) {
        // Not replaced: the allocation waits, unknown, for its node to come back.
        if (bucket === "lost") {
          out.stop.pop();
          desired.stop--;
          if (a.clientStatus !== "unknown") {
            out.disconnect.push(a);
            desired.disconnect++;
          }
        }
        used.add(a.index);
        keep++;
        continue;
      }
      // stop_after_client_disconnect: the client stops the work itself later; replace after that.
      if (bucket === "lost" && tg.stopAfterClientDisconnectMs !== undefined && node) {
        const at = (node.statusUpdatedAt ?? now) + tg.stopAfterClientDisconnectMs;
        if (at > now) {
          out.followups.push({ at, trigger: "failed-follow-up", allocIds: [a.id] });
          desired.rescheduleLater++;
          used.add(a.index);
          keep++;
          continue;
        }
      }
      used.add(a.index);
      keep++;
      out.place.push({
        group: tg,
        name: a.name,
        index: a.index,
        reason: "lost",
        previous: a,
        canary: false,
      });
      desired.place++;
      continue;
    }
    if (bucket === "reconnecting") {
      out.reconnect.push(a);
      desired.reconnect++;
      untainted.push(a);
      continue;
    }
    if (bucket === "migrate") {
      migrate.push(a);
      continue;
    }
    // untainted (including failed, decided below)
    if (a.clientStatus === "failed") {
      if (replaced.has(a.id)) continue;
      const d = rescheduleDecision(a, tg.reschedule, now);
      if (d.kind === "now") {
        used.add(a.index);
        keep++;
        out.place.push({
          group: tg,
          name: a.name,
          index: a.index,
          reason: "reschedule",
          previous: a,
          canary: false,
          penaltyNodes: penaltyNodesOf(a),
          rescheduleDelayMs: d.delayMs,
        });
        desired.rescheduleNow++;
        desired.place++;
        continue;
      }
      if (d.kind === "later") {
        if (!a.followupEvalId) {
          out.followups.push({ at: d.at, trigger: "failed-follow-up", allocIds: [a.id] });
        }
        desired.rescheduleLater++;
      }
      // Not reschedulable (or not yet): it keeps its place in the count.
      used.add(a.index);
      keep++;
      continue;
    }
    untainted.push(a);
  }

  // Migrations, at most max_parallel in flight.
  const byId = new Map(input.allocs.map((a) => [a.id, a] as const));
  const inFlight = input.allocs.filter(
    (a) =>
      a.previousAllocation !== undefined &&
      a.desiredStatus === "run" &&
      (a.clientStatus === "pending" || (a.clientStatus === "running" && a.healthy !== true)) &&
      byId.get(a.previousAllocation)?.desiredStatus !== "run" &&
      byId.has(a.previousAllocation),
  ).length;
  let migrateBudget = Math.max(0, tg.migrateMaxParallel - inFlight);
  migrate.sort(
    (x, y) =>
      Number(Boolean(y.desiredTransition?.migrate)) - Number(Boolean(x.desiredTransition?.migrate)),
  );
  for (const a of migrate) {
    used.add(a.index);
    keep++;
    // Past the drain's deadline (or forced), everything left moves at once.
    const deadline = input.nodes.get(a.nodeId)?.drainDeadline;
    const forced = deadline !== undefined && deadline <= now;
    if (replaced.has(a.id) || (migrateBudget <= 0 && !forced)) {
      desired.ignore++;
      continue;
    }
    if (!forced) migrateBudget--;
    out.stop.push({ alloc: a, reason: REASONS.migrating });
    out.place.push({
      group: tg,
      name: a.name,
      index: a.index,
      reason: "migrate",
      previous: a,
      canary: false,
      preferredNode: undefined,
    });
    desired.migrate++;
  }

  // Deployment state for this group.
  const dep = input.deployment;
  const depGroup = dep?.groups[tg.name];
  const promoted = depGroup?.promoted ?? false;
  const paused = dep?.status === "paused" || dep?.status === "failed";
  const canaries = untainted.filter(
    (a) => a.canary && a.jobVersion === version && dep !== undefined && a.deploymentId === dep.id,
  );
  const current = untainted.filter((a) => a.jobVersion === version);
  const old = untainted.filter((a) => a.jobVersion !== version);
  const destructiveOld: SchedulerAlloc[] = [];
  for (const a of old) {
    if (needsDestructive(input, a)) destructiveOld.push(a);
    else out.inPlace.push({ alloc: a, group: tg });
  }
  desired.inPlaceUpdate += old.length - destructiveOld.length;

  const wantCanaries =
    tg.update.canary > 0 && !promoted && (destructiveOld.length > 0 || canaries.length > 0);
  out.deploymentGroups[tg.name] = {
    desiredTotal: tg.count,
    desiredCanaries: wantCanaries ? tg.update.canary : (depGroup?.desiredCanaries ?? 0),
    promoted,
    autoRevert: tg.update.autoRevert,
    autoPromote: tg.update.autoPromote,
  };

  // Count: untainted allocations (unpromoted canaries are extra) plus what is already accounted.
  const regular = untainted.filter((a) => !(wantCanaries && canaries.includes(a)));
  for (const a of regular) used.add(a.index);
  for (const a of canaries) used.add(a.index);
  let total = keep + regular.length;

  if (total > tg.count) {
    // Scale down: old versions whose name a new allocation (a promoted canary)
    // already carries first, then other old versions, then the highest indexes.
    const currentIndexes = new Set(current.map((a) => a.index));
    const rankOf = (a: SchedulerAlloc) =>
      a.jobVersion === version ? 0 : currentIndexes.has(a.index) ? 2 : 1;
    const victims = [...regular].sort((x, y) => rankOf(y) - rankOf(x) || y.index - x.index);
    for (const a of victims.slice(0, total - tg.count)) {
      out.stop.push({
        alloc: a,
        reason:
          promoted && a.jobVersion !== version ? REASONS.canaryPromoted : REASONS.countReduced,
      });
      desired.stop++;
      const at = destructiveOld.indexOf(a);
      if (at >= 0) destructiveOld.splice(at, 1);
      const ip = out.inPlace.findIndex((x) => x.alloc === a);
      if (ip >= 0) {
        out.inPlace.splice(ip, 1);
        desired.inPlaceUpdate--;
      }
    }
    total = tg.count;
  }

  if (wantCanaries && !paused) {
    for (let k = canaries.length; k < tg.update.canary; k++) {
      const ref = destructiveOld[k];
      const index = ref ? ref.index : indexAllocator(used)();
      out.place.push({
        group: tg,
        name: allocName(job.id, tg.name, index),
        index,
        reason: "canary",
        canary: true,
      });
      desired.canary++;
    }
  } else if (!wantCanaries && !paused && destructiveOld.length > 0) {
    let budget = destructiveOld.length;
    if (tg.update.maxParallel > 0) {
      const unhealthy = current.filter(
        (a) => !a.canary && dep !== undefined && a.deploymentId === dep.id && a.healthy !== true,
      ).length;
      budget = Math.max(0, tg.update.maxParallel - unhealthy);
    }
    destructiveOld.sort((x, y) => x.index - y.index);
    for (const a of destructiveOld.slice(0, budget)) {
      const request: PlaceRequest = {
        group: tg,
        name: a.name,
        index: a.index,
        reason: "destructive",
        previous: a,
        canary: false,
        preferredNode: tg.sticky ? a.nodeId : undefined,
      };
      out.destructive.push({ alloc: a, request });
      desired.destructiveUpdate++;
    }
    desired.ignore += Math.max(0, destructiveOld.length - budget);
  }
  const stopped = new Set(out.stop.map((x) => x.alloc));
  desired.ignore += current.filter((a) => !stopped.has(a)).length;

  if (total < tg.count && !paused && !(wantCanaries && destructiveOld.length > 0)) {
    const next = indexAllocator(used);
    for (let k = total; k < tg.count; k++) {
      const index = next();
      out.place.push({
        group: tg,
        name: allocName(job.id, tg.name, index),
        index,
        reason: "new",
        canary: false,
      });
      desired.place++;
    }
  }
}

/** Reconciles every group of a service or batch job. */
export function reconcile(
  snapshot: SchedulerSnapshot,
  job: ResolvedJob | undefined,
): ReconcileResult {
  const nodes = new Map(snapshot.nodes.map((n) => [n.id, n] as const));
  const jobAllocs = snapshot.allocs.filter(
    (a) => a.jobId === snapshot.jobId && a.namespace === snapshot.namespace,
  );
  const latest = snapshot.deployment;
  const active = latest && ACTIVE_DEPLOYMENT.has(latest.status) ? latest : undefined;
  // A failed deployment of this very version holds the rollout where it
  // stopped (Nomad's deploymentFailed): no new deployment, no more updates.
  const failedHere =
    latest?.status === "failed" && latest.jobVersion === snapshot.jobVersion ? latest : undefined;
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
    cancelDeployment:
      active && (active.jobVersion !== snapshot.jobVersion || !job || job.stopped)
        ? {
            id: active.id,
            description:
              !job || job.stopped
                ? "Cancelled because job is stopped"
                : "Cancelled due to newer version of job",
          }
        : undefined,
  };
  const byGroup = new Map<string, SchedulerAlloc[]>();
  for (const a of jobAllocs) {
    let list = byGroup.get(a.group);
    if (!list) {
      list = [];
      byGroup.set(a.group, list);
    }
    list.push(a);
  }
  const live = (a: SchedulerAlloc) =>
    a.desiredStatus === "run" &&
    a.clientStatus !== "complete" &&
    a.clientStatus !== "failed" &&
    a.clientStatus !== "lost";
  if (!job || job.stopped) {
    for (const [group, allocs] of byGroup) {
      const desired = emptyDesired();
      out.desired[group] = desired;
      for (const a of allocs) {
        if (!live(a)) continue;
        out.stop.push({ alloc: a, reason: REASONS.jobStopped });
        desired.stop++;
      }
    }
    return out;
  }
  for (const [group, allocs] of byGroup) {
    if (job.groups.some((g) => g.name === group)) continue;
    const desired = emptyDesired();
    out.desired[group] = desired;
    for (const a of allocs) {
      if (!live(a)) continue;
      out.stop.push({ alloc: a, reason: REASONS.groupRemoved });
      desired.stop++;
    }
  }
  for (const tg of job.groups) {
    reconcileGroup({
      snapshot,
      job,
      tg,
      allocs: byGroup.get(tg.name) ?? [],
      nodes,
      deployment: out.deployment,
      out,
    });
  }
  const changes =
    out.place.some((p) => p.reason !== "lost" && p.reason !== "reschedule") ||
    out.destructive.length > 0;
  (out as { needsDeployment: boolean }).needsDeployment =
    job.type === "service" &&
    !out.deployment &&
    changes &&
    job.groups.some((g) => g.update.maxParallel > 0);
  return out;
}
