// One task of a group (`task` block): the process a driver runs, and what it
// needs around it.
import type { Duration, Integer, StringMap } from "../common.js";
import type {
  ConsulSettings,
  NamedWorkloadIdentity,
  VaultSettings,
  WorkloadIdentity,
} from "./integrations.js";
import type { LogConfig } from "./logs.js";
import type { RestartPolicy } from "./policies.js";
import type { Resources } from "./resources.js";
import type { Affinity, Constraint } from "./scheduling.js";
import type { TaskService } from "./service.js";
import type { Template } from "./template.js";
import type { VolumeMount } from "./volumes.js";

/** A file or archive downloaded into the task directory before it starts (`artifact` block), with go-getter. */
export interface TaskArtifact {
  /**
   * Where to download from: an http(s), s3, gcs, git or hg URL, or another go-getter source.
   * @minLength 1
   */
  source: string;
  /** Where to put it, relative to the task directory. Nomad's default is "local/". */
  destination?: string;
  /** "any" unpacks archives into a directory, "file" saves a single file, "dir" downloads a directory. Nomad's default is "any". */
  mode?: "any" | "file" | "dir";
  /** go-getter options, e.g. "checksum" = "sha256:…" or "archive" = "false". */
  options?: StringMap;
  /** HTTP headers sent with http(s) downloads. */
  headers?: StringMap;
  /** Whether the download is owned by the task's user instead of root. Nomad's default is false. */
  chown?: boolean;
  /** Whether TLS certificates are not verified (http, s3, git). Nomad's default is false. */
  insecure?: boolean;
}

/** When the task runs relative to the group's main tasks (`lifecycle` block). */
export interface TaskLifecycle {
  /** "prestart" runs before the main tasks, "poststart" after they start, "poststop" after they stop. */
  hook: "prestart" | "poststart" | "poststop";
  /** Whether a prestart or poststart task keeps running alongside the main tasks instead of running to completion. Nomad's default is false. */
  sidecar?: boolean;
}

/** Where a dispatched job's payload is written for this task (`dispatch_payload` block). */
export interface DispatchPayloadConfig {
  /**
   * File name, relative to the task's local/ directory.
   * @minLength 1
   */
  file: string;
}

/** Makes the task a CSI plugin Nomad registers and talks to (`csi_plugin` block). */
export interface TaskCsiPluginConfig {
  /**
   * The plugin's ID, used by volumes.
   * @minLength 1
   */
  id: string;
  /** "controller", "node" or "monolith" (both). */
  type: "controller" | "node" | "monolith";
  /** Where the plugin's socket and mounts live inside the task. Nomad's default is "/csi". */
  mountDir?: string;
  /** Where the plugin stages and publishes volumes inside the task. Nomad's default is "/local/csi". */
  stagePublishBaseDir?: string;
  /** How long the plugin has to become healthy. Nomad's default is "30s". */
  healthTimeout?: Duration;
}

/** A vertical autoscaling policy for the task's cpu or memory (`scaling "cpu"` / `scaling "mem"` block, Enterprise dynamic application sizing). */
export interface TaskScalingPolicy {
  /** Which resource: "cpu" or "mem". */
  name: "cpu" | "mem";
  /**
   * Smallest value the autoscaler may set (MHz or MB).
   * @minimum 0
   */
  min?: Integer;
  /**
   * Largest value the autoscaler may set (MHz or MB).
   * @minimum 0
   */
  max: Integer;
  /** Whether the policy is active. Nomad's default is false. */
  enabled?: boolean;
  /**
   * The autoscaler's policy, passed to it as given.
   * @preserveUnknownFields
   */
  policy?: Record<string, unknown>;
}

/** A command operators can run in the task with `nomad action` (`action "<name>"` block). */
export interface TaskAction {
  /**
   * The action's name.
   * @minLength 1
   */
  name: string;
  /**
   * The command to run.
   * @minLength 1
   */
  command: string;
  /** Its arguments. */
  args?: string[];
}

