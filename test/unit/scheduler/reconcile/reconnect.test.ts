import { describe, expect, it } from "vitest";
import { classify } from "../../../../src/scheduler/reconcile/classify.js";
import { reconcileReconnecting } from "../../../../src/scheduler/reconcile/reconnect.js";
import { alloc, NOW, node } from "../fixtures.js";
import { resolvedGroup, summary } from "./helpers.js";

// "orig" was unknown while its node was away and is back; "repl" replaced it meanwhile.
const orig = alloc("back", { id: "orig", clientStatus: "unknown" });
const repl = alloc("other", { id: "repl", previousAllocation: "orig" });
const nodes = new Map([
  ["back", node("back")],
  ["other", node("other")],
]);

describe("reconnecting allocations", () => {
  const cases = [
    {
      name: "keep_original (the default): the replacement goes",
      reconcile: undefined,
      stop: ["repl: alloc not needed since the original allocation reconnected"],
      reconnect: ["orig"],
    },
    {
      name: "keep_replacement: the original goes",
      reconcile: "keep_replacement" as const,
      stop: ["orig: alloc not needed since its replacement is kept (disconnect.reconcile)"],
      reconnect: [],
    },
  ];
  it.each(cases)("$name", (c) => {
    const tg = resolvedGroup({
      disconnect: { lostAfter: "1m", ...(c.reconcile ? { reconcile: c.reconcile } : {}) },
    });
    const allocs = [orig, repl];
    const r = reconcileReconnecting(allocs, classify(allocs, nodes, tg, NOW, false), tg);
    expect(summary(r.changes)).toMatchObject({ stop: c.stop, reconnect: c.reconnect });
    expect([...r.stopped].map((a) => a.id)).toEqual(c.stop.map((s) => s.split(":")[0]));
  });

  it("resumes an allocation with no replacement", () => {
    const tg = resolvedGroup();
    const r = reconcileReconnecting([orig], classify([orig], nodes, tg, NOW, false), tg);
    expect(summary(r.changes)).toMatchObject({
      stop: [],
      reconnect: ["orig"],
      desired: { reconnect: 1 },
    });
  });
});
