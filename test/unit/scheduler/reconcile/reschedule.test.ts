import { describe, expect, it } from "vitest";
import { reconcileFailed } from "../../../../src/scheduler/reconcile/reschedule.js";
import type { SchedulerAlloc } from "../../../../src/scheduler/types.js";
import { alloc, NOW } from "../fixtures.js";
import { resolvedGroup, summary } from "./helpers.js";

const failed = (over: Partial<SchedulerAlloc> = {}) =>
  alloc("n1", { id: "f", clientStatus: "failed", ...over });

describe("failed allocations and the reschedule policy", () => {
  const policy = {
    reschedule: { delay: "30s", delayFunction: "constant" as const, unlimited: true },
  };
  const cases: {
    name: string;
    alloc: SchedulerAlloc;
    replaced?: string[];
    want: Partial<ReturnType<typeof summary>>;
  }[] = [
    {
      name: "failed past its delay: replaced now",
      alloc: failed({ modifyTime: NOW - 60_000 }),
      want: {
        place: ["example.web[0] reschedule of f"],
        kept: ["f"],
        desired: { place: 1, rescheduleNow: 1 },
      },
    },
    {
      name: "failed within its delay: followed up",
      alloc: failed({ modifyTime: NOW - 10_000 }),
      want: {
        place: [],
        followups: [`failed-follow-up f at ${NOW + 20_000}`],
        kept: ["f"],
        desired: { rescheduleLater: 1 },
      },
    },
    {
      name: "already followed up: no second follow-up",
      alloc: failed({ modifyTime: NOW - 10_000, followupEvalId: "e" }),
      want: { followups: [], kept: ["f"], desired: { rescheduleLater: 1 } },
    },
    {
      name: "already replaced: nothing",
      alloc: failed(),
      replaced: ["f"],
      want: { kept: [], desired: {} },
    },
    {
      name: "running: not this step's",
      alloc: alloc("n1", { id: "r" }),
      want: { kept: [], desired: {} },
    },
  ];
  it.each(cases)("$name", (c) => {
    const changes = reconcileFailed([c.alloc], resolvedGroup(policy), new Set(c.replaced), NOW);
    expect(summary(changes)).toMatchObject(c.want);
  });

  it("keeps the replacement away from the nodes it failed on", () => {
    const a = failed({
      modifyTime: NOW - 60_000,
      rescheduleEvents: [{ time: NOW - 120_000, prevAllocId: "e", prevNodeId: "n0", delayMs: 0 }],
    });
    const [p] = reconcileFailed([a], resolvedGroup(policy), new Set(), NOW).place;
    expect(p?.penaltyNodes).toEqual(new Set(["n1", "n0"]));
  });
});
