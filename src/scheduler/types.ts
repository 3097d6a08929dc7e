// The scheduler's snapshot model: compact, readonly views of nodes and
// allocations (built from the NomadNode / NomadAllocation resources by
// adapters.ts) and the plan it returns. Times are milliseconds since the epoch
// so the hot loops never parse strings.
import type { DeploymentStatusValue } from "../crds/deployment.js";
import type { AllocationMetric, EvaluationDesiredUpdates } from "../crds/evaluation.js";
import type { NomadJobSpec } from "../crds/job/index.js";

/** A device group on a node (one vendor/type/model), with its healthy instances. */
export interface SchedulerDevice {
  readonly vendor: string;
  readonly type: string;
  readonly name: string;
  /** IDs of healthy instances, the only ones that can be given out. */
  readonly healthyIds: readonly string[];
  /** Attributes as strings, with units where the plugin gave one ("16 GiB"). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A client node as the scheduler needs it. */
export interface SchedulerNode {
  /** What allocations reference the node by (the NomadNode's metadata.name). */
  readonly id: string;
  /** Nomad's node UUID, which ${node.unique.id} reads; the id when absent. */
  readonly uniqueId?: string;
  readonly name: string;
  readonly datacenter: string;
  readonly nodePool: string;
  readonly nodeClass: string;
  readonly status: "initializing" | "ready" | "down" | "disconnected";
  /** When status last changed (ms); disconnect timeouts count from it. */
  readonly statusUpdatedAt?: number;
  /** Scheduling eligibility; false while draining. */
  readonly eligible: boolean;
  readonly draining: boolean;
  /** When the drain stops respecting migrate.max_parallel (ms); 0 for a forced drain. */
  readonly drainDeadline?: number;
  /** The drain leaves system job allocations alone (-ignore-system). */
  readonly drainIgnoreSystemJobs?: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  /** Per driver name: detected and healthy. A driver missing here is looked up in attributes (driver.<name>). */
  readonly drivers: Readonly<
    Record<string, { readonly detected: boolean; readonly healthy: boolean }>
  >;
  /** Totals, before reserved resources are taken out. */
  readonly cpuMHz: number;
  readonly memoryMB: number;
  readonly diskMB: number;
  /** Core IDs tasks may reserve with resources.cores. */
  readonly reservableCores: readonly number[];
  readonly reserved: {
    readonly cpuMHz: number;
    readonly memoryMB: number;
    readonly diskMB: number;
    readonly cores: readonly number[];
    readonly ports: readonly number[];
  };
  readonly minDynamicPort: number;
  readonly maxDynamicPort: number;
  /** Host network names the node offers ("default" always). */
  readonly hostNetworks: readonly string[];
  /** The address of each host network (by name) a port asking for it is placed on. */
  readonly hostNetworkAddresses?: Readonly<Record<string, string>>;
  /** Network modes the node supports (host always; bridge when fingerprinted). */
  readonly networkModes: readonly string[];
  readonly devices: readonly SchedulerDevice[];
  readonly hostVolumes: Readonly<Record<string, { readonly readOnly: boolean }>>;
  /** Most allocations the node takes; 0 means no limit. */
  readonly maxAllocs: number;
  /** Nodes with the same class are interchangeable for feasibility; computed when absent. */
  readonly computedClass?: string;
}

export type AllocDesiredStatus = "run" | "stop" | "evict";
export type AllocClientStatus = "pending" | "running" | "complete" | "failed" | "lost" | "unknown";

/** A device given to an allocation. */
export interface AllocatedDeviceIds {
  readonly vendor: string;
  readonly type: string;
  readonly name: string;
  readonly ids: readonly string[];
}

/** What an allocation holds on its node, flattened over its tasks. */
export interface SchedulerResources {
  readonly cpuMHz: number;
  readonly memoryMB: number;
  /** Sum of memory_max where set (oversubscription), else memoryMB. */
  readonly memoryMaxMB: number;
  readonly diskMB: number;
  readonly cores: readonly number[];
  readonly ports: readonly PlacedPort[];
  readonly devices: readonly AllocatedDeviceIds[];
  /** Per task, its share (kept so a plan can write AllocationResources back). */
  readonly tasks?: Readonly<Record<string, TaskResources>>;
}

/** One task's share of an allocation's resources. */
export interface TaskResources {
  cpuMHz: number;
  memoryMB: number;
  memoryMaxMB: number;
  cores: number[];
  devices?: AllocatedDeviceIds[];
}

/** One earlier reschedule of an allocation's lineage. */
export interface RescheduleEvent {
  readonly time: number;
  readonly prevAllocId: string;
  readonly prevNodeId: string;
  readonly delayMs: number;
}

/** An allocation as the scheduler needs it: any job's (for usage) or the evaluated job's. */
export interface SchedulerAlloc {
  readonly id: string;
  /** `<job>.<group>[<index>]`. */
  readonly name: string;
  readonly namespace: string;
  readonly jobId: string;
  readonly jobVersion: number;
  /** The owning job's priority and type: preemption compares them. */
  readonly jobPriority: number;
  readonly jobType: "service" | "batch" | "system" | "sysbatch";
  readonly group: string;
  readonly index: number;
  readonly nodeId: string;
  readonly desiredStatus: AllocDesiredStatus;
  readonly clientStatus: AllocClientStatus;
  readonly resources: SchedulerResources;
  readonly previousAllocation?: string;
  readonly nextAllocation?: string;
  readonly rescheduleEvents: readonly RescheduleEvent[];
  readonly desiredTransition?: {
    readonly migrate?: boolean;
    readonly reschedule?: boolean;
    readonly forceReschedule?: boolean;
  };
  readonly deploymentId?: string;
  readonly canary?: boolean;
  /** Deployment health: undefined until known. */
  readonly healthy?: boolean;
  /** When the client status last changed (ms): a failed allocation's failure time. */
  readonly modifyTime: number;
  readonly followupEvalId?: string;
}

/** A deployment of the evaluated job, as the scheduler needs it. */
export interface SchedulerDeployment {
  readonly id: string;
  readonly jobVersion: number;
  readonly status: DeploymentStatusValue;
  readonly groups: Readonly<
    Record<
      string,
      {
        readonly promoted?: boolean;
        readonly desiredCanaries?: number;
        readonly desiredTotal?: number;
        readonly placedCanaries?: readonly string[];
        readonly placedAllocs?: number;
        readonly healthyAllocs?: number;
        readonly unhealthyAllocs?: number;
      }
    >
  >;
}

/** Cluster-wide scheduler configuration, with a node pool's overrides applied. */
export interface SchedulerConfig {
  readonly algorithm: "binpack" | "spread";
  readonly memoryOversubscription: boolean;
  readonly preemption: {
    readonly system: boolean;
    readonly sysbatch: boolean;
    readonly batch: boolean;
    readonly service: boolean;
  };
  /** Candidate limit when spreads or affinities are in play (Nomad: 100). */
  readonly nodeLimitForFeasibilityChecks: number;
}

/** Everything one evaluation looks at. */
export interface SchedulerSnapshot {
  readonly evalId: string;
  /** Namespace and ID of the job. */
  readonly namespace: string;
  readonly jobId: string;
  /** The job as registered; undefined when it was purged (everything stops). */
  readonly job: NomadJobSpec | undefined;
  readonly jobVersion: number;
  /** The previous version, so the scheduler can tell in-place from destructive updates. */
  readonly previousJob?: { readonly spec: NomadJobSpec; readonly version: number };
  /** Older versions by number, so an allocation of any kept version is compared with its own spec. */
  readonly olderJobs?: Readonly<Record<number, NomadJobSpec>>;
  readonly nodes: readonly SchedulerNode[];
  /** Non-terminal allocations of every job (for node usage), plus every allocation of this job. */
  readonly allocs: readonly SchedulerAlloc[];
  /** The job's latest deployment, if any. */
  readonly deployment?: SchedulerDeployment;
  readonly config?: Partial<SchedulerConfig>;
  /** Wall clock (ms) and a seed: the scheduler reads no clock and no global randomness. */
  readonly now: number;
  readonly seed: number;
}

/** Port given to a placement. */
export interface PlacedPort {
  readonly label: string;
  readonly value: number;
  readonly to?: number;
  /** The address of the port's host_network; unset for the node's default network. */
  readonly hostIP?: string;
}

/** A new allocation. */
export interface Placement {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly index: number;
  readonly nodeId: string;
  readonly nodeName: string;
  readonly resources: SchedulerResources;
  readonly ports: readonly PlacedPort[];
  readonly previousAllocation?: string;
  readonly canary?: boolean;
  readonly deploymentId?: string;
  /** Carried reschedule history, with this reschedule appended. */
  readonly rescheduleEvents?: readonly RescheduleEvent[];
  /** Allocations of lower priority this placement evicts. */
  readonly preemptedAllocs?: readonly string[];
  readonly metrics: AllocationMetric;
}

/** Why an allocation stops. */
export interface StopAlloc {
  readonly allocId: string;
  readonly reason: string;
  /** The client status to record (lost for allocations on down nodes). */
  readonly clientStatus?: AllocClientStatus;
  /** Set for a migration or reschedule so the replacement can be linked. */
  readonly followupEvalId?: string;
}

/** An allocation whose job version moves forward without a restart. */
export interface InPlaceUpdate {
  readonly allocId: string;
  readonly nodeId: string;
  readonly group: string;
  readonly jobVersion: number;
  /** The deployment the allocation joins (its health is judged again there). */
  readonly deploymentId?: string;
}

/** A deployment the plan creates or updates. */
export interface PlanDeployment {
  readonly op: "create" | "update";
  readonly id: string;
  readonly jobVersion: number;
  readonly status: SchedulerDeployment["status"];
  readonly statusDescription?: string;
  readonly groups: Record<
    string,
    {
      desiredTotal: number;
      desiredCanaries: number;
      placedAllocs: number;
      placedCanaries: string[];
      promoted: boolean;
      autoRevert: boolean;
      autoPromote: boolean;
    }
  >;
}

/** An evaluation to run later (delayed reschedule, disconnect timeout). */
export interface FollowupEval {
  readonly id: string;
  readonly waitUntil: number;
  readonly triggeredBy: "failed-follow-up" | "max-disconnect-timeout";
  readonly allocIds: readonly string[];
}

/** The scheduler's answer: what to change. The plan applier re-checks and commits it. */
export interface Plan {
  readonly evalId: string;
  readonly jobId: string;
  /** The job's all_at_once: the plan applier commits every placement or none. */
  readonly allAtOnce: boolean;
  readonly placements: Placement[];
  readonly stops: StopAlloc[];
  readonly inPlaceUpdates: InPlaceUpdate[];
  /** Allocations on disconnected nodes to mark unknown; on reconnected nodes to resume. */
  readonly disconnectUpdates: string[];
  readonly reconnectUpdates: string[];
  /** Allocations of other jobs evicted to make room. */
  readonly preemptions: { allocId: string; preemptedBy: string }[];
  readonly deployment?: PlanDeployment;
  /** Deployments this plan cancels (superseded by a new job version). */
  readonly cancelledDeployments: { id: string; description: string }[];
  readonly followupEvals: FollowupEval[];
  readonly annotations: { desiredTGUpdates: Record<string, Required<EvaluationDesiredUpdates>> };
  /** Per group, why placements failed (the first failure, with coalesced count). */
  readonly failedTGAllocs: Record<string, AllocationMetric>;
  /** Per group, placements that could not be made. */
  readonly queuedAllocs: Record<string, number>;
  /** Per computed class, whether it was feasible (for blocked evaluations). */
  readonly classEligibility: Record<string, boolean>;
  readonly escapedComputedClass: boolean;
}
