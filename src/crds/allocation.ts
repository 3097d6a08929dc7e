import type { CommonStatus, Duration, Integer, StringMap } from "./common.js";

/** What the scheduler wants the allocation to do. */
export type AllocationDesiredStatus = "run" | "stop" | "evict";

/** What the node agent reports the allocation is doing. */
export type AllocationClientStatus =
  | "pending"
  | "running"
  | "complete"
  | "failed"
  | "lost"
  | "unknown";

/** The state of one task. */
export type AllocationTaskStateValue = "pending" | "running" | "dead";

/** A port given to the allocation, as Nomad's allocated port mappings. */
export interface AllocatedPort {
  /** The port's label from the group's network block (`port "http" {}`). */
  label: string;
  /**
   * The port number on the host.
   * @minimum 0
   * @maximum 65535
   */
  value: Integer;
  /**
   * The port inside the task's network namespace or container that value maps
   * to; -1 means the same number as value, 0 or absent means no mapping.
   * @minimum -1
   * @maximum 65535
   */
  to?: Integer;
  /** The host IP address the port is bound on. */
  hostIP?: string;
  /** The port was allowed to collide with one already in use (ignore_collision). */
  ignoreCollision?: boolean;
}

/** DNS settings of an allocation's network namespace. */
export interface AllocationDNSConfig {
  /** Name servers, as IP addresses. */
  servers?: string[];
  /** Search domains. */
  searches?: string[];
  /** resolv.conf options. */
  options?: string[];
}

/** One network the allocation was given (the group's `network` block as placed). */
export interface AllocatedNetwork {
  /** Network mode: host, bridge, none, or cni/<name>. Nomad's default is host. */
  mode?: string;
  /** Host network interface the network was placed on. */
  device?: string;
  /** Address of the host network the ports are bound on. */
  ip?: string;
  /** CIDR of the host network. */
  cidr?: string;
  /** Hostname given to the network namespace. */
  hostname?: string;
  /** DNS configuration of the network namespace. */
  dns?: AllocationDNSConfig;
}

/** Resources shared by every task of the allocation. */
export interface AllocatedSharedResources {
  /**
   * Ephemeral disk in MiB (the group's ephemeral_disk size).
   * @minimum 0
   */
  diskMB?: Integer;
  /** Networks placed for the group. */
  networks?: AllocatedNetwork[];
  /**
   * Ports reserved or picked for the group, keyed by label.
   * @listMapKeys label
   */
  ports?: AllocatedPort[];
}

/** Device instances given to a task. */
export interface AllocatedDevice {
  /** Device vendor, e.g. nvidia. */
  vendor: string;
  /** Device type, e.g. gpu. */
  type: string;
  /** Device model name. */
  name: string;
  /**
   * IDs of the device instances the task may use.
   * @listType set
   */
  deviceIDs?: string[];
}

/** Resources given to one task. */
export interface AllocatedTaskResources {
  /**
   * CPU in MHz the task is entitled to (its cpu_shares).
   * @minimum 0
   */
  cpu?: Integer;
  /**
   * IDs of the CPU cores reserved for the task alone (resources.cores).
   * @listType set
   */
  reservedCores?: Integer[];
  /**
   * Memory in MiB the scheduler reserved.
   * @minimum 0
   */
  memoryMB?: Integer;
  /**
   * Memory limit in MiB when memory oversubscription allows the task to use more
   * than memoryMB; absent or 0 means no extra.
   * @minimum 0
   */
  memoryMaxMB?: Integer;
  /**
   * Devices given to the task, keyed by vendor, type and name.
   * @listMapKeys vendor type name
   */
  devices?: AllocatedDevice[];
}

/** Everything the scheduler set aside on the node for this allocation. */
export interface AllocationResources {
  /** Group-level resources: ephemeral disk, networks and ports. */
  shared?: AllocatedSharedResources;
  /** Per task name, the task's CPU, memory and devices. */
  tasks?: Record<string, AllocatedTaskResources>;
}

/** One earlier attempt in this allocation's reschedule history. */
export interface AllocationRescheduleEvent {
  /**
   * When the earlier allocation was rescheduled (RFC 3339).
   * @format date-time
   */
  rescheduleTime: string;
  /** metadata.name of the allocation that was replaced. */
  prevAllocation: string;
  /** metadata.name of the node the replaced allocation ran on. */
  prevNodeName?: string;
  /** The delay that was applied before this reschedule. */
  delay?: Duration;
}

