// The NomadJob spec: a Nomad job (`job "<id>"` block) in camelCase.
import type { Integer, StringMap } from "../common.js";
import type { TaskGroup } from "./group.js";
import type { VaultSettings } from "./integrations.js";
import type { Multiregion } from "./multiregion.js";
import type { ParameterizedJobConfig, PeriodicConfig } from "./periodic.js";
import type { MigrateStrategy, ReschedulePolicy, UpdateStrategy } from "./policies.js";
import type { Affinity, Constraint, Spread } from "./scheduling.js";

/** The job's Nomad scheduler. */
export type JobType = "service" | "batch" | "system" | "sysbatch";

/** A link shown on the job's page in the Nomad UI (`link` block). */
export interface JobUiLink {
  /** The link text. */
  label: string;
  /** The link target. */
  url: string;
}

/** How the Nomad UI presents the job (`ui` block). */
export interface JobUiConfig {
  /**
   * Markdown shown at the top of the job's page.
   * @maxLength 1000
   */
  description?: string;
  /** Links shown on the job's page. */
  links?: JobUiLink[];
}

/**
 * A Nomad job: what to run, where, and how to roll it out. Field names are
 * Nomad's job specification in camelCase. There is no `namespace` field: the
 * NomadJob's Kubernetes namespace is its Nomad namespace.
 * @validation [{"rule": "!has(self.periodic) || (has(self.periodic.enabled) && !self.periodic.enabled) || self.type in ['batch', 'sysbatch']", "message": "periodic jobs must be of type batch or sysbatch"}, {"rule": "!has(self.parameterized) || self.type in ['batch', 'sysbatch']", "message": "parameterized jobs must be of type batch or sysbatch"}, {"rule": "self.type != 'system' || (!has(self.affinities) && !has(self.spreads))", "message": "system jobs may not have affinities or spreads"}, {"rule": "self.type != 'system' || self.groups.all(g, (!has(g.count) || g.count <= 1) && !has(g.affinities) && !has(g.spreads))", "message": "in a system job a group's count is at most 1 and it has no affinities or spreads"}]
 */
export interface NomadJobSpec {
  /**
   * The exact Nomad job ID, when it is not a valid Kubernetes name (e.g. it contains "_", "/" or capitals); defaults to metadata.name.
   * @pattern ^[^\s\x00]+$
   * @maxLength 256
   */
  id?: string;
  /** The job's display name. Nomad's default is the job ID. */
  name?: string;
  /**
   * The scheduler: "service" (long-running), "batch" (runs to completion), "system" (one allocation on every eligible node) or "sysbatch" (batch on every eligible node).
   * @default "service"
   * @maxLength 8
   */
  type?: JobType;
  /**
   * Datacenters the job may run in; "*" and other glob patterns match several.
   * @default ["*"]
   * @minItems 1
   */
  datacenters?: string[];
  /** The node pool the job runs in. Nomad's default is the namespace's default pool, else "default". */
  nodePool?: string;
  /** The region the job runs in. Nomad's default is "global". */
  region?: string;
  /**
   * Scheduling priority, 1 (lowest) to 100; higher-priority jobs are evaluated first and may preempt lower ones.
   * @minimum 1
   * @maximum 100
   * @default 50
   */
  priority?: Integer;
  /** Whether the whole job must be placed in one scheduling pass or not at all. Nomad's default is false. */
  allAtOnce?: boolean;
  /** Job metadata, visible to tasks as NOMAD_META_<key>. */
  meta?: StringMap;
  /** Placement rules for every allocation of the job. */
  constraints?: Constraint[];
  /**
   * Placement preferences for every allocation of the job (not for system jobs).
   * @maxItems 32
   */
  affinities?: Affinity[];
  /**
   * Spreads for every allocation of the job (not for system jobs).
   * @maxItems 16
   */
  spreads?: Spread[];
  /** Default update strategy of every group. */
  update?: UpdateStrategy;
  /** Default drain migration strategy of every group (service jobs). */
  migrate?: MigrateStrategy;
  /** Default reschedule policy of every group. */
  reschedule?: ReschedulePolicy;
  /** Launch children on a cron schedule (batch and sysbatch jobs). */
  periodic?: PeriodicConfig;
  /** Make the job dispatchable with a payload and meta (batch and sysbatch jobs). */
  parameterized?: ParameterizedJobConfig;
  /** Deploy to several regions in turn (Enterprise). */
  multiregion?: Multiregion;
  /** Default Vault settings for every task without its own vault block. */
  vault?: VaultSettings;
  /** How the Nomad UI presents the job. */
  ui?: JobUiConfig;
  /** Whether the job is stopped: its allocations are stopped but the job is kept (`nomad job stop` without -purge). Nomad's default is false. */
  stop?: boolean;
  /**
   * The task groups (`group` blocks).
   * @listMapKeys name
   * @minItems 1
   * @maxItems 128
   */
  groups: TaskGroup[];
  /** Set by Caravan on periodic and dispatched children: the parent job's ID. */
  parentId?: string;
  /** Set by Caravan on dispatched children: true. */
  dispatched?: boolean;
  /** Set by Caravan on dispatched children: the key that makes a dispatch idempotent. */
  dispatchIdempotencyToken?: string;
  /**
   * Set by Caravan on dispatched children: the dispatch payload, base64 encoded (at most 16 KiB decoded).
   * @format byte
   * @maxLength 21848
   */
  payload?: string;
}
