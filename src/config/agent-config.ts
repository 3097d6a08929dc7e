// The agent configuration, in Nomad's agent configuration vocabulary. One
// shape serves `caravan dev`, `caravan controller` (Nomad's server role) and
// `caravan agent` (Nomad's client role); later features add fields here.

import os from "node:os";
import type { LogLevel } from "../common/log.js";

export interface ServerConfig {
  enabled: boolean;
  /** Scheduler workers running in parallel (Nomad's num_schedulers). */
  numSchedulers?: number;
  /** job_gc_interval: how often the core garbage collection runs (Go duration; default 5m). */
  jobGcInterval?: string;
  /** How old terminal objects must be before garbage collection (Go durations, Nomad's *_gc_threshold). */
  jobGcThreshold?: string;
  evalGcThreshold?: string;
  batchEvalGcThreshold?: string;
  deploymentGcThreshold?: string;
  nodeGcThreshold?: string;
  /** acl_token_gc_threshold: how long an expired ACL token stays before it is deleted (Go duration; default 1h). */
  aclTokenGcThreshold?: string;
}

export interface HostVolumeConfig {
  path: string;
  readOnly: boolean;
}

export interface ClientConfig {
  enabled: boolean;
  nodeClass?: string;
  nodePool?: string;
  meta: Record<string, string>;
  /** Driver and fingerprinter options such as "driver.raw_exec.enable". */
  options: Record<string, string>;
  hostVolumes: Record<string, HostVolumeConfig>;
  /** Reserved resources: cpu (MHz), memory (MB), disk (MB), reserved_ports. */
  reserved: Record<string, string | number>;
  /** alloc_dir: where allocations' directories go (default <data_dir>/alloc). */
  allocDir?: string;
  /** state_dir: where the agent records the tasks it runs (default data_dir). */
  stateDir?: string;
  /** network_interface: the interface whose IPv4 address the node offers to jobs. */
  networkInterface?: string;
  /** host_network "<name>" { cidr, interface, reserved_ports }: named addresses ports may be placed on. */
  hostNetworks?: Record<string, { cidr?: string; interface?: string; reservedPorts?: string }>;
  /** cni_path: where CNI plugins are looked for (":"-separated). */
  cniPath?: string;
  /** cni_config_dir: where the cni/<name> network modes are defined. */
  cniConfigDir?: string;
  /** bridge_network_name: the bridge of `bridge` mode (Nomad's default "nomad"). */
  bridgeNetworkName?: string;
  /** bridge_network_subnet: the IPv4 subnet `bridge` mode hands out (Nomad's default 172.26.64.0/20). */
  bridgeNetworkSubnet?: string;
  /** bridge_network_hairpin_mode: allocations may reach themselves through their mapped ports. */
  bridgeNetworkHairpinMode?: boolean;
  /** cpu_total_compute (MHz), memory_total_mb, disk_total_mb, disk_free_mb: fingerprint overrides. */
  cpuTotalCompute?: number;
  memoryTotalMB?: number;
  diskTotalMB?: number;
  diskFreeMB?: number;
  /** chroot_env: host paths (keys) linked into exec-style chroots at the values; unset means the driver's default. */
  chrootEnv?: Record<string, string>;
  /** gc_interval, gc_max_allocs, gc_disk_usage_threshold: when terminal allocations' dirs are removed; unset fields take Nomad's defaults. */
  gc?: {
    interval?: string;
    maxAllocs?: number;
    diskUsageThreshold?: number;
    /** gc_inode_usage_threshold: percent of the data dir's inodes in use above which terminal allocations go. */
    inodeUsageThreshold?: number;
    /** gc_parallel_destroys: how many allocation dirs are removed at once. */
    parallelDestroys?: number;
  };
}

/** acl { … }: Nomad's ACL system on the HTTP API. */
export interface AclConfig {
  enabled: boolean;
  /**
   * token_ttl, policy_ttl, role_ttl: how long a resolved token, policy or role
   * may be cached (Go durations; Nomad's default 30s) — the most a change may
   * take to apply. Caravan reads them from a watched cache, so a change
   * applies at once, well within any TTL.
   */
  tokenTTL?: string;
  policyTTL?: string;
  roleTTL?: string;
  /** token_min_expiration_ttl: the shortest ExpirationTTL a token may be given (Go duration; default 1m). */
  tokenMinExpirationTTL?: string;
  /** token_max_expiration_ttl: the longest ExpirationTTL a token may be given (Go duration; default 24h). */
  tokenMaxExpirationTTL?: string;
}

/** Nomad's defaults for token_min_expiration_ttl and token_max_expiration_ttl. */
export const defaultTokenMinExpirationTTL = "1m";
export const defaultTokenMaxExpirationTTL = "24h";

