// Resource usage of a process and its descendants from /proc, for drivers
// that do not measure their tasks themselves (raw_exec): what Nomad's
// executor reports for a task without cgroups.
import { readdirSync, readFileSync } from "node:fs";
import type { TaskStats } from "../../drivers/driver.js";

/** Clock ticks per second (USER_HZ); 100 on every Linux architecture Caravan runs on. */
const userHz = 100;
const pageBytes = 4096;

function readStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields follow the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * pageBytes;
  } catch {
    return 0;
  }
}

export function processTreeStats(root: number): TaskStats | undefined {
  const children = new Map<number, number[]>();
  const stats = new Map<number, { ppid: number; cpuTicks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (!s) continue;
    stats.set(Number(entry), s);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(entry)]);
  }
  if (!stats.has(root)) return undefined;
  let cpuTicks = 0;
  let rss = 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    cpuTicks += stats.get(pid)?.cpuTicks ?? 0;
    rss += rssBytes(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return {
    memoryRssBytes: rss,
    cpuTotalNanos: (cpuTicks * 1e9) / userHz,
    timestamp: Date.now(),
  };
}
