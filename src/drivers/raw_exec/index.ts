// raw_exec: runs the command directly on the host as the agent's user, with no
// isolation, as Nomad's raw_exec does. Off unless the agent enables it
// (client option "driver.raw_exec.enable").
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import type { ConfigCheck, ExitResult, TaskDriver, TaskHandle, TaskStart } from "../driver.js";

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

export const rawExecDriver: TaskDriver = {
  name: "raw_exec",

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
    const stdout = openSync(task.stdoutPath, "a");
    const stderr = openSync(task.stderrPath, "a");
    const child = spawn(command, args, {
      cwd,
      env: task.env,
      stdio: ["ignore", stdout, stderr],
      // Its own process group, so a stop reaches the whole tree the task started.
      detached: true,
    });
    const exited = new Promise<ExitResult>((resolve) => {
      child.once("error", (err) => resolve({ exitCode: null, signal: null, error: err.message }));
      child.once("exit", (code, signal) => resolve({ exitCode: code, signal }));
    });
    return {
      pid: child.pid,
      wait: () => exited,
      signal: (signal) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      },
    };
  },
};
