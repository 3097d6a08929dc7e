// The one interface every task driver implements (docker, exec, raw_exec,
// java, qemu, mock), after Nomad's driver plugin API: fingerprint, validate a
// task's free-form config, start it, re-attach to it after an agent restart,
// and hand back a handle to wait on, signal, stop, exec into and measure.
import type { Readable, Writable } from "node:stream";
import type { Logger } from "../common/log.js";

/** What the agent hands each driver when it creates it. */
export interface DriverContext {
  /** Client options such as "driver.raw_exec.enable" or "docker.volumes.enabled". */
  options: Record<string, string>;
  /** The driver's `plugin "<name>" { config { … } }` block, as written. */
  pluginConfig: Record<string, unknown>;
  /** The agent's data_dir. */
  dataDir: string;
  /** Paths linked into exec-style chroots (Nomad's chroot_env); unset means the driver's default. */
  chrootEnv?: Record<string, string>;
  log: Logger;
}

/** The driver's part of the node fingerprint (Nomad's driver health and attributes). */
export interface DriverFingerprint {
  detected: boolean;
  healthy: boolean;
  healthDescription: string;
  /** Attributes published as driver.<name>.<key> on the node (e.g. "version"). */
  attributes: Record<string, string>;
}

export interface TaskResources {
  cpuMHz: number;
  memoryMB: number;
  /** memory_max: the hard limit when oversubscription is on. */
  memoryMaxMB?: number;
  /** Reserved cores, when the task asked for `cores`. */
  cores?: number[];
}

/** A port of the allocation's network, as the scheduler assigned it. */
export interface TaskPort {
  label: string;
  /** The host port. */
  value: number;
  /** The port inside the task's network namespace (0 = same as value). */
  to: number;
  hostIP: string;
}

/** A host path mounted into the task (a host volume through volume_mount). */
export interface TaskMount {
  hostPath: string;
  /** Where it appears inside the task. */
  taskPath: string;
  readOnly: boolean;
}

export interface TaskStart {
  allocId: string;
  jobName: string;
  groupName: string;
  taskName: string;
  /** The driver's config block, with ${...} interpolated. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** The allocation's directory (holds alloc/, and one directory per task). */
  allocDir: string;
  /** The task's directory (Nomad's task dir: local/, secrets/, tmp/ inside). */
  taskDir: string;
  /**
   * Where the task's output goes: open each for appending (it may be a FIFO
   * the agent's log rotator reads) and never truncate it.
   */
  stdoutPath: string;
  stderrPath: string;
  /** The task's `user`; unset means the driver's default. */
  user?: string;
  resources: TaskResources;
  ports: TaskPort[];
  /**
   * Labels of the ports the task's own (deprecated) network block asks for,
   * among `ports`; the docker driver publishes them when its config names no
   * ports, as Nomad's does.
   */
  taskNetworkPorts?: string[];
  /**
   * The allocation's network namespace (bridge and CNI modes), e.g.
   * /var/run/netns/<alloc ID>: isolating drivers run the task in it; raw_exec
   * and qemu stay on the host's network, as Nomad's do.
   */
  netns?: string;
  /** Host volumes the task mounts; drivers without isolation (raw_exec) ignore them. */
  mounts?: TaskMount[];
}

export interface ExitResult {
  exitCode: number | null;
  signal: string | null;
  /** The task was killed for exceeding its memory limit. */
  oomKilled?: boolean;
  /** Set when the task could not run at all. */
  error?: string;
}

/**
 * What the agent keeps in its state file to find a running task again after
 * a restart: driver-specific and JSON-serialisable (a PID and exit file, a
 * container ID…).
 */
export type TaskRecoveryState = Record<string, unknown>;

export interface TaskStats {
  /** Resident memory in bytes. */
  memoryRssBytes: number;
  /** CPU time used so far, in nanoseconds. */
  cpuTotalNanos: number;
  timestamp: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command started in a task's context for `nomad alloc exec`. */
export interface ExecProcess {
  /** Its standard input; end() closes it. */
  stdin: Writable;
  /** Its output; with a tty both streams of the terminal come on stdout and stderr stays empty. */
  stdout: Readable;
  stderr: Readable;
  /** Sets the terminal's size (tty sessions only). */
  resize(height: number, width: number): void;
  /** Resolves with the exit code once the command ended and its output was read (128 + signal when killed). */
  exited: Promise<number>;
  /** Ends the command (the caller went away). */
  kill(): void;
}

/**
 * Nomad's FSIsolation of a running task: "none" means a command exec'd into it
 * runs on the host (raw_exec), so Nomad asks for alloc-node-exec besides alloc-exec.
 */
export type FsIsolation = "none" | "chroot" | "image";

export interface TaskHandle {
  pid: number | undefined;
  /** How isolated an exec'd command is; unset means "none". */
  fsIsolation?: FsIsolation;
  /** Present when the task can be re-attached after an agent restart. */
  recovery?: TaskRecoveryState;
  /** Resolves when the task exits. */
  wait(): Promise<ExitResult>;
  signal(signal: NodeJS.Signals): void;
  /**
   * Stops the task: `signal`, then a forced kill after `timeoutMs`. Drivers
   * without it get exactly that from the agent through signal().
   */
  stop?(signal: NodeJS.Signals, timeoutMs: number): Promise<void>;
  /** Frees what the task held after it exited (container, cgroup, mounts). */
  destroy?(): Promise<void>;
  stats?(): Promise<TaskStats | undefined>;
  /** Runs a command inside the task's environment (Nomad's alloc exec, script checks). */
  exec?(command: string[], timeoutMs: number): Promise<ExecResult>;
  /** Starts a command in the task's context with streamed input and output, on a pty when `tty`. */
  execStreaming?(command: string[], options: { tty: boolean }): Promise<ExecProcess>;
}

export type ConfigCheck = { ok: true } | { ok: false; errors: string[] };

export interface TaskDriver {
  name: string;
  /** Whether the driver can run here, its health and its attributes. */
  fingerprint(): Promise<DriverFingerprint>;
  /**
   * Checks a task's config block; errors name the field (`config.image: …`).
   * nodePolicy false leaves out what only the node's plugin config decides
   * (privileged mode, capabilities, host volumes), as `nomad job validate`
   * never checks it.
   */
  validate(config: Record<string, unknown>, options?: { nodePolicy?: boolean }): ConfigCheck;
  start(task: TaskStart): Promise<TaskHandle>;
  /** Re-attaches to a task started by an earlier agent process. */
  recover?(state: TaskRecoveryState): Promise<TaskHandle>;
}

export type DriverFactory = (ctx: DriverContext) => TaskDriver;
