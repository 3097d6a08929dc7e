// The simulation's pure and timing parts: spread heartbeats, batched status
// writes, and a plausible fingerprint per node.
import { describe, expect, it } from "vitest";
import { StatusBatcher } from "../../../src/agent/simulate/batcher.js";
import { simulatedNodeStatus } from "../../../src/agent/simulate/node.js";
import { Spread } from "../../../src/agent/simulate/spread.js";

describe("Spread", () => {
  it("runs each item once per period, a few per tick, never all at once", async () => {
    const runs: number[] = [];
    const spread = new Spread({
      count: 100,
      periodMs: 1000,
      concurrency: 4,
      tickMs: 1_000_000,
      action: async (i) => void runs.push(i),
    });
    spread.start(0);
    spread.tick(100); // a tenth of the period: a tenth of the items
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toEqual(Array.from({ length: 10 }, (_, i) => i));
    spread.tick(1000);
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toHaveLength(100);
    spread.tick(2000); // the next period renews everyone again
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toHaveLength(200);
    expect(new Set(runs.slice(100)).size).toBe(100);
    await spread.stop();
  });

  it("skips an item whose previous run is still in flight", async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const spread = new Spread({
      count: 1,
      periodMs: 10,
      concurrency: 4,
      tickMs: 1_000_000,
      action: () => {
        calls++;
        return blocked;
      },
    });
    spread.start(0);
    spread.tick(10);
    spread.tick(20);
    spread.tick(30);
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(1);
    release();
    await spread.stop();
  });
});

describe("StatusBatcher", () => {
  it("writes only the latest status of each allocation per flush, and never two at once for one", async () => {
    const writes: [string, unknown][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const batcher = new StatusBatcher<string>({
      flushMs: 20,
      concurrency: 2,
      write: async (target, status) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        writes.push([target, status]);
        inFlight--;
      },
    });
    for (let i = 0; i < 10; i++) batcher.update("a", "a", i);
    for (let i = 0; i < 5; i++) batcher.update(`b${i}`, `b${i}`, i);
    await new Promise((r) => setTimeout(r, 150));
    expect(writes.filter(([t]) => t === "a")).toEqual([["a", 9]]);
    expect(writes).toHaveLength(6);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    batcher.update("a", "a", "final");
    await batcher.stop();
    expect(writes.at(-1)).toEqual(["a", "final"]);
  });

  it("retries a failed write unless a newer status replaced it", async () => {
    let fail = true;
    const written: unknown[] = [];
    const batcher = new StatusBatcher<string>({
      flushMs: 10,
      write: async (_t, status) => {
        if (fail) {
          fail = false;
          throw new Error("conflict");
        }
        written.push(status);
      },
    });
    batcher.update("a", "a", "running");
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toEqual(["running"]);
    await batcher.stop();
  });
});

describe("simulated node fingerprint", () => {
  it("gives each node its name, resources and a distinct address", () => {
    const spec = {
      name: "sim-300",
      index: 300,
      datacenter: "dc2",
      nodeClass: "big",
      nodePool: "default",
      meta: { rack: "r2" },
      cpuMHz: 8000,
      memoryMB: 16384,
      diskMB: 1000,
      version: "0.1.0",
    };
    const status = simulatedNodeStatus(spec, new Date(0));
    expect(status.name).toBe("sim-300");
    expect(status.nodeClass).toBe("big");
    expect(status.resources?.cpu?.cpuShares).toBe(8000);
    expect(status.resources?.memory?.memoryMB).toBe(16384);
    expect(status.attributes?.["unique.network.ip-address"]).toBe("10.0.1.44");
    expect(status.attributes?.["driver.mock"]).toBe("1");
    expect(status.drivers?.mock?.healthy).toBe(true);
  });
});
