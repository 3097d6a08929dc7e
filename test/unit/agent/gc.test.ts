import { describe, expect, it } from "vitest";
import { collectable, type GcConfig } from "../../../src/agent/gc.js";

const config: GcConfig = { intervalMs: 60_000, maxAllocs: 4, diskUsageThreshold: 80 };
const alloc = (key: string, finishedAt: number, deleted = false) => ({ key, finishedAt, deleted });

describe("alloc dir gc", () => {
  it("removes allocations the API deleted, and nothing else while under the limits", () => {
    const terminal = [alloc("a", 1), alloc("b", 2, true)];
    expect(collectable(terminal, 1, config, () => 10)).toEqual(["b"]);
  });

  it("removes the oldest terminal allocations while over gc_max_allocs", () => {
    const terminal = [alloc("new", 30), alloc("old", 10), alloc("mid", 20)];
    // 3 running + 3 terminal = 6 > 4: the two oldest go.
    expect(collectable(terminal, 3, config, () => 10)).toEqual(["old", "mid"]);
  });

  it("removes the oldest until the disk is under gc_disk_usage_threshold", () => {
    const terminal = [alloc("a", 1), alloc("b", 2), alloc("c", 3)];
    // Each removal frees 10 points of a 95% full disk.
    const usage = (removed: readonly string[]) => 95 - 10 * removed.length;
    expect(collectable(terminal, 0, config, usage)).toEqual(["a", "b"]);
  });
});
