// The observed state of a NomadJob, as `nomad job status` reports it.
import type { CommonStatus, Integer } from "../common.js";

/** Allocation counts of one group by client status, as in Nomad's job summary. */
export interface TaskGroupSummary {
  /**
   * Allocations waiting to be placed.
   * @minimum 0
   */
  queued?: Integer;
  /**
   * Placed allocations not yet running.
   * @minimum 0
   */
  starting?: Integer;
  /**
   * Running allocations.
   * @minimum 0
   */
  running?: Integer;
  /**
   * Allocations that finished successfully.
   * @minimum 0
   */
  complete?: Integer;
  /**
   * Allocations that failed.
   * @minimum 0
   */
  failed?: Integer;
  /**
   * Allocations lost with their node.
   * @minimum 0
   */
  lost?: Integer;
  /**
   * Allocations on disconnected nodes.
   * @minimum 0
   */
  unknown?: Integer;
}

/** Counts of a periodic or parameterized job's children by status. */
export interface JobChildrenSummary {
  /**
   * Children not yet running.
   * @minimum 0
   */
  pending?: Integer;
  /**
   * Running children.
   * @minimum 0
   */
  running?: Integer;
  /**
   * Finished children.
   * @minimum 0
   */
  dead?: Integer;
}

/** Observed state of a NomadJob. */
export interface NomadJobStatus extends CommonStatus {
  /** Nomad's job status: "pending" (nothing running yet), "running" or "dead" (stopped or finished). */
  status?: "pending" | "running" | "dead";
  /** Why the job has its status. */
  statusDescription?: string;
  /**
   * The job version, increased by every spec change Nomad considers a new version.
   * @minimum 0
   */
  version?: Integer;
  /** Whether the current version is stable: its deployment succeeded. */
  stable?: boolean;
  /**
   * When the current version was submitted (RFC 3339).
   * @format date-time
   */
  submitTime?: string;
  /**
   * Allocations wanted: the sum of the groups' counts.
   * @minimum 0
   */
  desired?: Integer;
  /**
   * Allocations running, over all groups.
   * @minimum 0
   */
  running?: Integer;
  /** Allocation counts per group name. */
  summary?: Record<string, TaskGroupSummary>;
  /** Children counts, for periodic and parameterized jobs. */
  children?: JobChildrenSummary;
}
