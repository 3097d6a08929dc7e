import type { CommonStatus, Duration, Integer, StringMap } from "./common.js";

/** Whether a node may receive new allocations. */
export type NodeEligibility = "eligible" | "ineligible";

/** A node's liveness as the servers see it. */
export type NodeStatusValue = "initializing" | "ready" | "down" | "disconnected";

/** Outcome of a node's most recent drain. */
export type NodeDrainStatus = "draining" | "complete" | "canceled";

/** How to drain a node, as `nomad node drain -enable` takes it. */
export interface NodeDrainSpec {
  /**
   * How long allocations may take to migrate before the rest are stopped. "0s"
   * means no deadline. Default 1h, as the Nomad CLI.
   * @default "1h"
   */
  deadline?: Duration;
  /** Leave system job allocations running on the node. Default false. */
  ignoreSystemJobs?: boolean;
  /** Stop every allocation now instead of migrating within the deadline (`-force`). */
  force?: boolean;
  /** Metadata recorded with the drain (`-meta`), such as the reason for it. */
  meta?: StringMap;
}

/**
 * NomadNode spec: what operators decide about a client node. The node agent
 * creates the object when it registers and reports everything else in status.
 */
export interface NomadNodeSpec {
  /**
   * Whether the node may receive new allocations (`nomad node eligibility`).
   * While spec.drain is set the node is ineligible whatever this says.
   * @default "eligible"
   */
  eligibility?: NodeEligibility;
  /**
   * Drain the node: migrate its allocations elsewhere. Remove the field to cancel
   * a drain; when a drain completes Caravan removes it and leaves the node ineligible.
   */
  drain?: NodeDrainSpec;
  /**
   * The node pool the node belongs to. The agent sets it from its configuration
   * when it registers. Default "default".
   */
  nodePool?: string;
  /**
   * Dynamic node metadata (`nomad node meta apply`): keys here override the
   * agent's configured meta; status.meta shows the merged result.
   */
  meta?: StringMap;
}

/** The node's CPU. */
export interface NodeCpuResources {
  /**
   * Total compute in MHz (cores × frequency), the unit of a task's `cpu`.
   * @minimum 0
   */
  cpuShares?: Integer;
  /**
   * Number of CPU cores.
   * @minimum 0
   */
  totalCores?: Integer;
  /**
   * IDs of the cores tasks may reserve with resources.cores.
   * @listType set
   */
  reservableCores?: Integer[];
}

/** The node's memory. */
export interface NodeMemoryResources {
  /**
   * Total memory in MiB.
   * @minimum 0
   */
  memoryMB?: Integer;
}

/** The node's disk for allocation directories. */
export interface NodeDiskResources {
  /**
   * Free disk in MiB under the agent's data directory.
   * @minimum 0
   */
  diskMB?: Integer;
}

/** One address of a host network. */
export interface NodeNetworkAddress {
  /** ipv4 or ipv6. */
  family?: "ipv4" | "ipv6";
  /** The host_network name this address serves ("default" for the default interface). */
  alias?: string;
  /** The IP address. */
  address: string;
  /** Ports reserved on this address, as a list of ports and ranges ("22,80,8000-8100"). */
  reservedPorts?: string;
  /** The default gateway for this address. */
  gateway?: string;
}

/** A network the node can place ports on. */
export interface NodeNetwork {
  /** host for a physical interface, bridge, or cni/<name>. */
  mode?: string;
  /** Interface name. */
  device?: string;
  /** The interface's MAC address. */
  macAddress?: string;
  /**
   * Link speed in Mbit/s.
   * @minimum 0
   */
  speed?: Integer;
  /** Addresses on the interface. */
  addresses?: NodeNetworkAddress[];
}

/** Where a device instance sits. */
export interface NodeDeviceLocality {
  /** PCI bus ID of the instance. */
  pciBusID?: string;
}

