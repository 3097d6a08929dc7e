// Multiregion deployment of one job (Nomad Enterprise's `multiregion` block).
import type { Integer, StringMap } from "../common.js";

/** How a multiregion deployment proceeds from region to region. */
export interface MultiregionStrategy {
  /**
   * How many regions deploy at the same time; unset deploys to all at once.
   * @minimum 0
   */
  maxParallel?: Integer;
  /** What a failed region does to the others: "fail_all" fails every region's deployment, "fail_local" only its own; unset waits for an operator. */
  onFailure?: "fail_all" | "fail_local";
}

/** One region the job is deployed to, in order. */
export interface MultiregionRegion {
  /**
   * The region's name.
   * @minLength 1
   */
  name: string;
  /**
   * Count for this region's copy of every group that sets `count: 0`; groups with another count keep it.
   * @minimum 0
   */
  count?: Integer;
  /**
   * Datacenters in this region; replaces the job's datacenters there.
   * @minItems 1
   */
  datacenters?: string[];
  /** Node pool in this region; replaces the job's nodePool there. */
  nodePool?: string;
  /** Meta merged into the job's meta in this region. */
  meta?: StringMap;
}

/**
 * Deploys the job to several federated regions, region by region
 * (`multiregion` block).
 */
export interface Multiregion {
  /** How regions are rolled out. */
  strategy?: MultiregionStrategy;
  /**
   * The regions, in deployment order (`region "<name>"` blocks).
   * @listMapKeys name
   * @minItems 1
   */
  regions: MultiregionRegion[];
}
