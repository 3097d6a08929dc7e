import type { CommonStatus, StringMap } from "./common.js";

/** Scheduler settings a node pool overrides, as in Nomad's node pool configuration. */
export interface NodePoolSchedulerConfiguration {
  /** How allocations are packed onto nodes: "binpack" fills nodes, "spread" evens them out. */
  schedulerAlgorithm?: "binpack" | "spread";
  /** Whether memory oversubscription (memory_max above memory) is allowed in this pool. */
  memoryOversubscriptionEnabled?: boolean;
}

/** NomadNodePool spec: a Nomad node pool. The pool's name is metadata.name. */
export interface NomadNodePoolSpec {
  /** Free text shown by `nomad node pool info`. */
  description?: string;
  /** Metadata about the pool. */
  meta?: StringMap;
  /** Scheduler configuration for jobs placed in this pool. */
  schedulerConfiguration?: NodePoolSchedulerConfiguration;
}

/** Observed state of a node pool. */
export interface NomadNodePoolStatus extends CommonStatus {}