/** One instance of a device. */
export interface NodeDeviceInstance {
  /** Instance ID (a GPU's UUID, for example). */
  id: string;
  /** The instance is healthy and can be allocated. */
  healthy?: boolean;
  /** Why the instance is unhealthy. */
  healthDescription?: string;
  /** Where the instance sits. */
  locality?: NodeDeviceLocality;
}

/**
 * A typed device attribute, as device plugins report them; exactly one of
 * int, float, string and bool is set.
 */
export interface NodeDeviceAttribute {
  /** An integer value. */
  int?: Integer;
  /** A floating-point value. */
  float?: number;
  /** A string value. */
  string?: string;
  /** A boolean value. */
  bool?: boolean;
  /** Unit of a numeric value (MiB, MHz, W…), which constraints compare in. */
  unit?: string;
}

/** A group of identical devices found by a device plugin. */
export interface NodeDeviceResource {
  /** Device vendor, e.g. nvidia. */
  vendor: string;
  /** Device type, e.g. gpu. */
  type: string;
  /** Device model name. */
  name: string;
  /**
   * The individual devices.
   * @listMapKeys id
   */
  instances?: NodeDeviceInstance[];
  /** Attributes constraints and affinities can use (`${device.attr.memory}`). */
  attributes?: Record<string, NodeDeviceAttribute>;
}

/** Resources the node has for allocations. */
export interface NodeResources {
  /** CPU. */
  cpu?: NodeCpuResources;
  /** Memory. */
  memory?: NodeMemoryResources;
  /** Disk. */
  disk?: NodeDiskResources;
  /** Networks and their addresses. */
  networks?: NodeNetwork[];
  /**
   * Devices found by device plugins, keyed by vendor, type and name.
   * @listMapKeys vendor type name
   */
  devices?: NodeDeviceResource[];
  /**
   * Lowest port dynamic ports are picked from. Nomad's default is 20000.
   * @minimum 0
   * @maximum 65535
   */
  minDynamicPort?: Integer;
  /**
   * Highest port dynamic ports are picked from. Nomad's default is 32000.
   * @minimum 0
   * @maximum 65535
   */
  maxDynamicPort?: Integer;
}

/** Resources held back from scheduling (the agent's `reserved` block). */
export interface NodeReservedResources {
  /**
   * CPU in MHz.
   * @minimum 0
   */
  cpuShares?: Integer;
  /**
   * IDs of cores kept out of reservable cores.
   * @listType set
   */
  reservedCores?: Integer[];
  /**
   * Memory in MiB.
   * @minimum 0
   */
  memoryMB?: Integer;
  /**
   * Disk in MiB.
   * @minimum 0
   */
  diskMB?: Integer;
  /** Host ports allocations may not use, as ports and ranges ("22,80,8000-8100"). */
  reservedHostPorts?: string;
}

/** What the agent found out about a task driver. */
export interface NodeDriverInfo {
  /** The driver can run on this node. */
  detected?: boolean;
  /** The driver passed its last health check. */
  healthy?: boolean;
  /** Why the driver is healthy or not. */
  healthDescription?: string;
  /** Driver attributes, also found in status.attributes as driver.<name>.*. */
  attributes?: StringMap;
  /**
   * When the driver's health last changed (RFC 3339).
   * @format date-time
   */
  updateTime?: string;
}

/** A host volume offered by the node. */
export interface NodeHostVolume {
  /** Path on the host. */
  path: string;
  /** Allocations may only mount the volume read-only. */
  readOnly?: boolean;
  /** ID of a dynamic host volume; absent for volumes from the agent configuration. */
  id?: string;
}

/** A host network offered by the node (the agent's host_network blocks). */
export interface NodeHostNetwork {
  /** CIDR whose addresses belong to this network. */
  cidr?: string;
  /** Interface whose addresses belong to this network. */
  interface?: string;
  /** Ports reserved on this network, as ports and ranges. */
  reservedPorts?: string;
}