/** A daily window outside of which the task is paused (`cron` block in `schedule`). */
export interface TaskScheduleCron {
  /**
   * Start of the window, a cron expression of minute, hour and day-of-week fields.
   * @minLength 1
   */
  start: string;
  /**
   * End of the window, a cron expression of minute and hour fields.
   * @minLength 1
   */
  end: string;
  /** The IANA time zone of the window. Nomad's default is the client's local time. */
  timezone?: string;
}

/** Time-based task execution (`schedule` block, Enterprise, Nomad 1.9 and later). */
export interface TaskSchedule {
  /** The window the task runs in. */
  cron: TaskScheduleCron;
}

/**
 * A task (`task "<name>"` block): a command, container or VM the driver runs
 * on the allocation's node.
 */
export interface Task {
  /**
   * The task's name, unique within the group.
   * @minLength 1
   */
  name: string;
  /**
   * The task driver, e.g. "docker", "exec", "raw_exec", "java" or "qemu".
   * @minLength 1
   */
  driver: string;
  /**
   * The driver's configuration, with the driver's own (snake_case) field names; the driver validates it.
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
  /** The user the task runs as; defaults depend on the driver and client. */
  user?: string;
  /** Environment variables; values may interpolate, e.g. "${NOMAD_PORT_http}". */
  env?: StringMap;
  /** Resources to reserve. Nomad's default is 100 MHz and 300 MB. */
  resources?: Resources;
  /** Placement rules for this task's allocations. */
  constraints?: Constraint[];
  /**
   * Placement preferences for this task's allocations.
   * @maxItems 32
   */
  affinities?: Affinity[];
  /** Services registered for this task. */
  services?: TaskService[];
  /**
   * Files rendered from templates.
   * @maxItems 64
   */
  templates?: Template[];
  /** Files downloaded before the task starts. */
  artifacts?: TaskArtifact[];
  /** Log rotation. */
  logs?: LogConfig;
  /** Vault access; defaults to the group's or job's vault. */
  vault?: VaultSettings;
  /** Consul cluster, namespace and partition; defaults to the group's. */
  consul?: ConsulSettings;
  /** The default workload identity (an `identity` block without a name). */
  identity?: WorkloadIdentity;
  /**
   * Further named workload identities.
   * @listMapKeys name
   * @maxItems 16
   */
  identities?: NamedWorkloadIdentity[];
  /** Makes this a prestart, poststart or poststop task. */
  lifecycle?: TaskLifecycle;
  /** Restart policy for this task; overrides the group's field by field. */
  restart?: RestartPolicy;
  /** Volumes of the group mounted into the task. */
  volumeMounts?: VolumeMount[];
  /** Where a dispatched payload is written. */
  dispatchPayload?: DispatchPayloadConfig;
  /** Task metadata, merged over the group's and job's (NOMAD_META_<key>). */
  meta?: StringMap;
  /** How long to wait after the kill signal before force-killing. Nomad's default is "5s" (capped by the client's max_kill_timeout). */
  killTimeout?: Duration;
  /** The signal that stops the task. Nomad's default is "SIGINT" (the driver's default). */
  killSignal?: string;
  /** Delay between deregistering the task's services and killing it. Nomad's default is "0s". */
  shutdownDelay?: Duration;
  /** Whether this is the group's leader: when it exits, the other tasks are stopped. Nomad's default is false. */
  leader?: boolean;
  /** Set by Nomad for tasks it injects, e.g. "connect-proxy:<service>"; leave unset. */
  kind?: string;
  /** Makes the task a CSI plugin. */
  csiPlugin?: TaskCsiPluginConfig;
  /**
   * Vertical autoscaling policies (Enterprise).
   * @listMapKeys name
   */
  scaling?: TaskScalingPolicy[];
  /**
   * Commands operators can run with `nomad action`.
   * @listMapKeys name
   */
  actions?: TaskAction[];
  /** Time window the task runs in (Enterprise). */
  schedule?: TaskSchedule;
}
