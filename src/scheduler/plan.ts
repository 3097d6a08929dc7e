// Building the plan: turning selections into placements with the resources
// the plan applier writes back, and an empty plan to fill.
import { emptyDesired } from "./reconcile/results.js";
import type { Placement, Plan, SchedulerAlloc, SchedulerSnapshot } from "./types.js";

export function emptyPlan(snapshot: SchedulerSnapshot): Plan {
  return {
    evalId: snapshot.evalId,
    jobId: snapshot.jobId,
    allAtOnce: snapshot.job?.allAtOnce ?? false,
    placements: [],
    stops: [],
    inPlaceUpdates: [],
    disconnectUpdates: [],
    reconnectUpdates: [],
    preemptions: [],
    cancelledDeployments: [],
    followupEvals: [],
    annotations: { desiredTGUpdates: {} },
    failedTGAllocs: {},
    queuedAllocs: {},
    classEligibility: {},
    escapedComputedClass: false,
  };
}

/** The placement as an allocation, so later selections of the same plan see it. */
export function asAlloc(
  p: Placement,
  snapshot: SchedulerSnapshot,
  priority: number,
  type: SchedulerAlloc["jobType"],
): SchedulerAlloc {
  return {
    id: p.id,
    name: p.name,
    namespace: snapshot.namespace,
    jobId: snapshot.jobId,
    jobVersion: snapshot.jobVersion,
    jobPriority: priority,
    jobType: type,
    group: p.group,
    index: p.index,
    nodeId: p.nodeId,
    desiredStatus: "run",
    clientStatus: "pending",
    resources: p.resources,
    rescheduleEvents: p.rescheduleEvents ?? [],
    canary: p.canary,
    modifyTime: snapshot.now,
    ...(p.previousAllocation ? { previousAllocation: p.previousAllocation } : {}),
    ...(p.deploymentId ? { deploymentId: p.deploymentId } : {}),
  };
}

export { emptyDesired };
