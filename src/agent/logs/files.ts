// Where a task's logs live, named as Nomad names them: alloc/logs/<task>.<stream>.<N>,
// N growing with each rotation. The CLI, the HTTP API and the rotator all read
// the same names from here.
import { readdirSync } from "node:fs";
import path from "node:path";

export type LogStream = "stdout" | "stderr";

export function logFileName(task: string, stream: LogStream, index: number): string {
  return `${task}.${stream}.${index}`;
}

/** The FIFO a driver writes the task's stream into; the task's log monitor reads it. */
export function logFifoPath(logDir: string, task: string, stream: LogStream): string {
  return path.join(logDir, `.${task}.${stream}.fifo`);
}

/** The agent's log monitor listens here, in the agent's data dir. */
export function logmonSocketPath(dataDir: string): string {
  return path.join(dataDir, "logmon.sock");
}

/** Indexes of the stream's log files in `names`, oldest first. Pure. */
export function logIndexes(names: readonly string[], task: string, stream: LogStream): number[] {
  const prefix = `${task}.${stream}.`;
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
}

/** Indexes of the stream's log files in the directory, oldest first (empty when there are none). */
export function existingIndexes(logDir: string, task: string, stream: LogStream): number[] {
  try {
    return logIndexes(readdirSync(logDir), task, stream);
  } catch {
    return [];
  }
}

/** The stream's log files in the directory, oldest first. */
export function listLogFiles(logDir: string, task: string, stream: LogStream): string[] {
  return existingIndexes(logDir, task, stream).map((i) =>
    path.join(logDir, logFileName(task, stream, i)),
  );
}
