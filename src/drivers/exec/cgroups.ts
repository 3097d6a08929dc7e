// A task's cgroup: memory and CPU limits, its usage for stats, whether the
// kernel OOM-killed in it, and its removal. cgroup v1 (one directory per
// controller hierarchy, as these hosts mount them in hybrid mode) and v2 (one
// unified directory) are both supported; the version is detected.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export type CgroupVersion = "v1" | "v2";

export interface TaskCgroup {
  version: CgroupVersion;
  /** v1: controller → directory; v2: "unified" → directory. */
  paths: Record<string, string>;
}

const root = "/sys/fs/cgroup";
const v1Controllers = ["memory", "cpu", "cpuacct", "pids"];

/** The cgroup version of this host, or undefined when no usable cgroup filesystem is mounted. */
export function detectCgroups(base = root): CgroupVersion | undefined {
  if (existsSync(path.join(base, "cgroup.controllers"))) return "v2";
  if (existsSync(path.join(base, "memory", "memory.limit_in_bytes"))) return "v1";
  return undefined;
}

/** Nomad's shares → cgroup v2 weight mapping (the one runc uses). */
export function cpuWeight(shares: number): number {
  return Math.max(1, Math.min(10000, 1 + Math.floor(((shares - 2) * 9999) / 262142)));
}

export interface CgroupLimits {
  memoryBytes: number;
  /** A soft limit below the hard one, when memory_max raised the hard one. */
  memorySoftBytes?: number;
  cpuShares: number;
}

export function createTaskCgroup(
  version: CgroupVersion,
  name: string,
  limits: CgroupLimits,
  parent = version === "v1" ? "caravan" : "caravan.slice",
): TaskCgroup {
  if (version === "v2") {
    const parentDir = path.join(root, parent);
    mkdirSync(parentDir, { recursive: true });
    // Controllers must be handed down each level before a child can use them.
    for (const dir of [root, parentDir]) {
      try {
        writeFileSync(path.join(dir, "cgroup.subtree_control"), "+memory +cpu +pids");
      } catch {
        // Already enabled, or not delegable here: limits below then fail loudly.
      }
    }
    const dir = path.join(parentDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "memory.max"), String(limits.memoryBytes));
    if (limits.memorySoftBytes)
      writeFileSync(path.join(dir, "memory.low"), String(limits.memorySoftBytes));
    tryWrite(path.join(dir, "memory.swap.max"), "0");
    tryWrite(path.join(dir, "memory.oom.group"), "1");
    writeFileSync(path.join(dir, "cpu.weight"), String(cpuWeight(limits.cpuShares)));
    return { version, paths: { unified: dir } };
  }
  const paths: Record<string, string> = {};
  for (const controller of v1Controllers) {
    if (!existsSync(path.join(root, controller))) continue;
    const dir = path.join(root, controller, parent, name);
    mkdirSync(dir, { recursive: true });
    paths[controller] = dir;
  }
  const memory = paths.memory;
  const cpu = paths.cpu;
  if (!memory || !cpu) throw new Error("cgroup v1 memory or cpu controller is not mounted");
  writeFileSync(path.join(memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
  if (limits.memorySoftBytes)
    writeFileSync(path.join(memory, "memory.soft_limit_in_bytes"), String(limits.memorySoftBytes));
  // No swap beyond the limit, where the kernel accounts swap at all.
  tryWrite(path.join(memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
  writeFileSync(path.join(cpu, "cpu.shares"), String(Math.max(2, limits.cpuShares)));
  return { version, paths };
}

/** The cgroup.procs files a process writes itself into to join the task's cgroups. */
export function procsFiles(cg: TaskCgroup): string[] {
  return Object.values(cg.paths).map((dir) => path.join(dir, "cgroup.procs"));
}

/** Processes in the task's cgroup (the memory one on v1: every task process joins it). */
export function cgroupPids(cg: TaskCgroup): number[] {
  const dir = cg.version === "v2" ? cg.paths.unified : cg.paths.memory;
  if (!dir) return [];
  try {
    return readFileSync(path.join(dir, "cgroup.procs"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether the kernel's OOM killer killed a process of this cgroup. */
export function oomKilled(cg: TaskCgroup): boolean {
  if (cg.version === "v2") {
    const events = readKeyed(path.join(cg.paths.unified ?? "", "memory.events"));
    return (events.oom_kill ?? 0) > 0;
  }
  const control = readKeyed(path.join(cg.paths.memory ?? "", "memory.oom_control"));
  return (control.oom_kill ?? 0) > 0;
}

export interface CgroupUsage {
  memoryRssBytes: number;
  cpuTotalNanos: number;
}

export function cgroupUsage(cg: TaskCgroup): CgroupUsage | undefined {
  try {
    if (cg.version === "v2") {
      const dir = cg.paths.unified ?? "";
      const stat = readKeyed(path.join(dir, "memory.stat"));
      const cpu = readKeyed(path.join(dir, "cpu.stat"));
      return {
        memoryRssBytes: stat.anon ?? Number(readFileSync(path.join(dir, "memory.current"), "utf8")),
        cpuTotalNanos: (cpu.usage_usec ?? 0) * 1000,
      };
    }
    const stat = readKeyed(path.join(cg.paths.memory ?? "", "memory.stat"));
    const cpuacct = cg.paths.cpuacct;
    return {
      memoryRssBytes: stat.total_rss ?? stat.rss ?? 0,
      cpuTotalNanos: cpuacct
        ? Number(readFileSync(path.join(cpuacct, "cpuacct.usage"), "utf8"))
        : 0,
    };
  } catch {
    return undefined;
  }
}

/** Removes the task's cgroup directories; true once they are all gone. */
export function removeTaskCgroup(cg: TaskCgroup): boolean {
  let gone = true;
  for (const dir of Object.values(cg.paths)) {
    try {
      rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") gone = false;
    }
  }
  return gone;
}

function readKeyed(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && value !== undefined) out[key] = Number(value);
    }
  } catch {
    // Missing file: no counters.
  }
  return out;
}

function tryWrite(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // Optional knob this kernel does not have.
  }
}