/** Reschedule history, carried from each allocation to its replacement. */
export interface AllocationRescheduleTracker {
  /** Earlier reschedules, oldest first. */
  events?: AllocationRescheduleEvent[];
}

/** A requested change the scheduler acts on at its next evaluation of the job. */
export interface AllocationDesiredTransition {
  /** Stop the allocation and place it elsewhere (set by node drains). */
  migrate?: boolean;
  /** The allocation may be rescheduled (set by `nomad alloc stop` for replacement). */
  reschedule?: boolean;
  /** Reschedule the failed allocation now, whatever its reschedule policy says (`nomad job eval -force-reschedule`). */
  forceReschedule?: boolean;
  /** Skip the tasks' shutdown_delay when stopping (`-no-shutdown-delay`). */
  noShutdownDelay?: boolean;
}

/**
 * NomadAllocation spec: one placed instance of a task group, written by the
 * scheduler's plan applier. The node agent on spec.nodeName runs it.
 */
export interface NomadAllocationSpec {
  /** metadata.name of the NomadJob (in this namespace) the allocation belongs to. */
  jobName: string;
  /**
   * The job version the allocation runs.
   * @minimum 0
   */
  jobVersion: Integer;
  /** Name of the task group, one of the job's groups[].name. */
  group: string;
  /** metadata.name of the NomadNode the allocation is placed on. */
  nodeName: string;
  /** run, stop or evict (stop because of preemption). */
  desiredStatus: AllocationDesiredStatus;
  /** Why the scheduler wants the desired status ("alloc is being updated due to job update"…). */
  desiredDescription?: string;
  /** A requested change the scheduler has not acted on yet. */
  desiredTransition?: AllocationDesiredTransition;
  /** Nomad's allocation name, `<job>.<group>[<index>]`. */
  name: string;
  /**
   * The allocation's index within its group (the number in name); NOMAD_ALLOC_INDEX.
   * @minimum 0
   */
  index: Integer;
  /** metadata.name of the NomadEvaluation whose plan placed or last changed the allocation. */
  evalName: string;
  /** metadata.name of the NomadDeployment the allocation was placed in, if any. */
  deploymentName?: string;
  /** Resources reserved on the node for the allocation. */
  resources: AllocationResources;
  /** metadata.name of the allocation this one replaces. */
  previousAllocation?: string;
  /** metadata.name of the allocation that replaces this one. */
  nextAllocation?: string;
  /** Reschedule history, so reschedule policies count attempts across replacements. */
  rescheduleTracker?: AllocationRescheduleTracker;
  /** metadata.name of the evaluation that will reschedule this failed allocation after its delay. */
  followupEvalName?: string;
  /**
   * metadata.name of the allocations preempted to make room for this one.
   * @listType set
   */
  preemptedAllocations?: string[];
  /** metadata.name of the allocation that preempted this one. */
  preemptedByAllocation?: string;
}

/** Something that happened to a task, as Nomad's task events. */
export interface AllocationTaskEvent {
  /** The kind of event: Received, Task Setup, Started, Terminated, Restarting, Killing, Killed, Driver Failure… */
  type: string;
  /**
   * When it happened (RFC 3339, fractional seconds allowed).
   * @format date-time
   */
  time: string;
  /** A message from the component that raised the event. */
  message?: string;
  /** A sentence for people, as `nomad alloc status` shows it. */
  displayMessage?: string;
  /** Structured details: exit_code, signal, restart_reason, kill_timeout, driver_error… */
  details?: StringMap;
  /** The event fails the task. */
  failsTask?: boolean;
  /** The task's exit code, for Terminated events. */
  exitCode?: Integer;
  /** The signal that ended the task, for Terminated events; 0 if none. */
  signal?: Integer;
  /** Why the task is restarting or not, for Restarting and Not Restarting events. */
  restartReason?: string;
  /** Why the task was killed. */
  killReason?: string;
  /** The kill timeout in force, for Killing events. */
  killTimeout?: Duration;
  /** The error from a failed kill. */
  killError?: string;
  /** How long the task waits before restarting, for Restarting events. */
  startDelay?: Duration;
  /** The error from a failed driver start. */
  driverError?: string;
  /** The error from a failed task setup. */
  setupError?: string;
  /** The error from a failed artifact download. */
  downloadError?: string;
  /** The error from task validation. */
  validationError?: string;
  /** The sibling task whose failure killed this one. */
  failedSibling?: string;
}

