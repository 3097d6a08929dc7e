// A task group (`group` block): the unit Nomad places on one node, as one
// allocation per count.
import type { Duration, Integer, StringMap } from "../common.js";
import type { ConsulSettings, VaultSettings } from "./integrations.js";
import type { NetworkResource } from "./network.js";
import type {
  DisconnectStrategy,
  MigrateStrategy,
  ReschedulePolicy,
  RestartPolicy,
  UpdateStrategy,
} from "./policies.js";
import type { EphemeralDisk } from "./resources.js";
import type { ScalingPolicy } from "./scaling.js";
import type { Affinity, Constraint, Spread } from "./scheduling.js";
import type { GroupService } from "./service.js";
import type { Task } from "./task.js";
import type { VolumeRequest } from "./volumes.js";

/**
 * A task group (`group "<name>"` block): tasks that always run together on
 * one node, placed `count` times.
 * @validation [{"rule": "!has(self.scaling) || !has(self.count) || self.count <= self.scaling.max", "message": "count cannot exceed scaling.max"}, {"rule": "!has(self.disconnect) || (!has(self.maxClientDisconnect) && !has(self.stopAfterClientDisconnect))", "message": "use disconnect or the deprecated maxClientDisconnect/stopAfterClientDisconnect, not both"}]
 */
export interface TaskGroup {
  /**
   * The group's name, unique within the job.
   * @minLength 1
   */
  name: string;
  /**
   * How many allocations of the group to run. Nomad's default is scaling.min when a scaling block sets it, else 1.
   * @minimum 0
   */
  count?: Integer;
  /** Placement rules for the group's allocations, added to the job's. */
  constraints?: Constraint[];
  /**
   * Placement preferences for the group's allocations, added to the job's.
   * @maxItems 32
   */
  affinities?: Affinity[];
  /**
   * Spreads for the group's allocations, added to the job's.
   * @maxItems 16
   */
  spreads?: Spread[];
  /**
   * The group's network: mode, ports and DNS. At most one.
   * @maxItems 1
   */
  networks?: NetworkResource[];
  /**
   * Services registered for the allocation; Connect services must be here.
   * @maxItems 64
   */
  services?: GroupService[];
  /**
   * The tasks (`task` blocks).
   * @listMapKeys name
   * @minItems 1
   * @maxItems 64
   */
  tasks: Task[];
  /**
   * Volumes the group claims (`volume` blocks).
   * @listMapKeys name
   * @maxItems 64
   */
  volumes?: VolumeRequest[];
  /** Bounds for scaling the count, and the autoscaler's policy. */
  scaling?: ScalingPolicy;
  /** How failed tasks are restarted in place; tasks may override it. */
  restart?: RestartPolicy;
  /** How failed allocations are replaced; overrides the job's. */
  reschedule?: ReschedulePolicy;
  /** How allocations leave a draining node; overrides the job's. */
  migrate?: MigrateStrategy;
  /** Update strategy for this group; overrides the job's field by field. */
  update?: UpdateStrategy;
  /** The allocation's scratch disk. Nomad's default is 300 MB, neither sticky nor migrated. */
  ephemeralDisk?: EphemeralDisk;
  /** What happens when the allocation's client disconnects (Nomad 1.8 and later). */
  disconnect?: DisconnectStrategy;
  /** Deprecated in Nomad 1.8 for disconnect.stopOnClientAfter: how long a disconnected client waits before stopping the allocation. */
  stopAfterClientDisconnect?: Duration;
  /** Deprecated in Nomad 1.8 for disconnect.lostAfter: how long allocations on a disconnected client stay unknown before they are lost. */
  maxClientDisconnect?: Duration;
  /** Deprecated in Nomad 1.8 for disconnect.replace: whether lost allocations are not replaced. Nomad's default is false. */
  preventRescheduleOnLost?: boolean;
  /** Delay between deregistering the group's services and stopping its tasks. Nomad's default is "0s". */
  shutdownDelay?: Duration;
  /** How long a batch or sysbatch allocation may run once running before Nomad stops it (Nomad 2.0 and later). Caravan's node agent does not enforce it yet. */
  maxRunDuration?: Duration;
  /** Group metadata, merged over the job's and under each task's. */
  meta?: StringMap;
  /** Consul cluster, namespace and partition for the group's services and templates. */
  consul?: ConsulSettings;
  /** Default Vault settings for every task of the group without its own vault block; overrides the job's. */
  vault?: VaultSettings;
}
