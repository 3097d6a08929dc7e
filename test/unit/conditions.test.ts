import { describe, expect, it } from "vitest";
import { findCondition, rfc3339, setCondition } from "../../src/crds/conditions.js";

describe("conditions", () => {
  const t0 = "2026-11-22T10:00:00Z";
  const t1 = "2026-11-22T10:05:00Z";

  it("keeps lastTransitionTime while the status holds and moves it when the status changes", () => {
    let conds = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Placing", message: "0/3 running" },
      t0,
    );
    conds = setCondition(
      conds,
      { type: "Ready", status: "False", reason: "Placing", message: "2/3 running" },
      t1,
    );
    expect(findCondition(conds, "Ready")).toEqual({
      type: "Ready",
      status: "False",
      reason: "Placing",
      message: "2/3 running",
      lastTransitionTime: t0,
    });
    conds = setCondition(
      conds,
      { type: "Ready", status: "True", reason: "Running", message: "3/3 running" },
      t1,
    );
    expect(findCondition(conds, "Ready")?.lastTransitionTime).toBe(t1);
    conds = setCondition(
      conds,
      { type: "Stalled", status: "False", reason: "Placing", message: "" },
      t1,
    );
    expect(conds.map((c) => c.type)).toEqual(["Ready", "Stalled"]);
  });

  it("formats times as Kubernetes does, in whole seconds", () => {
    expect(rfc3339(Date.UTC(2026, 10, 22, 10, 0, 0, 999))).toBe("2026-11-22T10:00:00Z");
  });
});
