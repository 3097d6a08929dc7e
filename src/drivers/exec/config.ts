// The exec driver's task config, as Nomad's exec driver takes it, and the
// pure decisions made from it: which capabilities the task keeps and which
// host paths make up its chroot.
import { allCaps, defaultCaps, normalCap } from "../capabilities.js";
import type { ConfigCheck } from "../driver.js";

export interface ExecConfig {
  command: string;
  args: string[];
  pidMode: "private" | "host";
  ipcMode: "private" | "host";
  capAdd: string[];
  capDrop: string[];
  workDir?: string;
}

/** The options of the exec driver's isolation, which the java driver takes too. */
export const isolationKeys = ["pid_mode", "ipc_mode", "cap_add", "cap_drop", "work_dir"] as const;

const known = new Set<string>(["command", "args", ...isolationKeys]);

/** Nomad's chroot_env default: what a dynamically linked program usually needs. */
export const defaultChrootEnv: Readonly<Record<string, string>> = {
  "/bin": "/bin",
  "/etc": "/etc",
  "/lib": "/lib",
  "/lib32": "/lib32",
  "/lib64": "/lib64",
  "/run/resolvconf": "/run/resolvconf",
  "/sbin": "/sbin",
  "/usr": "/usr",
};

export function checkExecConfig(
  config: Record<string, unknown>,
  allowCaps: readonly string[] = defaultCaps,
): ConfigCheck {
  const errors: string[] = [];
  for (const key of Object.keys(config))
    if (!known.has(key)) errors.push(`config: unknown option "${key}" for exec`);
  if (typeof config.command !== "string" || config.command === "")
    errors.push('config.command: required, the program to run (e.g. "/bin/sh")');
  const stringList = (key: string) => {
    const v = config[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((a) => typeof a === "string")))
      errors.push(`config.${key}: must be a list of strings`);
  };
  stringList("args");
  stringList("cap_add");
  stringList("cap_drop");
  for (const key of ["pid_mode", "ipc_mode"]) {
    const v = config[key];
    if (v !== undefined && v !== "" && v !== "private" && v !== "host")
      errors.push(`config.${key}: must be "private" or "host", got ${JSON.stringify(v)}`);
  }
  if (config.work_dir !== undefined) {
    if (typeof config.work_dir !== "string" || !config.work_dir.startsWith("/"))
      errors.push("config.work_dir: must be an absolute path inside the task's chroot");
  }
  const allowed = new Set(allowCaps.map(normalCap));
  for (const key of ["cap_add", "cap_drop"]) {
    const v = config[key];
    if (!Array.isArray(v)) continue;
    for (const c of v as string[]) {
      const name = normalCap(c);
      if (name === "all") continue;
      if (!allCaps.has(name)) errors.push(`config.${key}: unknown capability "${c}"`);
      else if (key === "cap_add" && !allowed.has(name))
        errors.push(`config.cap_add: "${c}" is not in the driver's allow_caps`);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true };
}

/** The driver's plugin config defaults for tasks that do not say (Nomad's default_pid_mode, default_ipc_mode). */
export interface ExecDefaults {
  pidMode: "private" | "host";
  ipcMode: "private" | "host";
}

/** The config once checked, with the driver's defaults filled in. */
export function parseExecConfig(
  config: Record<string, unknown>,
  defaults: ExecDefaults = { pidMode: "private", ipcMode: "private" },
): ExecConfig {
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
  const mode = (v: unknown, fallback: "private" | "host") =>
    v === "host" || v === "private" ? v : fallback;
  return {
    command: config.command as string,
    args: list(config.args),
    pidMode: mode(config.pid_mode, defaults.pidMode),
    ipcMode: mode(config.ipc_mode, defaults.ipcMode),
    capAdd: list(config.cap_add).map(normalCap),
    capDrop: list(config.cap_drop).map(normalCap),
    ...(typeof config.work_dir === "string" ? { workDir: config.work_dir } : {}),
  };
}

/**
 * The capability bounding set the task runs with: the driver's defaults plus
 * cap_add, minus cap_drop ("all" drops every one). The three the launcher
 * needs to enter the chroot and change user stay; a non-root task loses them
 * with its change of user anyway.
 */
export function taskCapabilities(config: ExecConfig): string[] {
  const caps = new Set(config.capAdd.includes("all") ? allCaps : defaultCaps);
  for (const c of config.capAdd) if (c !== "all") caps.add(c);
  if (config.capDrop.includes("all")) caps.clear();
  for (const c of config.capDrop) caps.delete(c);
  for (const c of ["setuid", "setgid", "sys_chroot"]) caps.add(c);
  return [...caps].sort();
}
