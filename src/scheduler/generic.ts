// The service and batch scheduler (Nomad's generic scheduler): reconcile,
// free what the plan stops, move old allocations forward in place where the
// node still takes them, then place everything else through the stack.
import { deploymentDescriptions } from "../crds/deployment.js";
import type { EvalContext } from "./context.js";
import type { ResolvedGroup, ResolvedJob } from "./defaults.js";
import { readyNodes } from "./nodes.js";
import { asAlloc, emptyPlan } from "./plan.js";
import { randomId, seededRandom, shuffle } from "./rand.js";
import { type PlaceRequest, REASONS } from "./reconcile/results.js";
import { reconcile } from "./reconcile.js";
import { type Selection, Stack } from "./stack.js";
import type { Placement, Plan, PlanDeployment, RescheduleEvent, SchedulerAlloc } from "./types.js";

export function scheduleGeneric(ctx: EvalContext, job: ResolvedJob | undefined): Plan {
  const snapshot = ctx.snapshot;
  const plan = emptyPlan(snapshot);
  const random = seededRandom(snapshot.seed);
  const r = reconcile(snapshot, job);
  Object.assign(plan.annotations.desiredTGUpdates, r.desired);
  if (r.cancelDeployment) plan.cancelledDeployments.push(r.cancelDeployment);
  for (const s of r.stop) {
    ctx.stop(s.alloc);
    plan.stops.push({
      allocId: s.alloc.id,
      reason: s.reason,
      ...(s.clientStatus ? { clientStatus: s.clientStatus } : {}),
    });
  }
  plan.disconnectUpdates.push(...r.disconnect.map((a) => a.id));
  plan.reconnectUpdates.push(...r.reconnect.map((a) => a.id));
  for (const f of r.followups) {
    plan.followupEvals.push({
      id: randomId(random),
      waitUntil: f.at,
      triggeredBy: f.trigger,
      allocIds: f.allocIds,
    });
  }
  if (!job || job.stopped) return plan;

  const ready = readyNodes(job, ctx.nodes);
  const order = Int32Array.from(ready.indexes);
  shuffle(order, random);
  const stack = new Stack(ctx, job, order, {
    batch: job.type === "batch",
    random,
    preempt: job.type === "batch" ? ctx.config.preemption.batch : ctx.config.preemption.service,
  });

  // Deployment for this version: the existing one, or one this plan creates.
  // Replacements made while a failed deployment holds the rollout are not part of it.
  let deploymentId = r.deployment?.status === "failed" ? undefined : r.deployment?.id;
  if (r.needsDeployment) deploymentId = randomId(random);
  const placedPerGroup: Record<string, { placed: number; canaries: string[] }> = {};
  // The groups the deployment covers: those it was created with, or those this plan creates it for.
  const inDeployment = (group: string): boolean =>
    r.needsDeployment
      ? r.deploymentGroupNames.includes(group)
      : r.deployment?.groups[group] !== undefined;

  // In-place updates need the node to still take the group; otherwise they become destructive.
  const destructive = [...r.destructive];
  for (const { alloc, group } of r.inPlace) {
    const i = ctx.indexOf.get(alloc.nodeId);
    // The allocation itself must not count against its own node (distinct_hosts).
    ctx.stop(alloc);
    const stays = i !== undefined && stack.feasible(group, i);
    ctx.place(alloc);
    if (stays) {
      // An allocation updated in place joins this version's deployment, as Nomad's do.
      const joins = deploymentId !== undefined && inDeployment(group.name);
      plan.inPlaceUpdates.push({
        allocId: alloc.id,
        nodeId: alloc.nodeId,
        group: group.name,
        jobVersion: snapshot.jobVersion,
        ...(joins ? { deploymentId } : {}),
      });
    } else {
      const desired = plan.annotations.desiredTGUpdates[group.name];
      if (desired) {
        desired.inPlaceUpdate--;
        desired.destructiveUpdate++;
      }
      destructive.push({
        alloc,
        request: {
          group,
          name: alloc.name,
          index: alloc.index,
          reason: "destructive",
          previous: alloc,
          canary: false,
        },
      });
    }
  }

  const failed = new Set<string>();
  const place = (req: PlaceRequest, stopFirst: SchedulerAlloc | undefined): void => {
    const tg = req.group;
    if (failed.has(tg.name)) {
      // Nomad stops trying a group once one placement failed; the rest are coalesced.
      const m = plan.failedTGAllocs[tg.name];
      if (m) m.coalescedFailures = (m.coalescedFailures ?? 0) + 1;
      plan.queuedAllocs[tg.name] = (plan.queuedAllocs[tg.name] ?? 0) + 1;
      return;
    }
    if (stopFirst) ctx.stop(stopFirst);
    const started = performance.now();
    const selection = stack.select(tg, {
      ...(req.penaltyNodes ? { penaltyNodes: req.penaltyNodes } : {}),
      ...(req.preferredNode ? { preferredNode: req.preferredNode } : {}),
    });
    const metrics = stack.metrics;
    metrics.nodesAvailable = ready.byDatacenter;
    metrics.nodesInPool = ready.inPool;
    metrics.nodePool = job.nodePool;
    const elapsed = performance.now() - started;
    if (!selection) {
      if (stopFirst) ctx.place(stopFirst); // the old allocation stays when its replacement has nowhere to go
      failed.add(tg.name);
      plan.failedTGAllocs[tg.name] = metrics.toAllocationMetric(elapsed);
      plan.queuedAllocs[tg.name] = (plan.queuedAllocs[tg.name] ?? 0) + 1;
      return;
    }
    if (stopFirst)
      plan.stops.push({
        allocId: stopFirst.id,
        reason: REASONS.updating,
      });
    const joins = deploymentId !== undefined && inDeployment(tg.name);
    const p = toPlacement(
      req,
      selection,
      random,
      snapshot.now,
      metrics.toAllocationMetric(elapsed),
      joins ? deploymentId : undefined,
    );
    plan.placements.push(p);
    for (const a of selection.preempted) {
      ctx.stop(a);
      plan.preemptions.push({ allocId: a.id, preemptedBy: p.id });
      const d = plan.annotations.desiredTGUpdates[tg.name];
      if (d) d.preemptions++;
    }
    ctx.place(asAlloc(p, snapshot, job.priority, job.type));
    if (joins) {
      const g = placedPerGroup[tg.name] ?? { placed: 0, canaries: [] };
      g.placed++;
      if (req.canary) g.canaries.push(p.id);
      placedPerGroup[tg.name] = g;
    }
  };

  for (const d of destructive) place(d.request, d.alloc);
  for (const req of r.place) place(req, undefined);

  Object.assign(plan.classEligibility, stack.feasibility.classEligibility);
  (plan as { escapedComputedClass: boolean }).escapedComputedClass = stack.feasibility.escaped;
  // An existing deployment is only touched when this plan placed into it.
  const touched = Object.keys(placedPerGroup).length > 0;
  if (deploymentId !== undefined && (r.needsDeployment || touched)) {
    (plan as { deployment?: PlanDeployment }).deployment = deploymentFor(
      job,
      r,
      deploymentId,
      snapshot.jobVersion,
      placedPerGroup,
    );
  }
  return plan;
}

