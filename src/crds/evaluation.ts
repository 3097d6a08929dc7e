import type { CommonStatus, Duration, Integer } from "./common.js";

/** The scheduler that handles an evaluation: the type of the job it is for. */
export type EvaluationJobType = "service" | "batch" | "system" | "sysbatch";

/** Why an evaluation was created, with Nomad's trigger names. */
export type EvaluationTrigger =
  | "job-register"
  | "job-deregister"
  | "periodic-job"
  | "node-update"
  | "node-drain"
  | "alloc-stop"
  | "scheduled"
  | "rolling-update"
  | "deployment-watcher"
  | "failed-follow-up"
  | "max-plan-attempts"
  | "alloc-failure"
  | "alloc-reschedule"
  | "queued-allocs"
  | "preemption"
  | "job-scaling"
  | "max-disconnect-timeout"
  | "reconnect";

/** Where an evaluation is in its life. */
export type EvaluationStatusValue = "blocked" | "pending" | "complete" | "failed" | "canceled";

/**
 * NomadEvaluation spec: a request for the scheduler to reconcile one job, and
 * what caused it. Written once by whoever creates the evaluation.
 */
export interface NomadEvaluationSpec {
  /** metadata.name of the NomadJob (in this namespace) to evaluate. */
  jobName: string;
  /**
   * The job version that was current when the evaluation was created; the
   * scheduler works on the newest version whatever this says.
   * @minimum 0
   */
  jobVersion?: Integer;
  /**
   * The NomadJob's metadata.generation whose spec change caused the evaluation
   * (register, stop, scale, revert; Nomad's JobModifyIndex). The scheduler
   * waits until the jobs controller has recorded that generation as a job version.
   * @minimum 0
   */
  jobGeneration?: Integer;
  /** The job's type, which picks the scheduler: service, batch, system or sysbatch. */
  type: EvaluationJobType;
  /**
   * Scheduling priority, copied from the job (or from the evaluation that led to
   * this one). The broker hands out higher priorities first. Nomad's range is 1–100.
   * @minimum 1
   * @maximum 100
   */
  priority: Integer;
  /** The event that created the evaluation (job-register, node-update, alloc-failure…). */
  triggeredBy: EvaluationTrigger;
  /** metadata.name of the NomadNode whose change triggered the evaluation, for node-update and node-drain. */
  nodeName?: string;
  /** metadata.name of the NomadDeployment this evaluation acts for, when a deployment triggered it. */
  deploymentName?: string;
  /** metadata.name of the evaluation this one follows from (a blocked or follow-up evaluation's parent). */
  previousEval?: string;
  /**
   * Hold the evaluation until this time (RFC 3339) before scheduling it; used for
   * delayed rescheduling and disconnect timeouts.
   * @format date-time
   */
  waitUntil?: string;
  /** Hold the evaluation for this long after it is created before scheduling it (Nomad's rolling-update stagger). */
  wait?: Duration;
  /**
   * Compute plan annotations (desired changes per group) as `nomad job plan`
   * shows them. Default false.
   */
  annotatePlan?: boolean;
}

/** Details of one node's score for a placement. */
export interface EvaluationNodeScore {
  /** metadata.name of the scored NomadNode. */
  nodeName: string;
  /** The score each ranking step gave (binpack, job-anti-affinity, node-affinity, spread…), from -1 to 1. */
  scores?: Record<string, number>;
  /** The node's final normalized score. */
  normScore?: number;
}

/** Resources a task asked for that no node could give, as reported in placement failures. */
export interface EvaluationExhaustedResources {
  /** CPU in MHz. */
  cpu?: Integer;
  /** Whole CPU cores. */
  cores?: Integer;
  /** Memory in MiB. */
  memoryMB?: Integer;
  /** Disk in MiB. */
  diskMB?: Integer;
}

/**
 * Why placements did (or did not) succeed: counts of nodes the scheduler looked
 * at and what ruled them out. `nomad eval status` and `nomad alloc status -verbose`
 * print these.
 */
export interface AllocationMetric {
  /**
   * Nodes the scheduler evaluated.
   * @minimum 0
   */
  nodesEvaluated?: Integer;
  /**
   * Nodes ruled out by constraints or node class.
   * @minimum 0
   */
  nodesFiltered?: Integer;
  /**
   * Nodes in the job's node pool.
   * @minimum 0
   */
  nodesInPool?: Integer;
  /** The node pool the placement looked at. */
  nodePool?: string;
  /** Ready, eligible nodes per datacenter. */
  nodesAvailable?: Record<string, Integer>;
  /** Nodes filtered out, per node class. */
  classFiltered?: Record<string, Integer>;
  /** Nodes filtered out, per constraint (as the constraint's text). */
  constraintFiltered?: Record<string, Integer>;
  /**
   * Nodes that passed the constraints but lacked the resources.
   * @minimum 0
   */
  nodesExhausted?: Integer;
  /** Nodes without enough resources, per node class. */
  classExhausted?: Record<string, Integer>;
  /** Nodes without enough resources, per resource dimension ("memory", "cpu", "network: port collision"…). */
  dimensionExhausted?: Record<string, Integer>;
  /** Quota limits that were reached (Nomad Enterprise quotas; Caravan leaves this empty). */
  quotaExhausted?: string[];
  /** Per task, the resources that could not be found on any node. */
  resourcesExhausted?: Record<string, EvaluationExhaustedResources>;
  /** Scores of the best-ranked nodes. */
  scoreMetaData?: EvaluationNodeScore[];
  /** How long the placement computation took. */
  allocationTime?: Duration;
  /**
   * Further placements of the same group that failed for the same reasons and
   * were folded into this entry.
   * @minimum 0
   */
  coalescedFailures?: Integer;
}

