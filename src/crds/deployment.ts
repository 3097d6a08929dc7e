import type { CommonStatus, Duration, Integer } from "./common.js";

/** Where a deployment is in its life, with Nomad's status names. */
export type DeploymentStatusValue =
  | "running"
  | "pending"
  | "paused"
  | "blocked"
  | "unblocking"
  | "initializing"
  | "failed"
  | "successful"
  | "cancelled";

/** A deployment still rolling out (Nomad's Deployment.Active). */
export const activeDeploymentStatuses: ReadonlySet<DeploymentStatusValue> = new Set([
  "running",
  "pending",
  "paused",
  "blocked",
  "unblocking",
  "initializing",
]);

/** Nomad's deployment status descriptions. */
export const deploymentDescriptions = {
  running: "Deployment is running",
  needsPromotion: "Deployment is running but requires manual promotion",
  autoPromotion: "Deployment is running pending automatic promotion",
  paused: "Deployment is paused",
  successful: "Deployment completed successfully",
  markedFailed: "Deployment marked as failed",
  unhealthy: "Failed due to unhealthy allocations",
  progressDeadline: "Failed due to progress deadline",
  stopped: "Cancelled because job is stopped",
  newerVersion: "Cancelled due to newer version of job",
} as const;

/**
 * NomadDeployment spec: the job version being rolled out, written by the
 * scheduler when it creates the deployment, plus the actions a user takes on it
 * (what `nomad deployment promote`, `pause`, `resume` and `fail` do).
 * @validation {"rule": "!(has(oldSelf.fail) && oldSelf.fail) || (has(self.fail) && self.fail)", "message": "a failed deployment cannot be un-failed"}
 */
export interface NomadDeploymentSpec {
  /** metadata.name of the NomadJob (in this namespace) being deployed. */
  jobName: string;
  /**
   * The job version this deployment rolls out.
   * @minimum 0
   */
  jobVersion: Integer;
  /**
   * The job's spec modify index (Caravan: the NomadJob's metadata.generation) at
   * that version; a newer spec supersedes the deployment.
   * @minimum 0
   */
  jobSpecModifyIndex?: Integer;
  /** The deployment is one region's part of a multiregion deployment. Default false. */
  isMultiregion?: boolean;
  /**
   * Priority of the evaluation that created the deployment; the evaluations the
   * deployment watcher creates inherit it.
   * @minimum 1
   * @maximum 100
   */
  evalPriority?: Integer;
  /**
   * Promote the canaries of every task group (`nomad deployment promote`). Once
   * promoted, canaries stay promoted: setting this back to false does nothing.
   */
  promote?: boolean;
  /**
   * Promote the canaries of these task groups only (`nomad deployment promote
   * -group`). Ignored for groups already promoted.
   * @listType set
   */
  promoteGroups?: string[];
  /**
   * Pause the rollout: no further allocations are replaced until this is false
   * again (`nomad deployment pause` / `resume`).
   */
  paused?: boolean;
  /**
   * Mark the deployment failed (`nomad deployment fail`); with auto_revert, the
   * job rolls back to its last stable version. Cannot be undone.
   */
  fail?: boolean;
}

/** Rollout progress of one task group. */
export interface DeploymentGroupState {
  /** Roll the job back to its last stable version if this group fails (update.auto_revert). */
  autoRevert?: boolean;
  /** Promote canaries automatically once they are all healthy (update.auto_promote). */
  autoPromote?: boolean;
  /** The group's canaries have been promoted. */
  promoted?: boolean;
  /**
   * metadata.name of the canary allocations placed so far.
   * @listType set
   */
  placedCanaries?: string[];
  /**
   * Canaries the group's update block asks for.
   * @minimum 0
   */
  desiredCanaries?: Integer;
  /**
   * Allocations the group should have at the end of the deployment.
   * @minimum 0
   */
  desiredTotal?: Integer;
  /**
   * Allocations placed in this deployment so far, canaries included.
   * @minimum 0
   */
  placedAllocs?: Integer;
  /**
   * Placed allocations that became healthy.
   * @minimum 0
   */
  healthyAllocs?: Integer;
  /**
   * Placed allocations that became unhealthy.
   * @minimum 0
   */
  unhealthyAllocs?: Integer;
  /** How long an allocation has to become healthy before the deployment fails (update.progress_deadline). */
  progressDeadline?: Duration;
  /**
   * The deployment fails if no allocation becomes healthy by this time (RFC 3339);
   * pushed back each time one does.
   * @format date-time
   */
  requireProgressBy?: string;
}

/** Rollout progress, written by the deployment watcher. */
export interface NomadDeploymentStatus extends CommonStatus {
  /** running, pending, paused, blocked, unblocking, initializing, failed, successful or cancelled. */
  status?: DeploymentStatusValue;
  /** Why the deployment has its status ("Deployment completed successfully"…). */
  statusDescription?: string;
  /** Per task group name, the group's rollout progress. */
  groups?: Record<string, DeploymentGroupState>;
  /**
   * When the deployment last changed (RFC 3339).
   * @format date-time
   */
  modifyTime?: string;
}