function toPlacement(
  req: PlaceRequest,
  s: Selection,
  random: () => number,
  now: number,
  metrics: Placement["metrics"],
  deploymentId: string | undefined,
): Placement {
  let rescheduleEvents: RescheduleEvent[] | undefined;
  if (req.reason === "reschedule" && req.previous) {
    rescheduleEvents = [
      ...req.previous.rescheduleEvents,
      {
        time: now,
        prevAllocId: req.previous.id,
        prevNodeId: req.previous.nodeId,
        delayMs: req.rescheduleDelayMs ?? 0,
      },
    ];
  } else if (req.previous && req.previous.rescheduleEvents.length > 0) {
    rescheduleEvents = [...req.previous.rescheduleEvents];
  }
  return {
    id: randomId(random),
    name: req.name,
    group: req.group.name,
    index: req.index,
    nodeId: s.node.id,
    nodeName: s.node.name,
    resources: s.resources,
    ports: s.ports,
    metrics,
    ...(req.previous ? { previousAllocation: req.previous.id } : {}),
    ...(req.canary ? { canary: true } : {}),
    ...(deploymentId ? { deploymentId } : {}),
    ...(rescheduleEvents ? { rescheduleEvents } : {}),
    ...(s.preempted.length > 0 ? { preemptedAllocs: s.preempted.map((a) => a.id) } : {}),
  };
}

function deploymentFor(
  job: ResolvedJob,
  r: ReturnType<typeof reconcile>,
  id: string,
  version: number,
  placed: Record<string, { placed: number; canaries: string[] }>,
): PlanDeployment {
  const groups: PlanDeployment["groups"] = {};
  const existing = r.deployment;
  for (const tg of job.groups as readonly ResolvedGroup[]) {
    const covered = existing
      ? existing.groups[tg.name] !== undefined
      : r.deploymentGroupNames.includes(tg.name);
    if (tg.update.maxParallel <= 0 || !covered) continue;
    const state = r.deploymentGroups[tg.name];
    const prev = existing?.groups[tg.name];
    groups[tg.name] = {
      desiredTotal: tg.count,
      desiredCanaries: state?.desiredCanaries ?? 0,
      placedAllocs: (prev?.placedAllocs ?? 0) + (placed[tg.name]?.placed ?? 0),
      placedCanaries: [...(prev?.placedCanaries ?? []), ...(placed[tg.name]?.canaries ?? [])],
      promoted: state?.promoted ?? false,
      autoRevert: tg.update.autoRevert,
      autoPromote: tg.update.autoPromote,
    };
  }
  const canaries = Object.values(groups).some((g) => g.desiredCanaries > 0 && !g.promoted);
  return {
    op: existing ? "update" : "create",
    id,
    jobVersion: version,
    status: existing?.status ?? "running",
    statusDescription: existing
      ? undefined
      : canaries
        ? deploymentDescriptions.needsPromotion
        : deploymentDescriptions.running,
    groups,
  };
}
