// java: runs a Java application (a jar, or a main class on a class path) with
// the node's JVM, as Nomad's java driver does. The JVM command line is
// `java <jvm_options> -jar <jar_path> <args>` or
// `java <jvm_options> -cp <class_path> <class> <args>`.
//
// The JVM runs with the exec driver's isolation (namespaces, the task's
// chroot, cgroup limits, as nobody), so jar_path and class_path name paths
// inside the task's chroot: relative to the task directory, or under /alloc,
// /local or the chroot_env. Where the exec driver cannot run (not root, no
// cgroups) the JVM runs as raw_exec runs a command, with host paths.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type {
  ConfigCheck,
  DriverContext,
  DriverFactory,
  DriverFingerprint,
  TaskHandle,
  TaskStart,
} from "../driver.js";
import { isolationKeys } from "../exec/config.js";
import { execDriver } from "../exec/index.js";
import { FieldReader } from "../fields.js";
import { rawExecDriver } from "../raw_exec/index.js";

const run = promisify(execFile);

const keys = ["class", "class_path", "jar_path", "jvm_options", "args", ...isolationKeys];

export interface JavaCommand {
  command: string;
  args: string[];
}

/** The JVM's command line for a task config, or the errors naming the field. Pure. */
export function javaCommand(
  config: Record<string, unknown>,
  /** Where relative paths start: the task directory ("/" inside its chroot). */
  taskDir: string,
  java = "java",
): { ok: true; command: JavaCommand } | { ok: false; errors: string[] } {
  const r = new FieldReader("java");
  r.known(config, keys);
  const jar = r.string(config, "jar_path");
  const main = r.string(config, "class");
  const classPath = r.string(config, "class_path");
  const jvmOptions = r.strings(config, "jvm_options") ?? [];
  const args = r.strings(config, "args") ?? [];
  if (!jar && !main) r.errors.push("config.jar_path: required unless config.class is given");
  if (jar && main) r.errors.push("config.class: give either jar_path or class, not both");
  if (jar && classPath)
    r.errors.push("config.class_path: only used with config.class (a jar carries its own)");
  if (r.errors.length) return { ok: false, errors: r.errors };
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.join(taskDir, p));
  const target = jar
    ? ["-jar", resolve(jar)]
    : [...(classPath ? ["-cp", classPath] : []), main as string];
  return { ok: true, command: { command: java, args: [...jvmOptions, ...target, ...args] } };
}

/** `java -version` output → the attributes Nomad publishes as driver.java.*. Pure. */
export function parseJavaVersion(output: string): Record<string, string> | undefined {
  const lines = output.split("\n").map((l) => l.trim());
  const version = /version "([^"]+)"/.exec(lines[0] ?? "")?.[1];
  if (!version) return undefined;
  return {
    version,
    runtime: lines[1] ?? "",
    vm: lines[2] ?? "",
  };
}

export const javaDriver: DriverFactory = (ctx: DriverContext) => {
  const java = typeof ctx.pluginConfig.java === "string" ? ctx.pluginConfig.java : "java";
  const isolated = execDriver(ctx);
  // Without the exec driver's prerequisites, a plain process (see above).
  const plain = rawExecDriver({ ...ctx, options: { "driver.raw_exec.enable": "1" } });
  let useExec: Promise<boolean> | undefined;
  const canIsolate = () => {
    useExec ??= isolated.fingerprint().then((fp) => fp.detected);
    return useExec;
  };
  return {
    name: "java",

    async fingerprint(): Promise<DriverFingerprint> {
      try {
        // The JVM prints its version on stderr.
        const { stdout, stderr } = await run(java, ["-version"], { timeout: 30_000 });
        const attributes = parseJavaVersion(stderr || stdout);
        if (!attributes) throw new Error(`unexpected output: ${(stderr || stdout).slice(0, 200)}`);
        return { detected: true, healthy: true, healthDescription: "Healthy", attributes };
      } catch (err) {
        return {
          detected: false,
          healthy: false,
          healthDescription: `no usable Java found (${java} -version: ${(err as Error).message})`,
          attributes: {},
        };
      }
    },

    validate(config): ConfigCheck {
      const command = javaCommand(config, "/");
      return command.ok ? { ok: true } : command;
    },

    async start(task: TaskStart): Promise<TaskHandle> {
      const exec = await canIsolate();
      const command = javaCommand(task.config, exec ? "/" : task.taskDir, java);
      if (!command.ok) throw new Error(command.errors.join("; "));
      // The exec driver's own options pass through (pid_mode, cap_add…).
      const passed = Object.fromEntries(
        ["pid_mode", "ipc_mode", "cap_add", "cap_drop", "work_dir"]
          .filter((k) => task.config[k] !== undefined)
          .map((k) => [k, task.config[k]]),
      );
      const config = { ...passed, ...command.command };
      if (!exec) return plain.start({ ...task, config });
      const check = isolated.validate(config);
      if (!check.ok) throw new Error(check.errors.join("; "));
      return isolated.start({ ...task, config });
    },

    async recover(state): Promise<TaskHandle> {
      // The exec driver's state names the task's cgroup; raw_exec's does not.
      const driver = state.cgroup ? isolated : plain;
      if (!driver.recover) throw new Error("cannot re-attach to java tasks");
      return driver.recover(state);
    },
  };
};
