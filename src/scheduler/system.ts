// The system and sysbatch scheduler: one allocation of each group on every
// node that can take it. A node that joins gets one; a node that goes away
// loses its allocation; a node that no longer passes the constraints has it
// stopped; an ineligible (but not draining) node keeps what it runs.
// sysbatch allocations that completed are not run again on that node.

import { defaultJob } from "../crds/job/defaults.js";
import { isActive } from "../crds/terminal.js";
import type { EvalContext } from "./context.js";
import type { ResolvedGroup, ResolvedJob } from "./defaults.js";
import { Metrics } from "./metrics.js";
import { inDatacenters, inPool, readyNodes } from "./nodes.js";
import { asAlloc, emptyPlan } from "./plan.js";
import { randomId, seededRandom } from "./rand.js";
import { allocName, emptyDesired, REASONS } from "./reconcile/results.js";
import { Stack } from "./stack.js";
import type { Plan, SchedulerAlloc, SchedulerNode } from "./types.js";
import { tasksUpdated } from "./update.js";

const NOT_ELIGIBLE = "alloc not needed as node is no longer eligible";
const DRAINING = "alloc is being migrated";

export function scheduleSystem(ctx: EvalContext, job: ResolvedJob | undefined): Plan {
  const snapshot = ctx.snapshot;
  const plan = emptyPlan(snapshot);
  const random = seededRandom(snapshot.seed);
  const jobAllocs = snapshot.allocs.filter((a) => ctx.isJobAlloc(a));
  const live = (a: SchedulerAlloc) => isActive(a);
  const stop = (a: SchedulerAlloc, reason: string, lost = false) => {
    ctx.stop(a);
    plan.stops.push({ allocId: a.id, reason, ...(lost ? { clientStatus: "lost" as const } : {}) });
    const d = plan.annotations.desiredTGUpdates[a.group] ?? emptyDesired();
    d.stop++;
    plan.annotations.desiredTGUpdates[a.group] = d;
  };

  const groups = new Set(job && !job.stopped ? job.groups.map((g) => g.name) : []);
  for (const a of jobAllocs) {
    if (live(a) && !groups.has(a.group))
      stop(a, job && !job.stopped ? REASONS.groupRemoved : REASONS.jobStopped);
  }
  if (!job || job.stopped) return plan;

  const all = Int32Array.from(ctx.nodes.keys());
  const { byDatacenter: available, inPool: inPoolCount } = readyNodes(job, ctx.nodes);
  const sysbatch = job.type === "sysbatch";
  const stack = new Stack(ctx, job, all, {
    batch: sysbatch,
    random,
    preempt: sysbatch ? ctx.config.preemption.sysbatch : ctx.config.preemption.system,
  });
  const byNodeGroup = new Map<string, SchedulerAlloc[]>();
  for (const a of jobAllocs) {
    const key = `${a.nodeId}\u0000${a.group}`;
    const list = byNodeGroup.get(key);
    if (list) list.push(a);
    else byNodeGroup.set(key, [a]);
  }
  const prev = snapshot.previousJob;

  for (const tg of job.groups) {
    const desired = plan.annotations.desiredTGUpdates[tg.name] ?? emptyDesired();
    plan.annotations.desiredTGUpdates[tg.name] = desired;
    let nextIndex = 0;
    let destructiveDone = 0;
    for (let i = 0; i < ctx.nodes.length; i++) {
      const node = ctx.nodes[i] as SchedulerNode;
      const here = byNodeGroup.get(`${node.id}\u0000${tg.name}`) ?? [];
      const running = here.filter(live);
      const wanted = inPool(job, node) && inDatacenters(job, node);
      if (node.status === "down") {
        for (const a of running) stop(a, REASONS.lost, true);
        continue;
      }
      if (node.status === "disconnected") {
        for (const a of running) {
          if (tg.lostAfterMs === undefined) stop(a, REASONS.lost, true);
          else if (a.clientStatus !== "unknown") {
            plan.disconnectUpdates.push(a.id);
            desired.disconnect++;
          }
        }
        continue;
      }
      if (node.draining && !node.drainIgnoreSystemJobs) {
        for (const a of running) stop(a, DRAINING);
        continue;
      }
      if (node.status !== "ready" || !wanted) {
        for (const a of running) if (!wanted) stop(a, NOT_ELIGIBLE);
        continue;
      }
      for (const a of running)
        if (a.clientStatus === "unknown") {
          plan.reconnectUpdates.push(a.id);
          desired.reconnect++;
        }
      // Ineligible nodes keep what they run but take nothing new.
      if (!node.eligible) {
        desired.ignore += running.length;
        continue;
      }
      if (!stack.feasible(tg, i)) {
        for (const a of running) stop(a, NOT_ELIGIBLE);
        continue;
      }
      // Keep one allocation per node; extras go.
      const [keep, ...extra] = [...running].sort((x, y) => y.jobVersion - x.jobVersion);
      for (const a of extra) stop(a, REASONS.countReduced);
      if (keep) {
        if (keep.jobVersion === snapshot.jobVersion) {
          desired.ignore++;
          continue;
        }
        const oldGroup =
          prev?.version === keep.jobVersion
            ? prev.spec.groups.find((g) => g.name === tg.name)
            : undefined;
        if (prev && oldGroup && !tasksUpdated(prev.spec, oldGroup, job.spec, tg.spec)) {
          plan.inPlaceUpdates.push({
            allocId: keep.id,
            nodeId: node.id,
            group: tg.name,
            jobVersion: snapshot.jobVersion,
          });
          desired.inPlaceUpdate++;
          continue;
        }
        if (tg.systemMaxParallel > 0 && destructiveDone >= tg.systemMaxParallel) {
          desired.ignore++; // the rest wait for a later evaluation (update.max_parallel)
          continue;
        }
        destructiveDone++;
        ctx.stop(keep);
        if (!placeOn(tg, i, keep)) {
          ctx.place(keep);
          continue;
        }
        plan.stops.push({ allocId: keep.id, reason: REASONS.updating });
        desired.destructiveUpdate++;
        continue;
      }
      // A finished allocation of this version: sysbatch does not run again; system replaces it.
      const finished = here.find(
        (a) =>
          a.desiredStatus === "run" &&
          (a.clientStatus === "complete" || a.clientStatus === "failed") &&
          a.jobVersion === snapshot.jobVersion,
      );
      if (sysbatch && finished) {
        desired.ignore++;
        continue;
      }
      if (placeOn(tg, i, finished)) desired.place++;
    }

    function placeOn(g: ResolvedGroup, i: number, previous: SchedulerAlloc | undefined): boolean {
      stack.metrics = new Metrics();
      const started = performance.now();
      const s = stack.selectOn(g, i);
      const elapsed = performance.now() - started;
      stack.metrics.nodesAvailable = available;
      stack.metrics.nodesInPool = inPoolCount;
      stack.metrics.nodePool = job?.nodePool ?? "default";
      if (!s) {
        const existing = plan.failedTGAllocs[g.name];
        if (existing) existing.coalescedFailures = (existing.coalescedFailures ?? 0) + 1;
        else plan.failedTGAllocs[g.name] = stack.metrics.toAllocationMetric(elapsed);
        plan.queuedAllocs[g.name] = (plan.queuedAllocs[g.name] ?? 0) + 1;
        return false;
      }
      const index = previous ? previous.index : nextIndex++;
      const p = {
        id: randomId(random),
        name: previous ? previous.name : allocName(job?.id ?? "", g.name, index),
        group: g.name,
        index,
        nodeId: s.node.id,
        nodeName: s.node.name,
        resources: s.resources,
        ports: s.ports,
        metrics: stack.metrics.toAllocationMetric(elapsed),
        ...(previous ? { previousAllocation: previous.id } : {}),
        ...(s.preempted.length > 0 ? { preemptedAllocs: s.preempted.map((a) => a.id) } : {}),
      };
      plan.placements.push(p);
      for (const a of s.preempted) {
        ctx.stop(a);
        plan.preemptions.push({ allocId: a.id, preemptedBy: p.id });
        desired.preemptions++;
      }
      ctx.place(asAlloc(p, snapshot, job?.priority ?? defaultJob.priority, job?.type ?? "system"));
      return true;
    }
  }
  Object.assign(plan.classEligibility, stack.feasibility.classEligibility);
  return plan;
}
