// The one interface every task driver implements (docker, exec, raw_exec,
// java, qemu): validate a task's free-form config, start it, and hand back a
// handle to wait on and signal.

export interface TaskStart {
  allocId: string;
  taskName: string;
  /** The driver's config block, with ${...} interpolated. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** The task's working directory (Nomad's task dir). */
  taskDir: string;
  stdoutPath: string;
  stderrPath: string;
  user?: string;
}

export interface ExitResult {
  exitCode: number | null;
  signal: string | null;
  /** Set when the task could not run at all. */
  error?: string;
}

/** What the agent keeps in its state file to find a running task again after a restart. */
export interface TaskRecoveryState {
  pid: number;
  /** Where the task's exit code is written when it ends. */
  exitFile: string;
}

export interface TaskHandle {
  pid: number | undefined;
  /** Present when the task can be re-attached after an agent restart. */
  recovery?: TaskRecoveryState;
  /** Resolves when the task exits. */
  wait(): Promise<ExitResult>;
  signal(signal: NodeJS.Signals): void;
}

export type ConfigCheck = { ok: true } | { ok: false; errors: string[] };

export interface TaskDriver {
  name: string;
  validate(config: Record<string, unknown>): ConfigCheck;
  start(task: TaskStart): Promise<TaskHandle>;
  /** Re-attaches to a task started by an earlier agent process. */
  recover?(state: TaskRecoveryState): TaskHandle;
}
