// Nomad's SchedulerConfiguration JSON ⇄ the NomadSchedulerConfiguration spec,
// decoded as Go's encoding/json decodes Nomad's request body.
import { describe, expect, it } from "vitest";
import {
  schedulerConfigIn,
  schedulerConfigOut,
} from "../../../src/api/convert/scheduler-config.js";

describe("scheduler configuration JSON", () => {
  it("answers Nomad's defaults with indexes 0 while none is stored", () => {
    expect(schedulerConfigOut(undefined, undefined)).toEqual({
      SchedulerAlgorithm: "binpack",
      PreemptionConfig: {
        SystemSchedulerEnabled: true,
        SysBatchSchedulerEnabled: false,
        BatchSchedulerEnabled: false,
        ServiceSchedulerEnabled: false,
      },
      MemoryOversubscriptionEnabled: false,
      RejectJobRegistration: false,
      PauseEvalBroker: false,
      NodeLimitForFeasibilityChecks: 0,
      CreateIndex: 0,
      ModifyIndex: 0,
    });
  });

  it("replaces the whole configuration: field names in any case, absent and null are zero, unknown ignored", () => {
    const r = schedulerConfigIn({
      schedulerAlgorithm: "spread",
      PREEMPTIONCONFIG: { serviceSchedulerEnabled: true, SystemSchedulerEnabled: null },
      MemoryOversubscriptionEnabled: true,
      Bogus: 1,
    });
    expect(r).toEqual({
      ok: true,
      spec: {
        schedulerAlgorithm: "spread",
        preemptionConfig: {
          systemSchedulerEnabled: false,
          sysBatchSchedulerEnabled: false,
          batchSchedulerEnabled: false,
          serviceSchedulerEnabled: true,
        },
        memoryOversubscriptionEnabled: true,
        rejectJobRegistration: false,
        pauseEvalBroker: false,
        nodeLimitForFeasibilityChecks: 0,
      },
    });
    // An empty algorithm is binpack, as Nomad stores it.
    expect(schedulerConfigIn(null)).toMatchObject({
      ok: true,
      spec: { schedulerAlgorithm: "binpack" },
    });
  });

  it("round-trips what it stores", () => {
    const r = schedulerConfigIn({ SchedulerAlgorithm: "spread", NodeLimitForFeasibilityChecks: 7 });
    if (!r.ok) throw new Error(r.error);
    expect(schedulerConfigOut(r.spec, { create: 3, modify: 9 })).toMatchObject({
      SchedulerAlgorithm: "spread",
      PreemptionConfig: { SystemSchedulerEnabled: false },
      NodeLimitForFeasibilityChecks: 7,
      CreateIndex: 3,
      ModifyIndex: 9,
    });
  });

  it("refuses a value of the wrong type with Go's message", () => {
    expect(schedulerConfigIn({ PauseEvalBroker: "yes" })).toEqual({
      ok: false,
      error:
        "json: cannot unmarshal string into Go struct field SchedulerConfiguration.PauseEvalBroker of type bool",
    });
    expect(schedulerConfigIn({ NodeLimitForFeasibilityChecks: 1.5 })).toEqual({
      ok: false,
      error:
        "json: cannot unmarshal number 1.5 into Go struct field SchedulerConfiguration.NodeLimitForFeasibilityChecks of type uint",
    });
    // Decoding comes before validation, as in Nomad's agent.
    expect(schedulerConfigIn({ SchedulerAlgorithm: "bogus", PauseEvalBroker: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("json: cannot unmarshal number"),
    });
    expect(schedulerConfigIn({ SchedulerAlgorithm: "bogus" })).toEqual({
      ok: false,
      error: "invalid scheduler algorithm: bogus",
    });
    expect(schedulerConfigIn("x")).toEqual({
      ok: false,
      error: "json: cannot unmarshal string into Go value of type api.SchedulerConfiguration",
    });
  });
});
