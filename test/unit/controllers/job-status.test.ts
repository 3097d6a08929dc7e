import { describe, expect, it } from "vitest";
import { describePlacementFailure } from "../../../src/controllers/jobs/placement-failure.js";
import { observeJob } from "../../../src/controllers/jobs/status.js";
import { findCondition } from "../../../src/crds/conditions.js";
import type { NomadAllocation, NomadEvaluation, NomadJob } from "../../../src/crds/objects.js";

const now = "2026-11-22T10:00:00Z";

function job(
  type: "service" | "batch" | "system",
  count: number,
  extra: Partial<NomadJob["spec"]> = {},
): NomadJob {
  return {
    metadata: { name: "web", namespace: "default", generation: 1 },
    spec: {
      type,
      groups: [{ name: "frontend", count, tasks: [{ name: "nginx", driver: "docker" }] }],
      ...extra,
    },
    status: { observedGeneration: 1 },
  };
}

let n = 0;
function alloc(
  client: string | undefined,
  desired: "run" | "stop" = "run",
  version = 0,
): NomadAllocation {
  n++;
  return {
    metadata: { name: `web-frontend-${n}`, namespace: "default" },
    spec: {
      jobName: "web",
      jobVersion: version,
      group: "frontend",
      nodeName: "n1",
      desiredStatus: desired,
      name: `web.frontend[${n}]`,
      index: n,
      evalName: "e1",
      resources: {},
    },
    status: client ? { clientStatus: client as "running" } : undefined,
  };
}

function evaluation(
  status: "complete" | "blocked" | "pending",
  extra: Partial<NonNullable<NomadEvaluation["status"]>> = {},
): NomadEvaluation {
  return {
    metadata: {
      name: "e1",
      namespace: "default",
      creationTimestamp: "2026-11-22T09:00:00Z",
    },
    spec: { jobName: "web", type: "service", priority: 50, triggeredBy: "job-register" },
    status: { status, ...extra },
  };
}

describe("job status", () => {
  it("is running and Ready when every wanted allocation of the current version runs", () => {
    const s = observeJob(
      {
        job: job("service", 3),
        allocations: [alloc("running"), alloc("running"), alloc("running")],
        evaluations: [evaluation("complete")],
        version: 0,
      },
      now,
    );
    expect(s.status).toBe("running");
    expect(s.summary.frontend).toMatchObject({ running: 3, starting: 0, queued: 0 });
    expect([s.desired, s.running]).toEqual([3, 3]);
    expect(findCondition(s.conditions, "Ready")?.status).toBe("True");
    expect(findCondition(s.conditions, "Reconciling")?.status).toBe("False");
    expect(findCondition(s.conditions, "Stalled")?.status).toBe("False");
  });

  it("explains queued allocations in the Reconciling condition, not as Stalled", () => {
    const blocked = evaluation("blocked", {
      queuedAllocations: { frontend: 2 },
      failedTGAllocs: {
        frontend: {
          nodesEvaluated: 52,
          constraintFiltered: { "${meta.rack} set_contains_any r0,r1": 40 },
          dimensionExhausted: { memory: 12 },
        },
      },
    });
    const s = observeJob(
      {
        job: job("service", 3),
        allocations: [alloc("running")],
        evaluations: [blocked],
        version: 0,
      },
      now,
    );
    expect(s.summary.frontend?.queued).toBe(2);
    const reconciling = findCondition(s.conditions, "Reconciling");
    expect(reconciling).toMatchObject({ status: "True", reason: "AllocationsQueued" });
    expect(reconciling?.message).toBe(
      '2 allocations of group "frontend" not placed: constraint ${meta.rack} set_contains_any r0,r1 filtered 40 nodes; memory exhausted on 12 nodes',
    );
    expect(findCondition(s.conditions, "Ready")?.status).toBe("False");
    expect(findCondition(s.conditions, "Stalled")?.status).toBe("False");
  });

  it("counts an older version's allocations as running but not as Ready for the new version", () => {
    const s = observeJob(
      {
        job: job("service", 2),
        allocations: [alloc("running", "run", 0), alloc("running", "run", 1)],
        evaluations: [evaluation("complete")],
        version: 1,
      },
      now,
    );
    expect(s.running).toBe(2);
    expect(findCondition(s.conditions, "Ready")).toMatchObject({
      status: "False",
      message: "1 of 2 allocations of version 1 running",
    });
  });

  it("finishes a batch job when every allocation completed, and says so", () => {
    const s = observeJob(
      {
        job: job("batch", 2),
        allocations: [alloc("complete"), alloc("complete")],
        evaluations: [evaluation("complete")],
        version: 0,
      },
      now,
    );
    expect(s.status).toBe("dead");
    expect(s.summary.frontend?.complete).toBe(2);
    expect(findCondition(s.conditions, "Ready")).toMatchObject({
      status: "True",
      reason: "Complete",
    });
  });

  it("is dead and Ready once a stopped job's allocations have stopped", () => {
    const stopping = observeJob(
      {
        job: job("service", 2, { stop: true }),
        allocations: [alloc("running", "stop")],
        evaluations: [],
        version: 1,
      },
      now,
    );
    expect(findCondition(stopping.conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "Stopping",
    });
    const stopped = observeJob(
      {
        job: job("service", 2, { stop: true }),
        allocations: [alloc("complete", "stop")],
        evaluations: [],
        version: 1,
      },
      now,
    );
    expect(stopped.status).toBe("dead");
    expect(stopped.desired).toBe(0);
    expect(findCondition(stopped.conditions, "Ready")).toMatchObject({
      status: "True",
      reason: "Stopped",
    });
  });

  it("is pending, not dead, while its allocations wait in a blocked evaluation (after a drain)", () => {
    const drained = {
      job: job("service", 2),
      allocations: [alloc("complete", "stop"), alloc("complete", "stop")],
      version: 0,
    };
    const waiting = observeJob({ ...drained, evaluations: [evaluation("blocked")] }, now);
    expect(waiting.status).toBe("pending");
    // With no evaluation left to run, nothing will place them: dead, as Nomad says.
    const over = observeJob({ ...drained, evaluations: [evaluation("complete")] }, now);
    expect(over.status).toBe("dead");
  });

  it("is pending, and Reconciling, before anything is placed", () => {
    const s = observeJob(
      { job: job("service", 1), allocations: [], evaluations: [evaluation("pending")], version: 0 },
      now,
    );
    expect(s.status).toBe("pending");
    expect(findCondition(s.conditions, "Reconciling")).toMatchObject({
      status: "True",
      reason: "Evaluating",
    });
  });
});

describe("placement failure text", () => {
  it("orders reasons by how many nodes they cost", () => {
    expect(
      describePlacementFailure("db", 1, {
        nodesEvaluated: 3,
        dimensionExhausted: { cpu: 1, memory: 2 },
      }),
    ).toBe(
      '1 allocation of group "db" not placed: memory exhausted on 2 nodes; cpu exhausted on 1 node',
    );
  });
});
