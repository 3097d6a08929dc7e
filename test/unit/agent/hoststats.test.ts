// The host stats the node agent serves (`nomad node status <node>`'s host
// resource utilization) and the mounts its storage fingerprint reads.
import { describe, expect, it } from "vitest";
import { cpuStats, memoryStats, parseMemInfo } from "../../../src/agent/http/hoststats.js";
import { mountOf, parseMounts } from "../../../src/agent/mounts.js";

describe("mounts", () => {
  const mounts = parseMounts(
    [
      "overlay / overlay rw 0 0",
      "/dev/vda1 /var/lib/caravan ext4 rw 0 0",
      "/dev/vdb /var/lib/caravan/alloc xfs rw 0 0",
      "/dev/vdc /mnt/with\\040space ext4 rw 0 0",
      "",
    ].join("\n"),
  );

  it("reads /proc/mounts, decoding escaped spaces", () => {
    expect(mounts.map((m) => m.mountpoint)).toEqual([
      "/",
      "/var/lib/caravan",
      "/var/lib/caravan/alloc",
      "/mnt/with space",
    ]);
  });

  it("finds the mount holding a directory: the longest mount point containing it", () => {
    expect(mountOf(mounts, "/var/lib/caravan/client")?.device).toBe("/dev/vda1");
    expect(mountOf(mounts, "/var/lib/caravan/alloc/x")?.device).toBe("/dev/vdb");
    expect(mountOf(mounts, "/var/lib/caravanx")?.device).toBe("overlay");
    expect(mountOf(mounts, "/mnt/with space/d")?.device).toBe("/dev/vdc");
  });
});

describe("host stats", () => {
  it("counts used memory as gopsutil does: total less free, buffers and caches", () => {
    const info = parseMemInfo(
      "MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\nBuffers:          50 kB\nCached:          250 kB\nSReclaimable:     100 kB\nHugePages_Total:       0\n",
    );
    expect(info.HugePages_Total).toBe(0);
    expect(memoryStats(info)).toEqual({
      Total: 1000 * 1024,
      Available: 600 * 1024,
      Used: 400 * 1024,
      Free: 200 * 1024,
    });
  });

  it("measures a core between two samples, its ticks in MHz of its speed", () => {
    const before = { user: 100, nice: 0, sys: 100, idle: 800, irq: 0 };
    const after = { user: 250, nice: 50, sys: 150, idle: 950, irq: 0 };
    expect(cpuStats("cpu0", 2000, before, after)).toEqual({
      CPU: "cpu0",
      User: 50,
      System: 12.5,
      Idle: 37.5,
      TotalPercent: 62.5,
      TotalTicks: 1250,
    });
    // No change between samples: nothing used.
    expect(cpuStats("cpu1", 2000, after, after).TotalTicks).toBe(0);
  });
});
