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

export interface TaskHandle {
  pid: number | undefined;
  /** Resolves when the task exits. */
  wait(): Promise<ExitResult>;
  signal(signal: NodeJS.Signals): void;
}

export type ConfigCheck = { ok: true } | { ok: false; errors: string[] };

export interface TaskDriver {
  name: string;
  validate(config: Record<string, unknown>): ConfigCheck;
  start(task: TaskStart): Promise<TaskHandle>;
}
