// GET /v1/client/allocation/:alloc/stats on the node agent: Nomad's
// AllocResourceUsage, per running task and summed over the allocation. CPU
// percent is measured between two requests (the first answers 0).

import type { TaskStats } from "../../drivers/driver.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { allocFor } from "./common.js";
import { processTreeStats } from "./procstats.js";
import type { AllocSource } from "./source.js";

interface Usage {
  MemoryStats: {
    RSS: number;
    Cache: number;
    Swap: number;
    Usage: number;
    MaxUsage: number;
    KernelUsage: number;
    KernelMaxUsage: number;
    Measured: string[];
  };
  CpuStats: {
    SystemMode: number;
    UserMode: number;
    TotalTicks: number;
    ThrottledPeriods: number;
    ThrottledTime: number;
    Percent: number;
    Measured: string[];
  };
  DeviceStats: [];
}

function usage(rss: number, percent: number): Usage {
  return {
    MemoryStats: {
      RSS: rss,
      Cache: 0,
      Swap: 0,
      Usage: rss,
      MaxUsage: 0,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: ["RSS"],
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: 0,
      TotalTicks: 0,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: percent,
      Measured: ["Percent"],
    },
    DeviceStats: [],
  };
}

export function statsRoutes(source: AllocSource): Route[] {
  /** The previous sample per task, by "alloc/task", for CPU percent. */
  const previous = new Map<string, TaskStats>();

  async function stats(ctx: Ctx): Promise<Reply> {
    const found = allocFor(source, ctx, "read-job");
    const now = Date.now();
    const tasks: Record<string, { ResourceUsage: Usage; Timestamp: number; Pids: null }> = {};
    let rss = 0;
    let percent = 0;
    for (const name of found.runner?.taskNames() ?? []) {
      const handle = found.runner?.task(name)?.current;
      if (!handle) continue;
      const sample =
        (await handle.stats?.().catch(() => undefined)) ??
        (handle.pid !== undefined ? processTreeStats(handle.pid) : undefined);
      if (!sample) continue;
      const key = `${found.alloc.metadata.name}/${name}`;
      const before = previous.get(key);
      // Samples of allocations long gone are not kept forever.
      if (previous.size > 10_000) previous.clear();
      previous.set(key, sample);
      const wall = before ? sample.timestamp - before.timestamp : 0;
      const cpu =
        before && wall > 0
          ? Math.max(0, ((sample.cpuTotalNanos - before.cpuTotalNanos) / 1e6 / wall) * 100)
          : 0;
      rss += sample.memoryRssBytes;
      percent += cpu;
      tasks[name] = {
        ResourceUsage: usage(sample.memoryRssBytes, cpu),
        // Nomad's timestamps are nanoseconds since the epoch.
        Timestamp: sample.timestamp * 1e6,
        Pids: null,
      };
    }
    return { body: { ResourceUsage: usage(rss, percent), Tasks: tasks, Timestamp: now * 1e6 } };
  }

  // Checked in the allocation's namespace by allocFor.
  return [
    {
      method: "GET",
      path: "/v1/client/allocation/:alloc/stats",
      acl: "ns:read-job",
      handle: stats,
    },
  ];
}
