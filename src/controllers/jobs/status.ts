// A job's observed status from its allocations and evaluations: Nomad's job
// status and per-group summary, and the Kubernetes conditions kstatus, Argo CD
// and Flux read (Ready, Reconciling, Stalled). Pure: the reconciler feeds it
// informer-cache objects and a clock.

import type { Condition } from "../../crds/common.js";
import { setCondition } from "../../crds/conditions.js";
import type { TaskGroupSummary } from "../../crds/job/status.js";
import type { NomadAllocation, NomadEvaluation, NomadJob } from "../../crds/objects.js";
import { isActive, isClientTerminal, isEvaluationTerminal } from "../../crds/terminal.js";
import { isParentJob } from "./evaluation.js";
import { describePlacementFailure } from "./placement-failure.js";

export interface JobObservation {
  job: NomadJob;
  /** Every allocation of the job, stopped ones included. */
  allocations: readonly NomadAllocation[];
  /** Evaluations of the job, any order. */
  evaluations: readonly NomadEvaluation[];
  /** The job version the controller has recorded for the current spec. */
  version: number;
}

export interface ObservedJobStatus {
  status: "pending" | "running" | "dead";
  statusDescription: string;
  summary: Record<string, TaskGroupSummary>;
  desired: number;
  running: number;
  conditions: Condition[];
}

