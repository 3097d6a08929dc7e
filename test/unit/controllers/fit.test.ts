import { describe, expect, it } from "vitest";
import { fitsOnNode } from "../../../src/controllers/plans/fit.js";
import type { SchedulerNode, SchedulerResources } from "../../../src/scheduler/index.js";

const node = {
  cpuMHz: 4000,
  memoryMB: 8000,
  diskMB: 10_000,
  reserved: { cpuMHz: 500, memoryMB: 1000, diskMB: 0, cores: [0], ports: [22] },
} as unknown as SchedulerNode;

function res(
  cpuMHz: number,
  memoryMB: number,
  extra: Partial<SchedulerResources> = {},
): SchedulerResources {
  return {
    cpuMHz,
    memoryMB,
    memoryMaxMB: memoryMB,
    diskMB: 100,
    cores: [],
    ports: [],
    devices: [],
    ...extra,
  };
}

describe("plan applier fit check", () => {
  it("counts reserved resources and what is already on the node", () => {
    expect(fitsOnNode(node, [res(2000, 3000)], [res(1500, 4000)])).toEqual({ fits: true });
    expect(fitsOnNode(node, [res(2000, 3000)], [res(1501, 100)])).toEqual({
      fits: false,
      dimension: "cpu",
    });
    expect(fitsOnNode(node, [res(100, 3000)], [res(100, 4001)])).toEqual({
      fits: false,
      dimension: "memory",
    });
  });

  it("refuses a port or core already taken, including reserved ones", () => {
    const port = (value: number) => res(10, 10, { ports: [{ label: "http", value }] });
    expect(fitsOnNode(node, [port(8080)], [port(8080)])).toEqual({
      fits: false,
      dimension: "network: port collision 8080",
    });
    expect(fitsOnNode(node, [], [port(22)])).toEqual({
      fits: false,
      dimension: "network: port collision 22",
    });
    expect(fitsOnNode(node, [], [res(10, 10, { cores: [0] })])).toEqual({
      fits: false,
      dimension: "cores",
    });
  });
});