/** The changes the scheduler wants for one task group, as `nomad job plan` reports them. */
export interface EvaluationDesiredUpdates {
  /**
   * Allocations left as they are.
   * @minimum 0
   */
  ignore?: Integer;
  /**
   * New allocations to place.
   * @minimum 0
   */
  place?: Integer;
  /**
   * Allocations to move off draining nodes.
   * @minimum 0
   */
  migrate?: Integer;
  /**
   * Allocations to stop.
   * @minimum 0
   */
  stop?: Integer;
  /**
   * Allocations updated without a restart.
   * @minimum 0
   */
  inPlaceUpdate?: Integer;
  /**
   * Allocations replaced because of the update.
   * @minimum 0
   */
  destructiveUpdate?: Integer;
  /**
   * Canary allocations to place.
   * @minimum 0
   */
  canary?: Integer;
  /**
   * Allocations of lower-priority jobs to preempt.
   * @minimum 0
   */
  preemptions?: Integer;
  /**
   * Allocations on disconnected nodes to mark unknown.
   * @minimum 0
   */
  disconnect?: Integer;
  /**
   * Allocations on reconnected nodes to resume.
   * @minimum 0
   */
  reconnect?: Integer;
  /**
   * Failed allocations to reschedule now.
   * @minimum 0
   */
  rescheduleNow?: Integer;
  /**
   * Failed allocations to reschedule once their delay has passed.
   * @minimum 0
   */
  rescheduleLater?: Integer;
}

/** What the scheduler planned, filled in when spec.annotatePlan is true. */
export interface EvaluationPlanAnnotations {
  /** Desired changes per task group. */
  desiredTGUpdates?: Record<string, EvaluationDesiredUpdates>;
  /**
   * metadata.name of allocations the plan would preempt.
   * @listType set
   */
  preemptedAllocs?: string[];
}

/** Outcome of a NomadEvaluation, written by the eval broker and scheduler workers. */
export interface NomadEvaluationStatus extends CommonStatus {
  /** blocked, pending, complete, failed or canceled, as in Nomad. A new evaluation is pending. */
  status?: EvaluationStatusValue;
  /** Why the evaluation has its status, for people. */
  statusDescription?: string;
  /** Per task group, why placements failed (the metrics of the first failure). */
  failedTGAllocs?: Record<string, AllocationMetric>;
  /**
   * Per task group, the scheduler's metrics for the group's last placement in
   * this evaluation: the Placement Metrics `nomad alloc status -verbose` shows
   * for its allocations. Kept here once per group rather than on each
   * allocation, whose every byte the API server pays for on create.
   */
  placementMetrics?: Record<string, AllocationMetric>;
  /** Per task group, allocations that could not be placed yet. */
  queuedAllocations?: Record<string, Integer>;
  /**
   * Per computed node class, whether nodes of that class were feasible; a blocked
   * evaluation is unblocked when capacity appears in an eligible class.
   */
  classEligibility?: Record<string, boolean>;
  /**
   * True when a constraint looked at something outside the computed class (a
   * unique attribute), so any node change may unblock the evaluation.
   */
  escapedComputedClass?: boolean;
  /** Plan annotations, when spec.annotatePlan asked for them. */
  annotations?: EvaluationPlanAnnotations;
  /**
   * metadata.name of the job's latest NomadDeployment (the one its plan
   * created, or the newest before it, whatever its status), as Nomad's
   * Evaluation.DeploymentID: `nomad job run` monitors that deployment once the
   * evaluation completes.
   */
  deploymentName?: string;
  /** metadata.name of the follow-up evaluation created when this one could not finish (delayed reschedule, failed follow-up). */
  nextEval?: string;
  /** metadata.name of the blocked evaluation created for placements that did not fit. */
  blockedEval?: string;
  /**
   * How many times the eval broker has handed the evaluation to a scheduler
   * worker; delivery is at least once, so more than 1 means a worker did not finish.
   * @minimum 0
   */
  deliveryCount?: Integer;
  /**
   * When the evaluation was created (RFC 3339).
   * @format date-time
   */
  createTime?: string;
  /**
   * When the evaluation last changed (RFC 3339).
   * @format date-time
   */
  modifyTime?: string;
}