export function observeJob(obs: JobObservation, now: string): ObservedJobStatus {
  const { job } = obs;
  const batchLike = job.spec.type === "batch" || job.spec.type === "sysbatch";
  const systemLike = job.spec.type === "system" || job.spec.type === "sysbatch";
  const latest = latestEvaluation(obs.evaluations);
  const queuedByGroup = latest?.status?.queuedAllocations ?? {};

  const summary: Record<string, TaskGroupSummary> = {};
  for (const group of job.spec.groups) {
    summary[group.name] = {
      queued: queuedByGroup[group.name] ?? 0,
      starting: 0,
      running: 0,
      complete: 0,
      failed: 0,
      lost: 0,
      unknown: 0,
    };
  }
  let live = 0;
  let unfinished = 0;
  let runningCurrent = 0;
  let liveCurrent = 0;
  for (const alloc of obs.allocations) {
    const counts = summary[alloc.spec.group] ?? {};
    summary[alloc.spec.group] = counts;
    const client = alloc.status?.clientStatus ?? "pending";
    const bucket = client === "pending" ? "starting" : client;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
    if (!isClientTerminal(client)) unfinished++;
    if (isActive(alloc)) {
      live++;
      if (alloc.spec.jobVersion === obs.version) {
        liveCurrent++;
        if (client === "running") runningCurrent++;
      }
    }
  }
  const running = Object.values(summary).reduce((n, s) => n + (s.running ?? 0), 0);
  const queued = Object.values(summary).reduce((n, s) => n + (s.queued ?? 0), 0);
  const stopped = job.spec.stop === true;
  const desired = stopped
    ? 0
    : systemLike
      ? liveCurrent + queued
      : job.spec.groups.reduce((n, g) => n + (g.count ?? 1), 0);
  const evaluating = obs.evaluations.some(
    (e) => e.status?.status === undefined || e.status.status === "pending",
  );

  // Nomad's getJobStatus: a job with an evaluation that is not terminal (pending,
  // or blocked waiting for capacity, as after a drain) is pending, not dead, so
  // the garbage collector leaves it.
  const awaitingEvaluation = obs.evaluations.some(
    (e) => !isEvaluationTerminal(e.status?.status ?? "pending"),
  );
  // Nomad: a job is running while it has live allocations (or is a periodic or
  // parameterized parent), dead when stopped or finished, pending before that.
  const parent = isParentJob(job);
  let status: ObservedJobStatus["status"];
  let statusDescription: string;
  if (parent && !stopped) {
    status = "running";
    statusDescription = job.spec.periodic
      ? "periodic job: launches children on schedule"
      : "parameterized job: dispatch to run";
  } else if (live > 0) {
    status = "running";
    statusDescription = `${running} of ${desired} allocations running`;
  } else if (stopped || (obs.allocations.length > 0 && !awaitingEvaluation && queued === 0)) {
    status = "dead";
    statusDescription = stopped
      ? "job stopped"
      : batchLike
        ? "all allocations finished"
        : "no allocations running";
  } else {
    status = "pending";
    statusDescription = "waiting for placement";
  }

  const generation = job.metadata.generation ?? 0;
  const observed = job.status?.observedGeneration === generation;
  const blockedReasons = placementFailures(latest);

  let ready: { ok: boolean; reason: string; message: string };
  if (stopped) {
    ready =
      unfinished === 0
        ? { ok: true, reason: "Stopped", message: "the job is stopped and no allocations run" }
        : { ok: false, reason: "Stopping", message: `${unfinished} allocations still stopping` };
  } else if (parent) {
    ready = { ok: true, reason: "Registered", message: statusDescription };
  } else if (batchLike) {
    const complete = Object.values(summary).reduce((n, s) => n + (s.complete ?? 0), 0);
    const done = obs.allocations.length > 0 && live === 0 && queued === 0 && !evaluating;
    ready = done
      ? { ok: true, reason: "Complete", message: `${complete} allocations complete` }
      : { ok: false, reason: "Running", message: `${complete} of ${desired} allocations complete` };
  } else {
    const ok = runningCurrent >= desired && queued === 0 && !evaluating;
    ready = {
      ok,
      reason: ok ? "Running" : "Placing",
      message: `${runningCurrent} of ${desired} allocations of version ${obs.version} running`,
    };
  }

  let conditions = job.status?.conditions ?? [];
  conditions = setCondition(
    conditions,
    {
      type: "Ready",
      status: ready.ok ? "True" : "False",
      reason: ready.reason,
      message: ready.message,
      observedGeneration: generation,
    },
    now,
  );

  const reconcilingReason = !observed
    ? { reason: "NewVersion", message: "recording the new job version" }
    : evaluating
      ? { reason: "Evaluating", message: "the scheduler is evaluating the job" }
      : blockedReasons.length > 0
        ? { reason: "AllocationsQueued", message: blockedReasons.join("; ") }
        : !ready.ok && !stopped
          ? { reason: ready.reason, message: ready.message }
          : undefined;
  conditions = setCondition(
    conditions,
    reconcilingReason
      ? {
          type: "Reconciling",
          status: "True",
          ...reconcilingReason,
          observedGeneration: generation,
        }
      : {
          type: "Reconciling",
          status: "False",
          reason: ready.reason,
          message: ready.message,
          observedGeneration: generation,
        },
    now,
  );
  // Queued allocations wait for capacity, which arrives without user action: that
  // is Reconciling, not Stalled. Stalled is for what only the user can fix.
  conditions = setCondition(
    conditions,
    {
      type: "Stalled",
      status: "False",
      reason: "NotStalled",
      message: "",
      observedGeneration: generation,
    },
    now,
  );

  return { status, statusDescription, summary, desired, running, conditions };
}

/**
 * The evaluation that last reported placements for the job (complete or
 * blocked; canceled and failed ones say nothing about placement): by when its
 * status was written, else when it was created.
 */
function latestEvaluation(evals: readonly NomadEvaluation[]): NomadEvaluation | undefined {
  const at = (e: NomadEvaluation) =>
    Date.parse(e.status?.modifyTime ?? e.metadata.creationTimestamp ?? "") || 0;
  let latest: NomadEvaluation | undefined;
  for (const e of evals) {
    if (e.status?.status !== "complete" && e.status?.status !== "blocked") continue;
    if (
      !latest ||
      at(e) > at(latest) ||
      (at(e) === at(latest) && e.metadata.name > latest.metadata.name)
    )
      latest = e;
  }
  return latest;
}

function placementFailures(evaluation: NomadEvaluation | undefined): string[] {
  const failed = evaluation?.status?.failedTGAllocs ?? {};
  const queued = evaluation?.status?.queuedAllocations ?? {};
  return Object.entries(failed).map(([group, metric]) =>
    describePlacementFailure(group, queued[group] ?? (metric.coalescedFailures ?? 0) + 1, metric),
  );
}
