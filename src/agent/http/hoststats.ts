// GET /v1/client/stats on the node agent: Nomad's HostStats, which `nomad node
// status <node>` shows as host resource utilization — memory from
// /proc/meminfo, CPU per core since the previous request (the first: since
// boot), the disks mounted from devices, and the filesystem of the allocation
// directories.
import { readFileSync, statfsSync } from "node:fs";
import os from "node:os";
import type { Reply, Route } from "../../http/context.js";
import { parseCpuInfo } from "../fingerprint/parse.js";
import { mountOf, readMounts } from "../mounts.js";
import type { AllocSource } from "./source.js";

type CpuTimes = os.CpuInfo["times"];

/** /proc/meminfo in bytes, by key (MemTotal, MemFree, MemAvailable, Buffers, Cached…). */
export function parseMemInfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+):\s+(\d+)(?:\s+kB)?$/gm))
    out[m[1] as string] = Number(m[2]) * (m[0].endsWith("kB") ? 1024 : 1);
  return out;
}

/** Nomad's HostMemoryStats: Used as gopsutil counts it (total less free, buffers and caches). */
export function memoryStats(info: Record<string, number>) {
  const total = info.MemTotal ?? os.totalmem();
  const free = info.MemFree ?? os.freemem();
  const cached = (info.Cached ?? 0) + (info.SReclaimable ?? 0);
  const used = total - free - (info.Buffers ?? 0) - cached;
  return {
    Total: total,
    Available: info.MemAvailable ?? free,
    Used: used > 0 ? used : total - free,
    Free: free,
  };
}

/** One core's Nomad HostCPUStats between two samples of its times; TotalTicks in MHz used. */
export function cpuStats(name: string, mhz: number, before: CpuTimes | undefined, now: CpuTimes) {
  const d = (k: keyof CpuTimes) => now[k] - (before?.[k] ?? 0);
  const all = d("user") + d("nice") + d("sys") + d("idle") + d("irq");
  const pct = (v: number) => (all > 0 ? (v / all) * 100 : 0);
  const total = all > 0 ? 100 - pct(d("idle")) : 0;
  return {
    CPU: name,
    User: pct(d("user") + d("nice")),
    System: pct(d("sys") + d("irq")),
    Idle: pct(d("idle")),
    TotalPercent: total,
    TotalTicks: (total / 100) * mhz,
  };
}

function diskStats(device: string, mountpoint: string, dir: string) {
  const s = statfsSync(dir);
  const size = s.blocks * s.bsize;
  const available = s.bavail * s.bsize;
  const used = size - s.bfree * s.bsize;
  return {
    Device: device,
    Mountpoint: mountpoint,
    Size: size,
    Used: used,
    Available: available,
    UsedPercent: size > 0 ? (used / (used + available)) * 100 : 0,
    InodesUsedPercent: s.files > 0 ? ((s.files - s.ffree) / s.files) * 100 : 0,
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

export function hostStatsRoutes(source: AllocSource): Route[] {
  let previous: CpuTimes[] = [];
  // Virtual machines often report no speed per core; /proc/cpuinfo's MHz, as the fingerprint reads it.
  let cpuinfoMHz: number | undefined;
  const mhzOf = (speed: number) => {
    if (speed > 0) return speed;
    cpuinfoMHz ??= parseCpuInfo(readText("/proc/cpuinfo")).mhz;
    return cpuinfoMHz;
  };

  function stats(): Reply {
    const cpus = os.cpus();
    const cpu = cpus.map((c, i) => cpuStats(`cpu${i}`, mhzOf(c.speed), previous[i], c.times));
    previous = cpus.map((c) => c.times);
    // Not Linux: empty, and os.totalmem/freemem stand in.
    const meminfo = readText("/proc/meminfo");
    const disks: ReturnType<typeof diskStats>[] = [];
    const seen = new Set<string>();
    for (const m of readMounts()) {
      if (!m.device.startsWith("/dev/") || seen.has(m.mountpoint)) continue;
      seen.add(m.mountpoint);
      try {
        disks.push(diskStats(m.device, m.mountpoint, m.mountpoint));
      } catch {
        // A mount this process may not stat is left out, as Nomad leaves out what fails.
      }
    }
    const allocMount = mountOf(readMounts(), source.root);
    let allocDir: ReturnType<typeof diskStats> | null = null;
    try {
      allocDir = { ...diskStats(allocMount?.device ?? "", "", source.root), Device: "" };
    } catch {
      allocDir = null;
    }
    return {
      body: {
        Memory: memoryStats(parseMemInfo(meminfo)),
        CPU: cpu,
        DiskStats: disks,
        AllocDirStats: allocDir,
        DeviceStats: [],
        Uptime: Math.floor(os.uptime()),
        Timestamp: Date.now() * 1e6,
        CPUTicksConsumed: cpu.reduce((n, c) => n + c.TotalTicks, 0),
      },
    };
  }

  // Nomad's ClientStats.Stats asks for node read.
  return [{ method: "GET", path: "/v1/client/stats", acl: "node:read", handle: stats }];
}
