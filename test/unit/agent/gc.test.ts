import { describe, expect, it } from "vitest";
import { collect, type GcConfig } from "../../../src/agent/gc.js";

const config: GcConfig = {
  intervalMs: 60_000,
  maxAllocs: 4,
  diskUsageThreshold: 80,
  inodeUsageThreshold: 70,
  parallelDestroys: 2,
};
const alloc = (key: string, finishedAt: number, deleted = false) => ({ key, finishedAt, deleted });

/** A node whose disk and inode use fall by `step` points with each removal; records each round. */
function node(disk: number, inodes: number, step = 0) {
  const rounds: string[][] = [];
  const removed = () => rounds.flat().length;
  return {
    rounds,
    remove: async (keys: readonly string[]) => {
      rounds.push([...keys]);
    },
    usage: () => ({ disk: disk - step * removed(), inodes: inodes - step * removed() }),
  };
}

describe("alloc dir gc", () => {
  it("removes allocations the API deleted, and nothing else while under the limits", async () => {
    const n = node(10, 10);
    const terminal = [alloc("a", 1), alloc("b", 2, true)];
    expect(await collect(terminal, 1, config, n.remove, n.usage)).toEqual(["b"]);
  });

  it("removes the oldest terminal allocations while over gc_max_allocs", async () => {
    const n = node(10, 10);
    const terminal = [alloc("new", 30), alloc("old", 10), alloc("mid", 20)];
    // 3 running + 3 terminal = 6 > 4: the two oldest go.
    expect(await collect(terminal, 3, config, n.remove, n.usage)).toEqual(["old", "mid"]);
  });

  it("removes the oldest until the disk is under gc_disk_usage_threshold", async () => {
    // Each removal frees 10 points of a 95% full disk; one at a time.
    const n = node(95, 10, 10);
    const terminal = [alloc("a", 1), alloc("b", 2), alloc("c", 3)];
    const one = { ...config, parallelDestroys: 1 };
    expect(await collect(terminal, 0, one, n.remove, n.usage)).toEqual(["a", "b"]);
  });

  it("removes the oldest until the inodes are under gc_inode_usage_threshold", async () => {
    const n = node(10, 85, 10);
    const terminal = [alloc("a", 1), alloc("b", 2), alloc("c", 3)];
    const one = { ...config, parallelDestroys: 1 };
    expect(await collect(terminal, 0, one, n.remove, n.usage)).toEqual(["a", "b"]);
  });

  it("removes up to gc_parallel_destroys directories at once", async () => {
    const n = node(10, 10);
    const deleted = ["a", "b", "c", "d", "e"].map((k, i) => alloc(k, i, true));
    await collect(deleted, 0, { ...config, parallelDestroys: 2 }, n.remove, n.usage);
    expect(n.rounds).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    const full = node(99, 10);
    const terminal = ["a", "b", "c", "d"].map((k, i) => alloc(k, i));
    await collect(terminal, 0, { ...config, parallelDestroys: 3 }, full.remove, full.usage);
    expect(full.rounds).toEqual([["a", "b", "c"], ["d"]]);
  });
});
