// The agent configuration, in Nomad's agent configuration vocabulary. One
// shape serves `caravan dev`, `caravan controller` (Nomad's server role) and
// `caravan agent` (Nomad's client role); later features add fields here.

import type { LogLevel } from "../common/log.js";

export interface ServerConfig {
  enabled: boolean;
  /** Scheduler workers running in parallel (Nomad's num_schedulers). */
  numSchedulers?: number;
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
  /** chroot_env: host paths (keys) linked into exec-style chroots at the values; unset means the driver's default. */
  chrootEnv?: Record<string, string>;
  /** gc_interval, gc_max_allocs, gc_disk_usage_threshold: when terminal allocations' dirs are removed; unset fields take Nomad's defaults. */
  gc?: { interval?: string; maxAllocs?: number; diskUsageThreshold?: number };
}

/** acl { … }: Nomad's ACL system on the HTTP API. */
export interface AclConfig {
  enabled: boolean;
  /**
   * token_ttl: how long a resolved token may be cached (a Go duration). Accepted
   * for Nomad's configs; tokens are read from a watched cache, so a change to a
   * token or policy applies at once.
   */
  tokenTTL?: string;
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
}

/** limits { … }: protection of the HTTP API. */
export interface LimitsConfig {
  /** http_max_conns_per_client: connections one address may hold; 0 is no limit. */
  httpMaxConnsPerClient: number;
}

export interface AgentConfig {
  region: string;
  datacenter: string;
  name?: string;
  dataDir?: string;
  logLevel: LogLevel;
  logJson: boolean;
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
