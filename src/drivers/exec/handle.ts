// A running exec task: wait for it (as the agent's child, or by polling its
// PID after an agent restart), signal its namespace's init (which forwards
// to the task's process group; SIGKILL to the init ends every process in the
// namespace), stop, exec into it, measure it and free its cgroup.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ExecResult, ExitResult, TaskHandle, TaskStats } from "../driver.js";
import { processEnv, spawnExec } from "../exec-process.js";
import {
  cgroupPids,
  cgroupUsage,
  oomKilled,
  removeTaskCgroup,
  type TaskCgroup,
} from "./cgroups.js";
import { alive, kill, parentOf, signalOfExitCode, startTime } from "./process.js";

/** What the agent keeps to find the task again: JSON-serialisable. */
export interface ExecTaskState {
  /** The shell that records the exit code; the namespaces' creator is its child. */
  pid: number;
  /** Its start time, so a PID re-used by another process is not taken for the task. */
  startTime: string;
  exitFile: string;
  cgroup: TaskCgroup;
  uid: number;
  gid: number;
}

export function execHandle(state: ExecTaskState, exited?: Promise<void>): TaskHandle {
  const sameProcess = () => alive(state.pid) && startTime(state.pid) === state.startTime;
  const gone =
    exited ??
    new Promise<void>((resolve) => {
      // Not our child any more: poll until the process is gone.
      const timer = setInterval(() => {
        if (sameProcess()) return;
        clearInterval(timer);
        resolve();
      }, 250);
    });
  const result = gone.then(() => exitResult(state));

  /** The namespace's init: the cgroup member whose parent (unshare) is the exit-code shell's child. */
  let init: number | undefined;
  const initPid = (): number | undefined => {
    if (init !== undefined && alive(init)) return init;
    init = cgroupPids(state.cgroup).find((p) => {
      const parent = parentOf(p);
      return parent !== undefined && parentOf(parent) === state.pid;
    });
    return init;
  };

  /** The task's own process: the init never entered the chroot, its child did. */
  const taskPid = (): number | undefined => {
    const init = initPid();
    return cgroupPids(state.cgroup).find((p) => init !== undefined && parentOf(p) === init);
  };

  const signal = (sig: NodeJS.Signals) => {
    const target = initPid();
    if (sig === "SIGKILL") {
      // Everything but the init first: the init then exits with the task's
      // 137, which SIGKILL of the init itself would lose. If it lingers, it
      // goes too, and with it whatever is left in the namespace.
      for (const p of cgroupPids(state.cgroup)) if (p !== target) kill(p, "SIGKILL");
      if (target !== undefined)
        setTimeout(() => {
          if (alive(target)) kill(target, "SIGKILL");
        }, 1000).unref();
      return;
    }
    if (target !== undefined) kill(target, sig);
    else if (sameProcess()) kill(-state.pid, sig); // still setting up: no init yet
  };

  return {
    pid: state.pid,
    recovery: { ...state },
    fsIsolation: "chroot",
    wait: () => result,
    signal,
    async stop(sig, timeoutMs) {
      signal(sig);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        gone.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) signal("SIGKILL");
      await gone;
    },
    async destroy() {
      for (let i = 0; i < 40; i++) {
        for (const p of cgroupPids(state.cgroup)) kill(p, "SIGKILL");
        if (removeTaskCgroup(state.cgroup)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("exec: the task's cgroup still has processes");
    },
    async stats(): Promise<TaskStats | undefined> {
      const usage = cgroupUsage(state.cgroup);
      return usage && { ...usage, timestamp: Date.now() };
    },
    exec: (command, timeoutMs) => {
      const task = taskPid();
      if (task === undefined) return Promise.reject(new Error("exec: the task is not running"));
      return execIn(state, task, command, timeoutMs);
    },
    // `nomad alloc exec`: inside the task, with the task's environment.
    execStreaming: async (command, { tty }) => {
      // Just started, the init may still be setting up the chroot: give it a few seconds.
      let task = taskPid();
      for (let i = 0; task === undefined && i < 100 && sameProcess(); i++) {
        await new Promise((r) => setTimeout(r, 50));
        task = taskPid();
      }
      if (task === undefined) throw new Error("task is not running");
      const argv = enterArgv(state, task, command, tty);
      return spawnExec({ argv, env: processEnv(task), tty });
    },
  };
}

function exitResult(state: ExecTaskState): ExitResult {
  const oom = oomKilled(state.cgroup);
  let code: number;
  try {
    code = Number(readFileSync(state.exitFile, "utf8").trim());
  } catch {
    // The recording shell itself was killed: the task was too.
    return { exitCode: null, signal: "SIGKILL", ...(oom ? { oomKilled: true } : {}) };
  }
  return { exitCode: code, signal: signalOfExitCode(code), ...(oom ? { oomKilled: true } : {}) };
}

/**
 * The argv that runs a command inside the task's namespaces, chroot and cgroup,
 * as its user: a shell joins the cgroup, then nsenter takes root and working
 * directory from the task's process. On a terminal the command is made the
 * leader of its own session with the terminal as its controlling one (setsid
 * -c takes it over, which needs root, so the user is taken after it with
 * setpriv): a shell inside the task's PID namespace could not see the session
 * that `script` started outside and would fail to hand the terminal back.
 */
function enterArgv(state: ExecTaskState, task: number, command: string[], tty = false): string[] {
  const join = Object.values(state.cgroup.paths)
    .map((dir) => `echo 0 > '${dir}/cgroup.procs'`)
    .join("; ");
  const user = tty
    ? `-- setsid -c setpriv --reuid=${state.uid} --regid=${state.gid} --clear-groups`
    : `--setgid ${state.gid} --setuid ${state.uid} --`;
  return [
    "/bin/sh",
    "-c",
    // nsenter is found on the host's usual paths, whatever PATH the task's environment has.
    `${join}; n=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH command -v nsenter); exec "$n" --target "$0" --mount --uts --ipc --net --pid --root --wd ${user} "$@"`,
    String(task),
    ...command,
  ];
}

/** Runs a command inside the task, collecting its output (script checks). */
function execIn(
  state: ExecTaskState,
  task: number,
  command: string[],
  timeoutMs: number,
): Promise<ExecResult> {
  const [shell, ...args] = enterArgv(state, task, command);
  const child = spawn(shell as string, args, {
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ exitCode: code ?? 137, stdout, stderr }));
  });
}
