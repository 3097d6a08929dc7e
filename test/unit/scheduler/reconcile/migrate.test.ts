import { describe, expect, it } from "vitest";
import { reconcileMigrations } from "../../../../src/scheduler/reconcile/migrate.js";
import type { SchedulerAlloc } from "../../../../src/scheduler/types.js";
import { alloc, NOW, node } from "../fixtures.js";
import { resolvedGroup, summary } from "./helpers.js";

const on = (nodeId: string, id: string, index: number, over: Partial<SchedulerAlloc> = {}) =>
  alloc(nodeId, { id, index, name: `example.web[${index}]`, ...over });

describe("migrations off draining nodes", () => {
  const nodes = new Map([
    ["drain", node("drain", { draining: true, drainDeadline: NOW + 60_000 })],
    ["forced", node("forced", { draining: true, drainDeadline: 0 })],
  ]);
  const three = [on("drain", "m0", 0), on("drain", "m1", 1), on("drain", "m2", 2)];
  const cases: {
    name: string;
    maxParallel?: number;
    migrate: SchedulerAlloc[];
    others?: SchedulerAlloc[];
    replaced?: string[];
    place: string[];
    desired: Record<string, number>;
  }[] = [
    {
      name: "max_parallel 1: one at a time",
      migrate: three,
      place: ["example.web[0] migrate of m0"],
      desired: { migrate: 1, ignore: 2 },
    },
    {
      name: "max_parallel 2",
      maxParallel: 2,
      migrate: three,
      place: ["example.web[0] migrate of m0", "example.web[1] migrate of m1"],
      desired: { migrate: 2, ignore: 1 },
    },
    {
      name: "marked allocations first",
      migrate: [
        three[0] as SchedulerAlloc,
        on("drain", "mk", 3, { desiredTransition: { migrate: true } }),
      ],
      place: ["example.web[3] migrate of mk"],
      desired: { migrate: 1, ignore: 1 },
    },
    {
      name: "a replacement not yet healthy counts against max_parallel",
      migrate: three.slice(1),
      others: [
        on("drain", "m0", 0, { desiredStatus: "stop" }),
        on("n1", "r0", 0, { previousAllocation: "m0", clientStatus: "running" }),
      ],
      place: [],
      desired: { ignore: 2 },
    },
    {
      name: "forced drain: all at once",
      migrate: [on("forced", "f0", 0), on("forced", "f1", 1)],
      place: ["example.web[0] migrate of f0", "example.web[1] migrate of f1"],
      desired: { migrate: 2 },
    },
    {
      name: "already replaced: left alone",
      migrate: three.slice(0, 1),
      replaced: ["m0"],
      place: [],
      desired: { ignore: 1 },
    },
  ];
  it.each(cases)("$name", (c) => {
    const tg = resolvedGroup({ migrate: { maxParallel: c.maxParallel ?? 1 } });
    const all = [...c.migrate, ...(c.others ?? [])];
    const changes = reconcileMigrations(c.migrate, all, nodes, tg, new Set(c.replaced), NOW);
    const s = summary(changes);
    expect(s.place).toEqual(c.place);
    expect(s.stop).toEqual(c.place.map((p) => `${p.split(" of ")[1]}: alloc is being migrated`));
    expect(s.desired).toEqual(c.desired);
    // Every allocation on a draining node keeps its index, moved or not.
    expect(s.kept).toHaveLength(c.migrate.length);
  });
});