/** The state of one task in the allocation. */
export interface AllocationTaskState {
  /** pending, running or dead. */
  state: AllocationTaskStateValue;
  /** The task failed; a failed task also fails its allocation. */
  failed?: boolean;
  /**
   * How many times the task has been restarted in place.
   * @minimum 0
   */
  restarts?: Integer;
  /**
   * When the task last restarted (RFC 3339).
   * @format date-time
   */
  lastRestart?: string;
  /**
   * When the task last started (RFC 3339).
   * @format date-time
   */
  startedAt?: string;
  /**
   * When the task became dead for good (RFC 3339).
   * @format date-time
   */
  finishedAt?: string;
  /** The most recent events, oldest first (Nomad keeps the last 10). */
  events?: AllocationTaskEvent[];
}

/** The allocation's part in a deployment. */
export interface AllocationDeploymentStatus {
  /** Whether the allocation became healthy; absent until its health is known. */
  healthy?: boolean;
  /**
   * When healthy was set (RFC 3339).
   * @format date-time
   */
  timestamp?: string;
  /** The allocation is a canary of the deployment. */
  canary?: boolean;
  /**
   * When an allocation updated in place joined its deployment (RFC 3339): its
   * health is judged from then, as Nomad's client watches it afresh.
   * @format date-time
   */
  joinedAt?: string;
  /**
   * Increases each time the deployment status changes, so watchers can tell old
   * health reports from new ones.
   * @minimum 0
   */
  modifyIndex?: Integer;
}

/** The network namespace the node agent set up for the allocation. */
export interface AllocationNetworkStatus {
  /** Interface inside the namespace, e.g. eth0. */
  interfaceName?: string;
  /** IPv4 address of that interface. */
  address?: string;
  /** IPv6 address of that interface. */
  addressIPv6?: string;
  /** DNS configuration in force. */
  dns?: AllocationDNSConfig;
}

/** The latest outcome of one of the allocation's Nomad service checks (provider "nomad"). */
export interface AllocationCheckStatus {
  /** Identifies the check within the allocation: its service, task and check names. */
  id: string;
  /** The check's name. */
  check: string;
  /** The service the check belongs to. */
  service: string;
  /** The task whose service it is; absent for group services. */
  task?: string;
  /** "healthiness" (deployments wait for it) or "readiness" (on_update = "ignore": only reported). */
  mode: "healthiness" | "readiness";
  /** "pending" (not run yet), "success" or "failure". */
  status: "pending" | "success" | "failure";
  /** The HTTP status code of an http check's last run. */
  statusCode?: Integer;
  /** What the last run said: an error, or the body of a non-200 response (cut at 3 KiB). */
  output?: string;
  /**
   * Since when the check has had this status (RFC 3339); deployments count
   * min_healthy_time from it.
   * @format date-time
   */
  timestamp: string;
}

/** What the allocation is doing, reported by the node agent that runs it. */
export interface NomadAllocationStatus extends CommonStatus {
  /** pending, running, complete, failed, lost or unknown (on a disconnected node). */
  clientStatus?: AllocationClientStatus;
  /** Why the allocation has its client status, for people. */
  clientDescription?: string;
  /** Per task name, the task's state, restarts and events. */
  taskStates?: Record<string, AllocationTaskState>;
  /** Health and canary status within the allocation's deployment. */
  deploymentStatus?: AllocationDeploymentStatus;
  /** The allocation's network namespace, in bridge or CNI mode. */
  networkStatus?: AllocationNetworkStatus;
  /**
   * Results of the allocation's Nomad service checks (group and task services
   * with provider "nomad"), as `nomad alloc checks` shows them.
   * @listMapKeys id
   */
  checks?: AllocationCheckStatus[];
  /**
   * When the client status last changed (RFC 3339).
   * @format date-time
   */
  modifyTime?: string;
}
