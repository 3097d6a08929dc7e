import { describe, expect, it } from "vitest";
import { rollout } from "../../../../src/scheduler/reconcile/deployment.js";
import { placeMissing } from "../../../../src/scheduler/reconcile/place.js";
import { scaleDown } from "../../../../src/scheduler/reconcile/stop.js";
import { computeUpdates } from "../../../../src/scheduler/reconcile/updates.js";
import type { SchedulerAlloc, SchedulerDeployment } from "../../../../src/scheduler/types.js";
import { alloc } from "../fixtures.js";
import { resolvedGroup, summary } from "./helpers.js";

const V = 2; // the job's version
const at = (id: string, index: number, over: Partial<SchedulerAlloc> = {}) =>
  alloc("n1", { id, index, name: `example.web[${index}]`, jobVersion: V, ...over });
const dep = (over: Partial<SchedulerDeployment> = {}): SchedulerDeployment => ({
  id: "d",
  jobVersion: V,
  status: "running",
  groups: {},
  ...over,
});
const ids = (xs: readonly SchedulerAlloc[]) => xs.map((a) => a.id);

describe("updates: in place or destructive, and canaries", () => {
  const old0 = at("old0", 0, { jobVersion: 1 });
  const old1 = at("old1", 1, { jobVersion: 1 });
  const canary = at("can", 2, { canary: true, deploymentId: "d" });
  const cases = [
    {
      name: "only policies changed: in place",
      canary: 0,
      destructive: [],
      allocs: [old0, old1],
      inPlace: ["old0", "old1"],
      wantCanaries: false,
    },
    {
      name: "a task changed: destructive",
      canary: 0,
      destructive: ["old0", "old1"],
      allocs: [old0, old1],
      inPlace: [],
      wantCanaries: false,
    },
    {
      name: "with update.canary: canaries wanted",
      canary: 1,
      destructive: ["old0", "old1"],
      allocs: [old0, old1],
      inPlace: [],
      wantCanaries: true,
    },
    {
      name: "canaries placed, old ones in place: still wanted",
      canary: 1,
      destructive: [],
      allocs: [old0, canary],
      inPlace: ["old0"],
      wantCanaries: true,
    },
    {
      name: "nothing old and no canary: none wanted",
      canary: 1,
      destructive: [],
      allocs: [at("cur", 0)],
      inPlace: [],
      wantCanaries: false,
    },
  ];
  it.each(cases)("$name", (c) => {
    const tg = resolvedGroup({ count: 2 }, { update: { canary: c.canary, maxParallel: 1 } });
    const u = computeUpdates(c.allocs, tg, V, dep(), (a) =>
      (c.destructive as string[]).includes(a.id),
    );
    expect({
      inPlace: ids(u.inPlace),
      destructive: ids(u.destructive),
      wantCanaries: u.wantCanaries,
    }).toEqual({
      inPlace: c.inPlace,
      destructive: c.destructive,
      wantCanaries: c.wantCanaries,
    });
    expect(u.deployment.desiredCanaries).toBe(c.wantCanaries ? c.canary : 0);
  });

  it("counts canaries of this deployment only, and holds for a paused or failed one", () => {
    const tg = resolvedGroup({}, { update: { canary: 1, maxParallel: 1 } });
    const other = at("other", 3, { canary: true, deploymentId: "x" });
    expect(ids(computeUpdates([canary, other], tg, V, dep(), () => true).canaries)).toEqual([
      "can",
    ]);
    expect(computeUpdates([], tg, V, dep({ status: "paused" }), () => true).paused).toBe(true);
    expect(computeUpdates([], tg, V, dep({ status: "failed" }), () => true).paused).toBe(true);
    const promoted = dep({ groups: { web: { promoted: true } } });
    expect(computeUpdates([old0], tg, V, promoted, () => true).wantCanaries).toBe(false);
  });
});