/** The drain in progress, as the servers track it. */
export interface NodeDrainStrategy {
  /** The drain's deadline, from spec.drain. */
  deadline?: Duration;
  /** System job allocations stay on the node. */
  ignoreSystemJobs?: boolean;
  /** The drain stops every allocation at once. */
  force?: boolean;
  /**
   * When remaining allocations will be stopped (RFC 3339); absent with no deadline.
   * @format date-time
   */
  forceDeadline?: string;
  /**
   * When the drain started (RFC 3339).
   * @format date-time
   */
  startedAt?: string;
}

/** The node's most recent drain, kept after it ends. */
export interface NodeLastDrain {
  /** draining, complete or canceled. */
  status?: NodeDrainStatus;
  /**
   * When the drain started (RFC 3339).
   * @format date-time
   */
  startedAt?: string;
  /**
   * When the drain last changed (RFC 3339).
   * @format date-time
   */
  updatedAt?: string;
  /** Metadata the operator gave with the drain. */
  meta?: StringMap;
}

/** A change in the node's state, as Nomad's node events. */
export interface NodeEvent {
  /** What happened. */
  message: string;
  /** The part of the node concerned: Cluster, Drain, Driver, Heartbeat, Scheduler or Storage. */
  subsystem?: string;
  /** Structured details. */
  details?: StringMap;
  /**
   * When it happened (RFC 3339).
   * @format date-time
   */
  timestamp: string;
}

/** What the node is, reported by its agent and by the node liveness controller. */
export interface NomadNodeStatus extends CommonStatus {
  /** initializing, ready, down or disconnected. Set to down when the node's Lease is not renewed in time. */
  status?: NodeStatusValue;
  /** Why the node has its status, for people. */
  statusDescription?: string;
  /**
   * When status last changed (RFC 3339).
   * @format date-time
   */
  statusUpdatedAt?: string;
  /** Nomad's node ID (a UUID), which the agent keeps in its state directory across restarts. */
  id?: string;
  /** The node's name as the agent reports it (its hostname by default). */
  name?: string;
  /** The datacenter the node is in; jobs select it with datacenters. */
  datacenter?: string;
  /** The node class from the agent configuration; constraints can use ${node.class}. */
  nodeClass?: string;
  /** The node pool the node is in now. */
  nodePool?: string;
  /** Address of the agent's HTTP API (host:port), for logs, exec and file access. */
  httpAddr?: string;
  /** The agent's HTTP API uses TLS. */
  tlsEnabled?: boolean;
  /** Fingerprinted attributes constraints use: kernel.name, cpu.arch, driver.docker, unique.hostname… */
  attributes?: StringMap;
  /** Node metadata: the agent's configured meta merged with spec.meta. */
  meta?: StringMap;
  /** Links to external systems (consul, aws instance…). */
  links?: StringMap;
  /** Resources the node has. */
  resources?: NodeResources;
  /** Resources held back from scheduling. */
  reserved?: NodeReservedResources;
  /** Per driver name, whether it is detected and healthy. */
  drivers?: Record<string, NodeDriverInfo>;
  /** Per host volume name, the volumes allocations can mount. */
  hostVolumes?: Record<string, NodeHostVolume>;
  /** Per host network name, the networks ports can be placed on. */
  hostNetworks?: Record<string, NodeHostNetwork>;
  /** A hash of the attributes that matter to scheduling; nodes with the same class are interchangeable. */
  computedClass?: string;
  /** Whether the node takes new allocations now: ineligible while draining or when spec.eligibility says so. */
  schedulingEligibility?: NodeEligibility;
  /** The drain in progress; absent when the node is not draining. */
  drainStrategy?: NodeDrainStrategy;
  /** The most recent drain. */
  lastDrain?: NodeLastDrain;
  /**
   * The most recent node events, oldest first (Nomad keeps the last 10).
   */
  events?: NodeEvent[];
  /**
   * Most allocations the node takes (node_max_allocs); absent or 0 means no limit.
   * @minimum 0
   */
  nodeMaxAllocs?: Integer;
  /** Version of the Caravan agent running on the node. */
  agentVersion?: string;
}
