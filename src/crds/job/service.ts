// Service registration and health checks (`service` and `check` blocks), for
// a group or a task.
import type { Duration, Integer, StringMap } from "../common.js";
import type { ConsulConnect } from "./connect.js";
import type { WorkloadIdentity } from "./integrations.js";

/** Restarts the task when a check stays unhealthy (`check_restart` block). */
export interface CheckRestart {
  /**
   * How many consecutive unhealthy results restart the task; 0 never restarts. Nomad's default is 0.
   * @minimum 0
   */
  limit?: Integer;
  /** How long to wait after a task starts before its checks count. Nomad's default is "1s". */
  grace?: Duration;
  /** Whether a warning result counts as healthy. Nomad's default is false. */
  ignoreWarnings?: boolean;
}

/**
 * A health check on a service (`check` block), run by Consul or, for the
 * nomad provider, by the Nomad client.
 */
export interface ServiceCheck {
  /** The check's name. Nomad's default is "service: \"<service>\" check". */
  name?: string;
  /** What the check does: "http" request, "tcp" connect, "grpc" health call or "script" run in the task. The nomad provider supports http and tcp. */
  type: "http" | "tcp" | "grpc" | "script";
  /** The command a script check runs inside the task. */
  command?: string;
  /** Arguments of the script check's command. */
  args?: string[];
  /** The HTTP path of an http check, e.g. "/health". */
  path?: string;
  /** "http" or "https" for an http check. Nomad's default is "http". */
  protocol?: "http" | "https";
  /** HTTP method of an http check. Nomad's default is "GET". */
  method?: string;
  /** Request body of an http check. */
  body?: string;
  /** Request headers of an http check; each header may have several values. */
  header?: Record<string, string[]>;
  /** Port label (or, with addressMode "driver", a number) to check; defaults to the service's port. */
  port?: string;
  /** Whether a Connect sidecar exposes this check's path (connect services only). Nomad's default is false. */
  expose?: boolean;
  /** Which address the check targets: "host", "driver" (task services) or "alloc" (group services). Nomad's default is "host". */
  addressMode?: "host" | "driver" | "alloc";
  /** How often the check runs. */
  interval: Duration;
  /** How long one run may take before it fails. */
  timeout: Duration;
  /** The status before the first run: "passing", "warning" or "critical". Consul's default is "critical". */
  initialStatus?: "passing" | "warning" | "critical";
  /** Free text Consul stores with the check. */
  notes?: string;
  /** Server name for TLS verification (https and grpc with TLS). */
  tlsServerName?: string;
  /** Whether TLS certificates are not verified. Nomad's default is false. */
  tlsSkipVerify?: boolean;
  /** The gRPC service to check (grpc checks); unset checks the whole server. */
  grpcService?: string;
  /** Whether a grpc check uses TLS. Nomad's default is false. */
  grpcUseTls?: boolean;
  /** The task a script check runs in (checks on group services). */
  task?: string;
  /**
   * Consecutive passing results before the check is passing (Consul). Nomad's default is 0.
   * @minimum 0
   */
  successBeforePassing?: Integer;
  /**
   * Consecutive failing results before the check is critical (Consul). Nomad's default is 0.
   * @minimum 0
   */
  failuresBeforeCritical?: Integer;
  /**
   * Consecutive failing results before the check is warning (Consul). Nomad's default is 0.
   * @minimum 0
   */
  failuresBeforeWarning?: Integer;
  /** Restart the task when this check stays unhealthy. */
  checkRestart?: CheckRestart;
  /** How this check affects deployment health: "require_healthy", "ignore_warnings" or "ignore". Nomad's default is "require_healthy". */
  onUpdate?: "require_healthy" | "ignore_warnings" | "ignore";
}

/** DNS SRV weights Consul gives the service by health (`weights` block). */
export interface ServiceWeights {
  /**
   * Weight while all checks pass. Consul's default is 1.
   * @minimum 1
   */
  passing?: Integer;
  /**
   * Weight while a check warns. Consul's default is 1.
   * @minimum 0
   */
  warning?: Integer;
}

/** Fields of a service shared by group-level and task-level services. */
export interface ServiceBase {
  /** The service's name; may interpolate, e.g. "${JOB}-web". Nomad's default is "<job>-<group>-<task>". */
  name?: string;
  /** Where the service is registered: "consul" or Nomad's own service catalog ("nomad"). Every service of a group uses the same provider. Nomad's default is "consul". */
  provider?: "consul" | "nomad";
  /** The Consul cluster to register in (Enterprise). Nomad's default is "default". */
  cluster?: string;
  /** The port label to advertise; a plain number is allowed with addressMode "driver" and for Connect services. */
  port?: string;
  /** Tags registered with the service. */
  tags?: string[];
  /** Tags used instead of tags while the allocation is a canary. */
  canaryTags?: string[];
  /** Whether Consul's anti-entropy keeps tags edited outside Nomad. Nomad's default is false. */
  enableTagOverride?: boolean;
  /** An address to advertise instead of the one addressMode picks. */
  address?: string;
  /** Extra addresses Consul advertises, by name (e.g. "wan"). */
  taggedAddresses?: StringMap;
  /** Metadata registered with the service. */
  meta?: StringMap;
  /** Metadata used instead of meta while the allocation is a canary. */
  canaryMeta?: StringMap;
  /** Health checks. */
  checks?: ServiceCheck[];
  /** Restart the task when any check stays unhealthy; a check's own checkRestart wins. */
  checkRestart?: CheckRestart;
  /** How the checks affect deployment health: "require_healthy", "ignore_warnings" or "ignore". Nomad's default is "require_healthy". */
  onUpdate?: "require_healthy" | "ignore_warnings" | "ignore";
  /** The workload identity used to register with Consul. */
  identity?: WorkloadIdentity;
  /** DNS SRV weights (Consul). */
  weights?: ServiceWeights;
}

/** A service registered for the whole allocation (`service` block in a group); Connect services must be group services. */
export interface GroupService extends ServiceBase {
  /** Which address and port to advertise: "auto", "host" or "alloc" (the allocation's own address, bridge and CNI modes). Nomad's default is "auto". */
  addressMode?: "auto" | "host" | "alloc";
  /** The task this service belongs to, for script checks and task-scoped interpolation. */
  task?: string;
  /** Consul service mesh (Connect) settings. */
  connect?: ConsulConnect;
}

/** A service registered for one task (`service` block in a task). */
export interface TaskService extends ServiceBase {
  /** Which address and port to advertise: "auto", "host" or "driver" (the address the task driver reports, e.g. a container IP). Nomad's default is "auto". */
  addressMode?: "auto" | "host" | "driver";
}
