// Where a task's stdout and stderr go, per the task's `logs` block: through
// its log monitor (rotated files that keep filling while the agent restarts),
// straight into `<task>.<stream>.0` when the agent runs without monitors
// (simulated nodes), or nowhere when logs are disabled.
import path from "node:path";
import type { LogConfig } from "../../crds/job/task.js";
import type { AgentState } from "../state.js";
import { logFileName } from "./files.js";
import { flushLogmon, logmonAlive, logmonFifos, startLogmon, stopLogmon } from "./logmon.js";

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
  state: AgentState;
  allocKey: string;
  logDir: string;
  task: string;
  config: LogConfig | undefined;
}): Promise<TaskLogs> {
  const { state, allocKey, logDir, task } = opts;
  if (opts.config?.disabled)
    return {
      stdoutPath: "/dev/null",
      stderrPath: "/dev/null",
      ensure: async () => {},
      flush: async () => {},
      stop: () => {},
    };
  if (opts.collector === "direct")
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
    maxFiles: opts.config?.maxFiles ?? 10,
    maxFileSizeBytes: (opts.config?.maxFileSize ?? 10) * MB,
  };
  // A monitor an earlier agent process started is still serving this task.
  let pid = state.logmonOf(allocKey, task);
  const ensure = async () => {
    if (pid !== undefined && logmonAlive(pid, spec)) return;
    pid = await startLogmon(spec);
    state.setLogmon(allocKey, task, pid);
  };
  await ensure();
  const fifos = logmonFifos(spec);
  return {
    stdoutPath: fifos.stdout,
    stderrPath: fifos.stderr,
    ensure,
    flush: async () => {
      if (pid !== undefined) await flushLogmon(pid, spec);
    },
    stop: () => {
      if (pid !== undefined) stopLogmon(pid);
      state.setLogmon(allocKey, task, undefined);
    },
  };
}
