import { describe, expect, it } from "vitest";
import type { ResolvedReschedule } from "../../../src/scheduler/defaults.js";
import { nextDelay, rescheduleDecision } from "../../../src/scheduler/reschedule.js";
import type { RescheduleEvent } from "../../../src/scheduler/types.js";
import { alloc, NOW } from "./fixtures.js";

const S = 1000;
const policy = (over: Partial<ResolvedReschedule> = {}): ResolvedReschedule => ({
  attempts: 3,
  intervalMs: 3600 * S,
  delayMs: 30 * S,
  delayFunction: "constant",
  maxDelayMs: 3600 * S,
  unlimited: false,
  ...over,
});
const events = (...delays: number[]): RescheduleEvent[] =>
  delays.map((d, k) => ({
    time: NOW - (delays.length - k) * 1000 * S,
    prevAllocId: `p${k}`,
    prevNodeId: `n${k}`,
    delayMs: d * S,
  }));
const failed = (ev: RescheduleEvent[], modifyTime = NOW) =>
  alloc("n0", { clientStatus: "failed", rescheduleEvents: ev, modifyTime });

describe("reschedule delay functions", () => {
  it.each([
    ["constant", [], 30],
    ["constant", [30, 30], 30],
    ["exponential", [], 30],
    ["exponential", [30], 60],
    ["exponential", [30, 60, 120], 240],
    ["fibonacci", [], 30],
    ["fibonacci", [30], 30],
    ["fibonacci", [30, 30], 60],
    ["fibonacci", [30, 30, 60], 90],
  ] as const)("%s after %j → %ds", (fn, delays, want) => {
    expect(nextDelay(failed(events(...delays)), policy({ delayFunction: fn }))).toBe(want * S);
  });

  it("caps at max_delay", () => {
    const p = policy({ delayFunction: "exponential", maxDelayMs: 100 * S });
    // Failed right after the last reschedule: the ceiling holds.
    const a = alloc("n0", {
      clientStatus: "failed",
      rescheduleEvents: [{ time: NOW, prevAllocId: "x", prevNodeId: "n", delayMs: 80 * S }],
      modifyTime: NOW + S,
    });
    expect(nextDelay(a, p)).toBe(100 * S);
  });

  it("starts over when the allocation ran longer than max_delay", () => {
    const p = policy({ delayFunction: "exponential", maxDelayMs: 100 * S });
    const a = alloc("n0", {
      clientStatus: "failed",
      rescheduleEvents: [
        { time: NOW - 1000 * S, prevAllocId: "x", prevNodeId: "n", delayMs: 100 * S },
      ],
      modifyTime: NOW,
    });
    expect(nextDelay(a, p)).toBe(30 * S);
  });
});

describe("reschedule eligibility", () => {
  it("reschedules now once the delay has passed", () => {
    const d = rescheduleDecision(failed([], NOW - 60 * S), policy(), NOW);
    expect(d).toEqual({ kind: "now", delayMs: 30 * S });
  });

  it("reschedules later while the delay runs", () => {
    const d = rescheduleDecision(failed([], NOW), policy(), NOW);
    expect(d).toEqual({ kind: "later", at: NOW + 30 * S, delayMs: 30 * S });
  });

  it("stops after attempts within the interval", () => {
    expect(rescheduleDecision(failed(events(30, 30), NOW - 60 * S), policy(), NOW).kind).toBe(
      "now",
    );
    expect(rescheduleDecision(failed(events(30, 30, 30)), policy(), NOW).kind).toBe("never");
  });

  it("counts only attempts inside the interval", () => {
    const old = events(30, 30, 30).map((e) => ({ ...e, time: e.time - 7200 * S }));
    expect(rescheduleDecision(failed(old, NOW - 60 * S), policy(), NOW).kind).toBe("now");
  });

  it("unlimited ignores attempts", () => {
    const d = rescheduleDecision(
      failed(events(...Array(20).fill(30)), NOW - 60 * S),
      policy({ unlimited: true }),
      NOW,
    );
    expect(d.kind).toBe("now");
  });

  it("never without a policy (system jobs) or for allocations that did not fail", () => {
    expect(rescheduleDecision(failed([]), undefined, NOW).kind).toBe("never");
    expect(rescheduleDecision(alloc("n0"), policy(), NOW).kind).toBe("never");
  });

  it("force-reschedule overrides the policy", () => {
    const a = alloc("n0", { clientStatus: "failed", desiredTransition: { forceReschedule: true } });
    expect(rescheduleDecision(a, undefined, NOW).kind).toBe("now");
  });
});
