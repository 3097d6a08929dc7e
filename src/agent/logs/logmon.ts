// Starts, finds again and stops a task's log monitor process (logmon-main).
// The agent records each monitor's PID in its state file; after an agent
// restart a recorded monitor is reused when it is still alive and still
// serving the same task.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { logFifoPath, logFlushPath } from "./files.js";
import type { RotationPolicy } from "./rotator.js";

export interface LogmonSpec extends RotationPolicy {
  logDir: string;
  task: string;
  /** How often the monitor checks whether it is orphaned and idle (default 30 s). */
  orphanCheckMs?: number;
}

/** The FIFOs to hand the driver as the task's stdout and stderr. */
export function logmonFifos(spec: Pick<LogmonSpec, "logDir" | "task">): {
  stdout: string;
  stderr: string;
} {
  return {
    stdout: logFifoPath(spec.logDir, spec.task, "stdout"),
    stderr: logFifoPath(spec.logDir, spec.task, "stderr"),
  };
}

/** How to run the monitor: the compiled .js, or the .ts source through tsx (tests). */
function command(): string[] {
  const self = import.meta.url;
  if (self.endsWith(".ts")) {
    const tsx = pathToFileURL(createRequire(self).resolve("tsx")).href;
    return ["--import", tsx, fileURLToPath(new URL("./logmon-main.ts", self))];
  }
  return [fileURLToPath(new URL("./logmon-main.js", self))];
}

/** Starts a monitor and waits until it reads both FIFOs; resolves with its PID. */
export function startLogmon(spec: LogmonSpec, timeoutMs = 30_000): Promise<number> {
  const child = spawn(process.execPath, [...command(), JSON.stringify(spec)], {
    detached: true, // its own process group: it outlives the agent
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error("log monitor did not start in time")), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("ready\n") || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(child.pid);
    });
    child.once("error", fail);
    child.once("exit", (code) =>
      fail(new Error(`log monitor exited with code ${code}: ${err.trim().slice(-500)}`)),
    );
  });
}

/** Whether `pid` is a live monitor of this task (not a recycled PID). */
export function logmonAlive(pid: number, spec: Pick<LogmonSpec, "logDir" | "task">): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return (
      !/\) Z /.test(stat) &&
      cmdline.includes("logmon-main") &&
      cmdline.includes(JSON.stringify(spec.logDir).slice(1, -1)) &&
      cmdline.includes(`"task":${JSON.stringify(spec.task)}`)
    );
  } catch {
    return false;
  }
}

/**
 * Asks a monitor to drain its pipes into the files, and waits (at most
 * `timeoutMs`) until it says it has.
 */
export async function flushLogmon(
  pid: number,
  spec: Pick<LogmonSpec, "logDir" | "task">,
  timeoutMs = 2_000,
): Promise<void> {
  const file = logFlushPath(spec.logDir, spec.task);
  const read = () => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const before = read();
  try {
    process.kill(pid, "SIGUSR2");
  } catch {
    return; // gone: nothing to wait for
  }
  const deadline = Date.now() + timeoutMs;
  while (read() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Asks a monitor to write what is left in its pipes and exit. */
export function stopLogmon(pid: number): void {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}