describe("stop: the surplus past the count", () => {
  const cases = [
    {
      name: "highest indexes first",
      regular: [at("a0", 0), at("a1", 1), at("a2", 2)],
      current: [],
      excess: 1,
      promoted: false,
      stop: ["a2: alloc not needed due to job update"],
    },
    {
      name: "old versions before current ones",
      regular: [at("old5", 5, { jobVersion: 1 }), at("a0", 0), at("a1", 1)],
      current: [],
      excess: 1,
      promoted: false,
      stop: ["old5: alloc not needed due to job update"],
    },
    {
      name: "an old version whose name a promoted canary carries goes first",
      regular: [at("old0", 0, { jobVersion: 1 }), at("old3", 3, { jobVersion: 1 })],
      current: [at("can", 0, { canary: true })],
      excess: 1,
      promoted: true,
      stop: ["old0: alloc not needed as canaries were promoted"],
    },
    {
      name: "nothing past the count",
      regular: [at("a0", 0)],
      current: [],
      excess: 0,
      promoted: false,
      stop: [],
    },
  ];
  it.each(cases)("$name", (c) => {
    const current = [...c.current, ...c.regular.filter((a) => a.jobVersion === V)];
    expect(summary(scaleDown(c.regular, current, c.excess, V, c.promoted)).stop).toEqual(c.stop);
  });
});

describe("deployment: canaries, then destructive updates at max_parallel", () => {
  const olds = [
    at("o2", 2, { jobVersion: 1 }),
    at("o0", 0, { jobVersion: 1 }),
    at("o1", 1, { jobVersion: 1 }),
  ];
  const base = { canaries: [], current: [], destructive: olds, wantCanaries: false, paused: false };
  const cases = [
    {
      name: "max_parallel 1: the lowest index",
      maxParallel: 1,
      updates: base,
      destructive: ["o0"],
      place: [],
      desired: { destructiveUpdate: 1, ignore: 2 },
    },
    {
      name: "max_parallel 2",
      maxParallel: 2,
      updates: base,
      destructive: ["o0", "o1"],
      place: [],
      desired: { destructiveUpdate: 2, ignore: 1 },
    },
    {
      name: "no update block: all at once",
      maxParallel: 0,
      updates: base,
      destructive: ["o0", "o1", "o2"],
      place: [],
      desired: { destructiveUpdate: 3 },
    },
    {
      name: "unhealthy allocations of the deployment use up max_parallel",
      maxParallel: 1,
      updates: { ...base, current: [at("new0", 0, { deploymentId: "d" })] },
      destructive: [],
      place: [],
      desired: { ignore: 3 },
    },
    {
      name: "paused: nothing",
      maxParallel: 1,
      updates: { ...base, paused: true },
      destructive: [],
      place: [],
      desired: {},
    },
    {
      name: "canaries under the names of the allocations they replace",
      maxParallel: 1,
      canary: 2,
      updates: { ...base, wantCanaries: true },
      destructive: [],
      place: ["example.web[2] canary", "example.web[0] canary"],
      desired: { canary: 2 },
    },
    {
      name: "only the canaries still missing",
      maxParallel: 1,
      canary: 2,
      updates: { ...base, wantCanaries: true, canaries: [at("c", 5, { canary: true })] },
      destructive: [],
      place: ["example.web[0] canary"],
      desired: { canary: 1 },
    },
  ];
  it.each(cases)("$name", (c) => {
    const tg = resolvedGroup(
      { count: 3 },
      { update: { maxParallel: c.maxParallel, canary: c.canary ?? 0 } },
    );
    const r = rollout("example", tg, c.updates, dep(), new Set([0, 1, 2]));
    expect(r.destructive.map((d) => d.alloc.id)).toEqual(c.destructive);
    expect(summary(r.changes)).toMatchObject({ place: c.place, desired: c.desired });
  });

  it("canaries with nothing to replace take the lowest free indexes", () => {
    const tg = resolvedGroup({ count: 3 }, { update: { maxParallel: 1, canary: 2 } });
    const r = rollout(
      "example",
      tg,
      { ...base, destructive: [], wantCanaries: true },
      dep(),
      new Set([0, 2]),
    );
    expect(summary(r.changes).place).toEqual(["example.web[1] canary", "example.web[3] canary"]);
  });
});

describe("place: new allocations up to the count", () => {
  const cases = [
    {
      name: "the lowest free indexes",
      count: 3,
      total: 1,
      used: [1],
      held: false,
      place: ["example.web[0] new", "example.web[2] new"],
    },
    { name: "at the count: nothing", count: 2, total: 2, used: [0, 1], held: false, place: [] },
    { name: "held by the rollout: nothing", count: 3, total: 1, used: [0], held: true, place: [] },
  ];
  it.each(cases)("$name", (c) => {
    const changes = placeMissing(
      "example",
      resolvedGroup({ count: c.count }),
      c.total,
      new Set(c.used),
      c.held,
    );
    expect(summary(changes).place).toEqual(c.place);
    expect(changes.desired.place).toBe(c.place.length);
  });
});
