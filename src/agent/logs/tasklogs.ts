// Where a task's stdout and stderr go, per the task's `logs` block: through
// the agent's log monitor (rotated files that keep filling while the agent restarts),
// straight into `<task>.<stream>.0` when the agent runs without monitors
// (simulated nodes), or nowhere when logs are disabled.
import path from "node:path";
import { defaultLogConfig } from "../../crds/job/defaults.js";
import type { LogConfig } from "../../crds/job/logs.js";
import { logFileName } from "./files.js";
import { type LogmonClient, logmonFifos } from "./logmon.js";

export type LogCollector = "logmon" | "direct";

export interface TaskLogs {
  stdoutPath: string;
  stderrPath: string;
  /** Before each start of the task: the monitor is running (a new one if it died). */
  ensure(): Promise<void>;
  /** After the task exits: its last output is in the files before anyone is told it ended. */
  flush(): Promise<void>;
  /** Ends collection once the task is done for good. */
  stop(): void;
}

const MB = 1024 * 1024;

export async function openTaskLogs(opts: {
  collector: LogCollector;
  /** The agent's log monitor (collector "logmon"). */
  logmon: LogmonClient | undefined;
  logDir: string;
  task: string;
  config: LogConfig | undefined;
}): Promise<TaskLogs> {
  const { logDir, task, logmon } = opts;
  if (opts.config?.disabled)
    return {
      stdoutPath: "/dev/null",
      stderrPath: "/dev/null",
      ensure: async () => {},
      flush: async () => {},
      stop: () => {},
    };
  if (opts.collector === "direct" || !logmon)
    return {
      stdoutPath: path.join(logDir, logFileName(task, "stdout", 0)),
      stderrPath: path.join(logDir, logFileName(task, "stderr", 0)),
      ensure: async () => {},
      flush: async () => {},
      stop: () => {},
    };
  const spec = {
    logDir,
    task,
    maxFiles: opts.config?.maxFiles ?? defaultLogConfig.maxFiles,
    maxFileSizeBytes: (opts.config?.maxFileSize ?? defaultLogConfig.maxFileSize) * MB,
  };
  // Asked again before each start: the monitor may have died and been replaced.
  const ensure = () => logmon.open(spec);
  await ensure();
  const fifos = logmonFifos(spec);
  return {
    stdoutPath: fifos.stdout,
    stderrPath: fifos.stderr,
    ensure,
    flush: () => logmon.flush(spec).catch(() => {}),
    stop: () => {
      void logmon.close(spec).catch(() => {});
    },
  };
}
