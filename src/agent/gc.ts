// Garbage collection of terminal allocations' directories, as Nomad's client
// does it: on every gc_interval, directories of allocations the API no longer
// has go first; then the oldest terminal ones while the node holds more than
// gc_max_allocs allocations, or its data dir's disk is fuller than
// gc_disk_usage_threshold percent or its inodes than gc_inode_usage_threshold
// percent. Up to gc_parallel_destroys directories are removed at once.
import { statfsSync } from "node:fs";
import { rm } from "node:fs/promises";

export interface GcConfig {
  intervalMs: number;
  maxAllocs: number;
  /** Percent of the data dir's disk in use above which terminal allocations are removed. */
  diskUsageThreshold: number;
  /** Percent of the data dir's inodes in use above which terminal allocations are removed. */
  inodeUsageThreshold: number;
  /** How many allocation dirs are removed at once. */
  parallelDestroys: number;
}

/** Nomad's client defaults. */
export const defaultGcConfig: GcConfig = {
  intervalMs: 60_000,
  maxAllocs: 50,
  diskUsageThreshold: 80,
  inodeUsageThreshold: 70,
  parallelDestroys: 2,
};

export interface TerminalAlloc {
  key: string;
  finishedAt: number;
  /** The allocation is gone from the API. */
  deleted: boolean;
}

/** Percent in use of the data dir's disk space and of its inodes. */
export interface DiskUsage {
  disk: number;
  inodes: number;
}

/**
 * Removes terminal allocations, oldest first, in rounds of at most
 * parallelDestroys run at once (`remove`), measuring `usage` between rounds.
 * Returns the keys removed, in order.
 */
export async function collect(
  terminal: readonly TerminalAlloc[],
  running: number,
  config: GcConfig,
  remove: (keys: readonly string[]) => Promise<void>,
  usage: () => DiskUsage,
): Promise<string[]> {
  const parallel = Math.max(1, config.parallelDestroys);
  const removed: string[] = [];
  const round = async (keys: string[]) => {
    await remove(keys);
    removed.push(...keys);
  };
  const deleted = terminal.filter((a) => a.deleted).map((a) => a.key);
  for (let i = 0; i < deleted.length; i += parallel) await round(deleted.slice(i, i + parallel));
  const rest = terminal.filter((a) => !a.deleted).sort((a, b) => a.finishedAt - b.finishedAt);
  while (rest.length > 0) {
    const over = running + terminal.length - removed.length - config.maxAllocs;
    const u = usage();
    if (over <= 0 && u.disk <= config.diskUsageThreshold && u.inodes <= config.inodeUsageThreshold)
      break;
    // Over the count, exactly the surplus goes; over a threshold, a round and a new measure.
    const n = Math.min(parallel, over > 0 ? over : parallel);
    await round(rest.splice(0, n).map((a) => a.key));
  }
  return removed;
}

/** Removes allocation dirs at once. */
export async function removeAllocDirs(dirs: readonly string[]): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Percent of the disk holding `dir` in use, in space and in inodes. */
export function diskUsage(dir: string): DiskUsage {
  const s = statfsSync(dir);
  const total = s.blocks * s.bsize;
  return {
    disk: total === 0 ? 0 : (100 * (total - s.bfree * s.bsize)) / total,
    inodes: s.files === 0 ? 0 : (100 * (s.files - s.ffree)) / s.files,
  };
}