/** tls { … }: HTTPS for the HTTP API, and client certificates when verify_https_client. */
export interface TlsConfig {
  http: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  verifyHttpsClient: boolean;
  /** tls_min_version: the oldest TLS version accepted (Nomad's default tls12). */
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
}

/** limits { … }: protection of the HTTP API. */
export interface LimitsConfig {
  /** http_max_conns_per_client: connections one address may hold; 0 is no limit. */
  httpMaxConnsPerClient: number;
}

/** log_file and log_rotate_*: the agent's log also written to a file, rotated as Nomad rotates it. */
export interface LogFileConfig {
  /** A file, or a directory (ending in "/") to hold nomad.log; Nomad's log_file. */
  path: string;
  /** log_rotate_bytes: rotate when the file would pass this size; 0 is no size limit. */
  rotateBytes: number;
  /** log_rotate_duration: rotate this long after the file was started (Go duration; default 24h). */
  rotateDuration: string;
  /** log_rotate_max_files: rotated files kept (0 keeps all; -1 keeps none). */
  rotateMaxFiles: number;
}

/** Nomad's defaults: no size limit, a new file every 24 hours, every rotated file kept. */
export const defaultLogRotation = { rotateBytes: 0, rotateDuration: "24h", rotateMaxFiles: 0 };

/** telemetry { … }: what metrics are published, and how. */
export interface TelemetryConfig {
  /** prometheus_metrics: serve /v1/metrics?format=prometheus (always on in Caravan). */
  prometheusMetrics: boolean;
  collectionInterval?: string;
  disableHostname?: boolean;
  publishAllocationMetrics?: boolean;
  publishNodeMetrics?: boolean;
}

/** A consul { … } block: one Consul cluster (Nomad's ConsulConfig), by its name. */
export interface ConsulConfig {
  name: string;
  address?: string;
  grpcAddress?: string;
  token?: string;
  auth?: string;
  ssl?: boolean;
  verifySsl?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  namespace?: string;
  timeout?: string;
  tags?: string[];
  serverServiceName?: string;
  clientServiceName?: string;
  autoAdvertise?: boolean;
  checksUseAdvertise?: boolean;
  serverAutoJoin?: boolean;
  clientAutoJoin?: boolean;
  serviceAuthMethod?: string;
  taskAuthMethod?: string;
}

/** A vault { … } block: one Vault cluster (Nomad's VaultConfig), by its name. */
export interface VaultConfig {
  name: string;
  enabled?: boolean;
  address?: string;
  namespace?: string;
  createFromRole?: string;
  jwtAuthBackendPath?: string;
  caFile?: string;
  caPath?: string;
  certFile?: string;
  keyFile?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
}

export interface AgentConfig {
  region: string;
  datacenter: string;
  name?: string;
  dataDir?: string;
  logLevel: LogLevel;
  logJson: boolean;
  logFile?: LogFileConfig;
  bindAddr: string;
  /** addresses { http }: where the HTTP endpoint listens instead of bind_addr. */
  addresses?: { http?: string };
  /**
   * advertise { http = "host[:port]" }: where others reach this agent's HTTP
   * endpoint (recorded on its NomadNode); unset, the address it listens on,
   * or its first external IPv4 when that is 0.0.0.0.
   */
  advertise?: { http?: string };
  /** ports.http: the HTTP endpoint (metrics now, Nomad's API later); 0 picks a free port. */
  ports: { http: number };
  /** Kubeconfig of the cluster to use; unset means in-cluster or the embedded control plane. */
  kubeconfig?: string;
  server: ServerConfig;
  client: ClientConfig;
  /** `plugin "<driver>" { config { … } }`, kept as written for the driver to validate. */
  plugins: Record<string, Record<string, unknown>>;
  acl?: AclConfig;
  tls?: TlsConfig;
  limits?: LimitsConfig;
  telemetry?: TelemetryConfig;
  /** http_api_response_headers: headers added to every HTTP API response (e.g. CORS). */
  httpApiResponseHeaders?: Record<string, string>;
  /** consul blocks by cluster name ("default" when unnamed). */
  consul?: Record<string, ConsulConfig>;
  /** vault blocks by cluster name ("default" when unnamed). */
  vault?: Record<string, VaultConfig>;
}

/** The agent's name (Nomad's `name`, the host name unless set): its node's name when it is a client. */
export function agentName(config: Pick<AgentConfig, "name">): string {
  return config.name ?? os.hostname();
}

export function defaultAgentConfig(): AgentConfig {
  return {
    region: "global",
    datacenter: "dc1",
    logLevel: "info",
    logJson: false,
    bindAddr: "127.0.0.1",
    ports: { http: 4646 },
    server: { enabled: false },
    client: { enabled: false, meta: {}, options: {}, hostVolumes: {}, reserved: {} },
    plugins: {},
  };
}
