import type { CommonStatus, Integer } from "./common.js";

/**
 * The one NomadSchedulerConfiguration: the cluster's, as Nomad has one per
 * region (the CRD refuses any other name).
 */
export const schedulerConfigurationName = "cluster";

/** Nomad's default preemption switches (its server's default_scheduler_config). */
export const defaultPreemptionConfig: Readonly<Required<PreemptionConfig>> = {
  systemSchedulerEnabled: true,
  sysBatchSchedulerEnabled: false,
  batchSchedulerEnabled: false,
  serviceSchedulerEnabled: false,
};

/** Whether a scheduler may evict lower-priority allocations to place a job of its type. */
export interface PreemptionConfig {
  /** Preemption for system jobs. Nomad's default: true. */
  systemSchedulerEnabled?: boolean;
  /** Preemption for sysbatch jobs. Nomad's default: false. */
  sysBatchSchedulerEnabled?: boolean;
  /** Preemption for batch jobs. Nomad's default: false. */
  batchSchedulerEnabled?: boolean;
  /** Preemption for service jobs. Nomad's default: false. */
  serviceSchedulerEnabled?: boolean;
}

/**
 * NomadSchedulerConfiguration spec: Nomad's scheduler configuration (`nomad
 * operator scheduler set-config`). Absent fields take Nomad's defaults.
 */
export interface NomadSchedulerConfigurationSpec {
  /**
   * How allocations are placed: "binpack" fills nodes, "spread" evens them out.
   * A node pool's schedulerConfiguration overrides it for its jobs. Default binpack.
   */
  schedulerAlgorithm?: "binpack" | "spread";
  /** Which schedulers may preempt lower-priority allocations. */
  preemptionConfig?: PreemptionConfig;
  /**
   * Whether a task's memory_max (memory above its reservation) is honoured. A
   * node pool's schedulerConfiguration overrides it for its jobs. Default false.
   */
  memoryOversubscriptionEnabled?: boolean;
  /** Refuse job registration, dispatch and scaling to all but management tokens. Default false. */
  rejectJobRegistration?: boolean;
  /** Hold every evaluation pending until this is false again. Default false. */
  pauseEvalBroker?: boolean;
  /**
   * How many feasible nodes are looked at when a job has spreads or affinities;
   * 0 means Nomad's 100.
   * @minimum 0
   */
  nodeLimitForFeasibilityChecks?: Integer;
}

/** Observed state of the scheduler configuration. */
export interface NomadSchedulerConfigurationStatus extends CommonStatus {}
