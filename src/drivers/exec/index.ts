// exec: runs the command isolated, as Nomad's exec driver does — its own
// mount, PID, IPC and UTS namespaces, a chroot built from chroot_env, cgroup
// limits on memory and CPU, as `nobody` unless the task's `user` says
// otherwise. Needs root on Linux with cgroups.
//
// The task is not the agent's child in any way that ties their lives: it runs
// in its own session, and a shell around it writes its exit code to a file,
// so an agent that restarted re-attaches by PID and still learns how it ended.
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
} from "node:fs";
import path from "node:path";
import { defaultCaps } from "../capabilities.js";
import type {
  DriverContext,
  DriverFactory,
  DriverFingerprint,
  TaskDriver,
  TaskHandle,
  TaskRecoveryState,
  TaskStart,
} from "../driver.js";
import { createTaskCgroup, detectCgroups, procsFiles } from "./cgroups.js";
import { checkExecConfig, defaultChrootEnv, parseExecConfig, taskCapabilities } from "./config.js";
import { type ExecTaskState, execHandle } from "./handle.js";
import { startTime } from "./process.js";
import { launchCommand } from "./script.js";
import { lookupUser } from "./users.js";

const MB = 1024 * 1024;

export const execDriver: DriverFactory = (ctx: DriverContext): TaskDriver => {
  const allowCaps = Array.isArray(ctx.pluginConfig.allow_caps)
    ? (ctx.pluginConfig.allow_caps as string[])
    : defaultCaps;
  const hostMode = (key: string): "host" | "private" =>
    ctx.pluginConfig[key] === "host" ? "host" : "private";
  const defaults = { pidMode: hostMode("default_pid_mode"), ipcMode: hostMode("default_ipc_mode") };
  return {
    name: "exec",

    async fingerprint(): Promise<DriverFingerprint> {
      const missing = prerequisitesMissing();
      return {
        detected: missing === undefined,
        healthy: missing === undefined,
        healthDescription: missing ?? "Healthy",
        attributes: missing ? {} : { "cgroup.version": detectCgroups() ?? "" },
      };
    },

    validate: (config) => checkExecConfig(config, allowCaps),

    async start(task: TaskStart): Promise<TaskHandle> {
      const version = detectCgroups();
      if (!version) throw new Error("exec: no cgroup filesystem mounted at /sys/fs/cgroup");
      const config = parseExecConfig(task.config, defaults);
      const user = task.user ?? "nobody";
      const ids = lookupUser(readFileSync("/etc/passwd", "utf8"), user);
      if (!ids) throw new Error(`user: "${user}" is not a user on this host`);

      const allocShared = path.join(task.allocDir, "alloc");
      prepareDirectories(task.taskDir, allocShared, ids.uid, ids.gid);
      const cgroup = createTaskCgroup(version, cgroupName(task), {
        memoryBytes: (task.resources.memoryMaxMB ?? task.resources.memoryMB) * MB,
        ...(task.resources.memoryMaxMB ? { memorySoftBytes: task.resources.memoryMB * MB } : {}),
        cpuShares: task.resources.cpuMHz,
      });
      const exitFile = path.join(task.allocDir, `.${task.taskName}.exit-code`);
      rmSync(exitFile, { force: true }); // from an earlier run of the task
      const [command, ...args] = launchCommand(
        {
          root: task.taskDir,
          allocShared,
          hostname: task.allocId.slice(0, 63),
          chrootEnv: ctx.chrootEnv ?? { ...defaultChrootEnv },
          mounts: task.mounts ?? [],
          cgroupProcs: procsFiles(cgroup),
          uid: ids.uid,
          gid: ids.gid,
          capabilities: taskCapabilities(config),
          config,
          ...(task.netns ? { netns: task.netns } : {}),
        },
        exitFile,
      );
      const stdout = openSync(task.stdoutPath, "a");
      const stderr = openSync(task.stderrPath, "a");
      const child = spawn(command as string, args, {
        cwd: task.taskDir,
        env: chrootEnvironment(task.env),
        stdio: ["ignore", stdout, stderr],
        // Its own session: the task outlives the agent and a stop reaches only it.
        detached: true,
      });
      closeSync(stdout);
      closeSync(stderr);
      const pid = child.pid;
      if (pid === undefined) {
        const error = await new Promise<Error>((resolve) => child.once("error", resolve));
        throw new Error(`exec: could not start the launcher: ${error.message}`);
      }
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const state: ExecTaskState = {
        pid,
        startTime: startTime(pid) ?? "",
        exitFile,
        cgroup,
        uid: ids.uid,
        gid: ids.gid,
      };
      return execHandle(state, exited);
    },

    async recover(recovery: TaskRecoveryState): Promise<TaskHandle> {
      const state = recovery as unknown as ExecTaskState;
      if (typeof state.pid !== "number" || !state.cgroup)
        throw new Error("exec: recovery state has no task process");
      return execHandle(state);
    },
  };
};

/** Why the driver cannot run here, or undefined when it can. */
function prerequisitesMissing(): string | undefined {
  if (process.platform !== "linux") return "exec needs Linux";
  if (process.getuid?.() !== 0) return "exec needs the agent to run as root";
  for (const ns of ["mnt", "pid", "ipc", "uts"])
    if (!existsSync(`/proc/self/ns/${ns}`)) return `the kernel has no ${ns} namespaces`;
  if (!detectCgroups()) return "no cgroup filesystem mounted at /sys/fs/cgroup";
  for (const tool of ["unshare", "setpriv", "setsid", "nsenter"])
    if (!onPath(tool)) return `${tool} (util-linux) is not installed`;
  return undefined;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "/usr/bin:/bin")
    .split(":")
    .some((dir) => dir && existsSync(path.join(dir, tool)));
}

function cgroupName(task: TaskStart): string {
  return `${task.allocId}.${task.taskName}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * The task sees its directories where Nomad puts them inside the chroot, and
 * the user it runs as can write to them.
 */
function prepareDirectories(taskDir: string, allocShared: string, uid: number, gid: number): void {
  for (const sub of ["local", "secrets"]) chownSync(path.join(taskDir, sub), uid, gid);
  chmodSync(path.join(taskDir, "tmp"), 0o1777);
  for (const sub of ["data", "tmp"]) {
    const dir = path.join(allocShared, sub);
    if (existsSync(dir)) chmodSync(dir, 0o1777);
  }
}

function chrootEnvironment(env: Record<string, string>): Record<string, string> {
  return {
    ...env,
    NOMAD_ALLOC_DIR: "/alloc",
    NOMAD_TASK_DIR: "/local",
    NOMAD_SECRETS_DIR: "/secrets",
    TMPDIR: "/tmp",
    // The host's PATH may name directories that do not exist in the chroot; these do.
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  };
}
