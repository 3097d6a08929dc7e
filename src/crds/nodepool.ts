import type { CommonStatus, Duration, StringMap } from "./common.js";

/** Scheduler settings a node pool overrides, as in Nomad's node pool configuration. */
export interface NodePoolSchedulerConfiguration {
  /**
   * How allocations are packed onto nodes: "binpack" fills nodes, "spread" evens
   * them out. Absent means the cluster-wide scheduler configuration (binpack by default).
   */
  schedulerAlgorithm?: "binpack" | "spread";
  /**
   * Whether memory oversubscription (memory_max above memory) is allowed in this
   * pool. Absent means the cluster-wide setting.
   */
  memoryOversubscriptionEnabled?: boolean;
}

/**
 * NomadNodePool spec: a Nomad node pool. The pool's name is metadata.name unless
 * spec.name says otherwise. The built-in pools "default" and "all" need no object.
 */
export interface NomadNodePoolSpec {
  /**
   * The exact Nomad pool name when it is not a valid Kubernetes name (Nomad allows
   * capitals and underscores); defaults to metadata.name.
   * @pattern ^[a-zA-Z0-9-_]{1,128}$
   */
  name?: string;
  /**
   * Free text shown by `nomad node pool info`.
   * @maxLength 256
   */
  description?: string;
  /** Metadata about the pool. */
  meta?: StringMap;
  /**
   * How long the identity a node of this pool gets stays valid before the node
   * must renew it (node_identity_ttl). Nomad's default is 24h.
   */
  nodeIdentityTTL?: Duration;
  /** Scheduler configuration for jobs placed in this pool. */
  schedulerConfiguration?: NodePoolSchedulerConfiguration;
}

/** Observed state of a node pool. */
export interface NomadNodePoolStatus extends CommonStatus {}
