// raw_exec: runs the command directly on the host as the agent's user, with no
// isolation, as Nomad's raw_exec does. Off unless the agent enables it
// (client option "driver.raw_exec.enable").
//
// The command runs under a small shell that writes its exit code to a file in
// the task directory, so an agent that restarted can re-attach to the task by
// its process ID and still learn how it ended.
import { spawn } from "node:child_process";
import { openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type {
  ConfigCheck,
  DriverContext,
  DriverFactory,
  ExitResult,
  TaskHandle,
  TaskRecoveryState,
  TaskStart,
} from "../driver.js";
import { processCwd, processEnv, spawnExec } from "../exec-process.js";
import { enabledByOption } from "../options.js";

const known = new Set([
  "command",
  "args",
  "pid_mode",
  "ipc_mode",
  "cgroup_v2_override",
  "cgroup_v1_override",
  "oom_score_adj",
  "work_dir",
  "denied_envvars",
]);

// $0 is the exit file, "$@" the command and its arguments.
const wrapper = 'code=0; "$@" || code=$?; echo "$code" > "$0"';

export const rawExecDriver: DriverFactory = (ctx: DriverContext) => ({
  name: "raw_exec",

  async fingerprint() {
    return enabledByOption(ctx.options, "raw_exec");
  },

  validate(config): ConfigCheck {
    const errors: string[] = [];
    for (const key of Object.keys(config)) {
      if (!known.has(key)) errors.push(`config: unknown option "${key}" for raw_exec`);
    }
    if (typeof config.command !== "string" || config.command === "") {
      errors.push('config.command: required, the program to run (e.g. "/bin/sh")');
    }
    if (
      config.args !== undefined &&
      !(Array.isArray(config.args) && config.args.every((a) => typeof a === "string"))
    ) {
      errors.push("config.args: must be a list of strings");
    }
    return errors.length ? { ok: false, errors } : { ok: true };
  },

  async start(task: TaskStart): Promise<TaskHandle> {
    const command = task.config.command as string;
    const args = (task.config.args as string[] | undefined) ?? [];
    const cwd = typeof task.config.work_dir === "string" ? task.config.work_dir : task.taskDir;
    const exitFile = path.join(task.taskDir, ".exit-code");
    rmSync(exitFile, { force: true }); // from an earlier run of the task
    const child = spawn("/bin/sh", ["-c", wrapper, exitFile, command, ...args], {
      cwd,
      env: task.env,
      stdio: ["ignore", openSync(task.stdoutPath, "a"), openSync(task.stderrPath, "a")],
      // Its own process group, so a stop reaches the whole tree the task started.
      detached: true,
    });
    const exited = new Promise<ExitResult>((resolve) => {
      child.once("error", (err) => resolve({ exitCode: null, signal: null, error: err.message }));
      child.once("exit", (_code, signal) =>
        resolve(signal ? { exitCode: null, signal } : readExit(exitFile)),
      );
    });
    return handle(child.pid, exitFile, () => exited);
  },

  async recover(recovery: TaskRecoveryState): Promise<TaskHandle> {
    const state = recovery as { pid: number; exitFile: string };
    const exited = new Promise<ExitResult>((resolve) => {
      // Not our child any more: poll until the process is gone, then read its exit code.
      const timer = setInterval(() => {
        if (alive(state.pid)) return;
        clearInterval(timer);
        resolve(readExit(state.exitFile));
      }, 250);
    });
    return handle(state.pid, state.exitFile, () => exited);
  },
});

function handle(
  pid: number | undefined,
  exitFile: string,
  wait: () => Promise<ExitResult>,
): TaskHandle {
  return {
    pid,
    ...(pid !== undefined ? { recovery: { pid, exitFile } } : {}),
    fsIsolation: "none",
    wait,
    signal: (signal) => {
      if (pid === undefined) return;
      // As Nomad's executor does, a signal goes to the task's main process (the
      // wrapper's child), so the shell recording its exit code survives a
      // SIGHUP or SIGTERM the task traps; SIGKILL takes the whole process group.
      for (const target of signal === "SIGKILL" ? [-pid] : mainProcesses(pid)) {
        try {
          process.kill(target, signal);
        } catch {
          // Already gone.
        }
      }
    },
    // `nomad alloc exec`: a host process with the task's environment and working
    // directory, read from the running task (so it works after a re-attach too).
    execStreaming: async (command, { tty }) => {
      if (pid === undefined || !alive(pid)) throw new Error("task is not running");
      return spawnExec({ argv: command, env: processEnv(pid), cwd: processCwd(pid), tty });
    },
  };
}

/** The wrapper's children; the process group while the wrapper has not started one yet. */
function mainProcesses(wrapper: number): number[] {
  try {
    const children = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return children.length ? children : [-wrapper];
  } catch {
    return [-wrapper];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is not alive; /proc tells.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function readExit(exitFile: string): ExitResult {
  try {
    return { exitCode: Number(readFileSync(exitFile, "utf8").trim()), signal: null };
  } catch {
    return { exitCode: null, signal: "SIGKILL" };
  }
}
