import { describe, expect, it } from "vitest";
import { resolveJob } from "../../../src/scheduler/defaults.js";
import { allocsFit, groupExhausted } from "../../../src/scheduler/fit.js";
import type { SchedulerNode, SchedulerResources } from "../../../src/scheduler/types.js";
import { NodeUsage } from "../../../src/scheduler/usage.js";
import { job, node } from "./fixtures.js";

// 4000 MHz, 8000 MB, 10000 MB disk; 500 MHz, 1000 MB, core 0 and port 22 reserved.
const small = node("small", {
  cpuMHz: 4000,
  memoryMB: 8000,
  diskMB: 10_000,
  reserved: { cpuMHz: 500, memoryMB: 1000, diskMB: 0, cores: [0], ports: [22] },
});

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
const port = (value: number) => res(10, 10, { ports: [{ label: "http", value }] });
const gpu = (id: string) =>
  res(10, 10, { devices: [{ vendor: "nvidia", type: "gpu", name: "t4", ids: [id] }] });

describe("allocsFit: the plan applier's check", () => {
  const cases: {
    name: string;
    node?: SchedulerNode;
    existing: SchedulerResources[];
    adding: SchedulerResources[];
    dimension?: string;
  }[] = [
    {
      name: "fits up to what is not reserved",
      existing: [res(2000, 3000)],
      adding: [res(1500, 4000)],
    },
    { name: "cpu over", existing: [res(2000, 3000)], adding: [res(1501, 100)], dimension: "cpu" },
    {
      name: "memory over",
      existing: [res(100, 3000)],
      adding: [res(100, 4001)],
      dimension: "memory",
    },
    { name: "disk over", existing: [], adding: [res(1, 1, { diskMB: 10_001 })], dimension: "disk" },
    {
      name: "the sum of what is added counts",
      existing: [],
      adding: [res(2000, 1), res(1501, 1)],
      dimension: "cpu",
    },
    {
      name: "port taken",
      existing: [port(8080)],
      adding: [port(8080)],
      dimension: "network: port collision 8080",
    },
    {
      name: "reserved port",
      existing: [],
      adding: [port(22)],
      dimension: "network: port collision 22",
    },
    {
      name: "reserved core",
      existing: [],
      adding: [res(10, 10, { cores: [0] })],
      dimension: "cores",
    },
    {
      name: "core taken",
      existing: [res(10, 10, { cores: [1] })],
      adding: [res(10, 10, { cores: [1] })],
      dimension: "cores",
    },
    {
      name: "device instance taken",
      existing: [gpu("g0")],
      adding: [gpu("g0")],
      dimension: "devices: nvidia/gpu/t4",
    },
    { name: "other device instance", existing: [gpu("g0")], adding: [gpu("g1")] },
    {
      name: "max_allocs reached",
      node: node("m", { maxAllocs: 2 }),
      existing: [res(1, 1)],
      adding: [res(1, 1), res(1, 1)],
      dimension: "allocations",
    },
    {
      name: "max_allocs exactly",
      node: node("m", { maxAllocs: 2 }),
      existing: [res(1, 1)],
      adding: [res(1, 1)],
    },
    {
      name: "max_allocs 0 is no limit",
      node: node("m", { maxAllocs: 0 }),
      existing: [],
      adding: Array.from({ length: 50 }, () => res(1, 1)),
    },
  ];
  it.each(cases)("$name", ({ node: n, existing, adding, dimension }) => {
    expect(allocsFit(n ?? small, existing, adding)).toEqual(
      dimension === undefined ? { fits: true } : { fits: false, dimension },
    );
  });
});

describe("groupExhausted: the scheduler's check for one more allocation", () => {
  const tg = (tasks: object[], extra: object = {}) => {
    const resolved = resolveJob(job({}, { tasks: tasks as never, ...extra }), "default", "example");
    return resolved.groups[0] as NonNullable<(typeof resolved.groups)[0]>;
  };
  const app = (resources: object) => [{ name: "app", driver: "exec", resources }];
  const cases: {
    name: string;
    node?: SchedulerNode;
    existing?: SchedulerResources[];
    tasks: object[];
    extra?: object;
    dimension?: string;
  }[] = [
    { name: "fits", tasks: app({ cpu: 3500, memory: 7000 }) },
    { name: "cpu", tasks: app({ cpu: 3501, memory: 10 }), dimension: "cpu" },
    { name: "memory", tasks: app({ cpu: 10, memory: 7001 }), dimension: "memory" },
    {
      name: "disk",
      tasks: app({ cpu: 10, memory: 10 }),
      extra: { ephemeralDisk: { size: 10_001 } },
      dimension: "disk",
    },
    {
      name: "usage counts",
      existing: [res(3000, 10)],
      tasks: app({ cpu: 501, memory: 10 }),
      dimension: "cpu",
    },
    { name: "cores: core 0 is reserved", tasks: app({ cores: 4, memory: 10 }), dimension: "cores" },
    {
      name: "cores cost their MHz",
      existing: [res(600, 10)],
      tasks: app({ cores: 3, memory: 10 }),
      dimension: "cpu",
    },
    {
      name: "max_allocs",
      node: node("m", { maxAllocs: 1 }),
      existing: [res(1, 1)],
      tasks: app({ cpu: 1, memory: 1 }),
      dimension: "allocations",
    },
    {
      name: "max_allocs not reached",
      node: node("m", { maxAllocs: 2 }),
      existing: [res(1, 1)],
      tasks: app({ cpu: 1, memory: 1 }),
    },
    {
      name: "static port taken",
      existing: [port(8080)],
      tasks: app({ cpu: 1, memory: 1 }),
      extra: { networks: [{ ports: [{ label: "http", static: 8080 }] }] },
      dimension: "network: reserved port collision http=8080",
    },
    {
      name: "a task network's static port taken (deprecated, still placed as in Nomad)",
      existing: [port(8080)],
      tasks: app({ cpu: 1, memory: 1, networks: [{ ports: [{ label: "http", static: 8080 }] }] }),
      dimension: "network: reserved port collision http=8080",
    },
    {
      name: "no dynamic port left",
      node: node("p", { minDynamicPort: 20000, maxDynamicPort: 20000 }),
      existing: [port(20000)],
      tasks: app({ cpu: 1, memory: 1 }),
      extra: { networks: [{ ports: [{ label: "http" }] }] },
      dimension: "network: dynamic port selection failed",
    },
  ];
  it.each(cases)("$name", ({ node: n = small, existing = [], tasks, extra, dimension }) => {
    const u = new NodeUsage([n], new Map([[n.id, 0]]));
    for (const r of existing) u.apply(0, r, 1);
    expect(groupExhausted(u, tg(tasks, extra), 0, n)).toBe(dimension);
  });
});
