// Garbage collection of terminal allocations' directories, as Nomad's client
// does it: on every gc_interval, directories of allocations the API no longer
// has go first; then the oldest terminal ones while the node holds more than
// gc_max_allocs allocations or its data dir's disk is fuller than
// gc_disk_usage_threshold percent.
import { rmSync, statfsSync } from "node:fs";

export interface GcConfig {
  intervalMs: number;
  maxAllocs: number;
  /** Percent of the data dir's disk in use above which terminal allocations are removed. */
  diskUsageThreshold: number;
}

/** Nomad's client defaults. */
export const defaultGcConfig: GcConfig = {
  intervalMs: 60_000,
  maxAllocs: 50,
  diskUsageThreshold: 80,
};

export interface TerminalAlloc {
  key: string;
  finishedAt: number;
  /** The allocation is gone from the API. */
  deleted: boolean;
}

/**
 * Which terminal allocations to collect, oldest first. `diskUsage` reports the
 * disk's use in percent after removing the ones chosen so far. Pure apart
 * from what diskUsage reads.
 */
export function collectable(
  terminal: readonly TerminalAlloc[],
  running: number,
  config: GcConfig,
  diskUsage: (removed: readonly string[]) => number,
): string[] {
  const chosen = terminal.filter((a) => a.deleted).map((a) => a.key);
  const rest = terminal.filter((a) => !a.deleted).sort((a, b) => a.finishedAt - b.finishedAt);
  for (const a of rest) {
    const total = running + terminal.length - chosen.length;
    if (total <= config.maxAllocs && diskUsage(chosen) <= config.diskUsageThreshold) break;
    chosen.push(a.key);
  }
  return chosen;
}

/** Percent of the disk holding `dir` in use. */
export function diskUsagePercent(dir: string): number {
  const s = statfsSync(dir);
  const total = s.blocks * s.bsize;
  return total === 0 ? 0 : (100 * (total - s.bfree * s.bsize)) / total;
}

export function removeAllocDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
