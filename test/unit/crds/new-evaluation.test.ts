// Evaluation names follow from the job and the cause: the same cause always
// names the same object (so creating it twice writes it once), different
// causes name different objects, and every name is one Kubernetes takes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EvaluationCause,
  evaluationName,
  newEvaluation,
} from "../../../src/crds/new-evaluation.js";
import { isObjectName } from "../../../src/crds/object-name.js";
import type { NomadJob } from "../../../src/crds/objects.js";
import { resourceName } from "../../../src/jobspec/resource.js";

const job: NomadJob = {
  metadata: { name: "web", namespace: "prod", uid: "u-1", generation: 3 },
  spec: { type: "batch", priority: 70, groups: [] },
  status: { version: 2 },
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("evaluation names", () => {
  const causes: EvaluationCause[] = [
    { kind: "job-spec", generation: 3 },
    { kind: "node-status", node: "node-1", status: "down", resourceVersion: "812" },
    { kind: "node-drain", node: "node-1", progress: "100|2|false" },
    { kind: "alloc-failure", allocation: "web-api-0-1a2b" },
    { kind: "alloc-stop", allocation: "web-api-0-1a2b", resourceVersion: "90" },
    { kind: "deployment", deployment: "d-1", generation: 1, progress: "[1]" },
    { kind: "blocked" },
    { kind: "retry", previous: "0c1d2e3f-4a5b-8c7d-8e9f-a0b1c2d3e4f5", attempt: 2 },
    { kind: "request", id: "7e57" },
  ];

  it.each(causes)("%j is a UUID, as Nomad's CLI expects of an evaluation ID", (cause) => {
    expect(evaluationName("prod", "web", cause)).toMatch(uuid);
  });

  it("gives every cause, job and namespace its own name, and the same one when asked again", () => {
    const names = causes.flatMap((c) =>
      [
        ["prod", "web"],
        ["prod", "api"],
        ["dev", "web"],
      ].map(([ns, job]) => evaluationName(ns as string, job as string, c)),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(causes.map((c) => evaluationName("prod", "web", c))).toEqual(
      causes.map((c) => evaluationName("prod", "web", c)),
    );
  });

  it("keeps the ID the scheduler gave a follow-up", () => {
    const id = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5";
    expect(evaluationName("prod", "web", { kind: "scheduler-followup", id })).toBe(id);
  });

  it("tells progress apart, so a new state of progress is a new evaluation", () => {
    const drain = (progress: string) =>
      evaluationName("prod", "web", { kind: "node-drain", node: "node-1", progress });
    expect(drain("100|3|false")).not.toBe(drain("100|2|false"));
    const watcher = (generation: number, progress: string) =>
      evaluationName("prod", "web", {
        kind: "deployment",
        deployment: "d-1",
        generation,
        progress,
      });
    // A resume (a new generation) asks again with the same counts.
    expect(watcher(2, "[1]")).not.toBe(watcher(1, "[1]"));
    expect(watcher(1, "[2]")).not.toBe(watcher(1, "[1]"));
  });

  it("are UUIDs for any job ID and cause", () => {
    const text = fc.string({ maxLength: 300, unit: "grapheme-ascii" });
    const cause: fc.Arbitrary<EvaluationCause> = fc.oneof(
      fc.nat().map((generation) => ({ kind: "job-spec" as const, generation })),
      fc.tuple(text, text, fc.nat()).map(([node, status, rv]) => ({
        kind: "node-status" as const,
        node,
        status,
        resourceVersion: String(rv),
      })),
      fc
        .tuple(text, text)
        .map(([node, progress]) => ({ kind: "node-drain" as const, node, progress })),
      text.map((allocation) => ({ kind: "alloc-failure" as const, allocation })),
      fc.constant({ kind: "blocked" as const }),
      fc.tuple(text, fc.nat()).map(([previous, attempt]) => ({
        kind: "retry" as const,
        previous,
        attempt,
      })),
      text.map((id) => ({ kind: "request" as const, id })),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), cause, (id, c) => {
        // As stored (a NomadJob's name for its Nomad job ID) and raw.
        for (const jobName of [resourceName(id), id]) {
          const name = evaluationName("default", jobName, c);
          expect(name).toMatch(uuid);
          expect(isObjectName(name)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("newEvaluation", () => {
  it("copies the job's type, priority and version and belongs to the job", () => {
    const e = newEvaluation({
      job,
      trigger: "job-register",
      cause: { kind: "job-spec", generation: 3 },
    });
    expect(e.metadata).toMatchObject({
      name: evaluationName("prod", "web", { kind: "job-spec", generation: 3 }),
      namespace: "prod",
      labels: { "caravan.dev/job": "web" },
      ownerReferences: [{ kind: "NomadJob", name: "web", uid: "u-1" }],
    });
    expect(e.spec).toEqual({
      jobName: "web",
      jobVersion: 2,
      jobGeneration: 3,
      type: "batch",
      priority: 70,
      triggeredBy: "job-register",
    });
  });

  it("says which node, deployment or evaluation it is about, from the cause", () => {
    const node = newEvaluation({
      job,
      trigger: "node-update",
      cause: { kind: "node-status", node: "n1", status: "ready", resourceVersion: "5" },
    });
    expect(node.spec).toMatchObject({ nodeName: "n1", triggeredBy: "node-update" });
    expect(node.spec.jobGeneration).toBeUndefined();
    const watcher = newEvaluation({
      job,
      trigger: "deployment-watcher",
      cause: { kind: "deployment", deployment: "d-1", generation: 1, progress: "" },
      priority: 90,
    });
    expect(watcher.spec).toMatchObject({ deploymentName: "d-1", priority: 90 });
    const retry = newEvaluation({
      job: { name: "web", namespace: "prod", type: "service", priority: 50 },
      trigger: "failed-follow-up",
      cause: { kind: "retry", previous: "web-g3", attempt: 1 },
    });
    expect(retry.spec).toMatchObject({ previousEval: "web-g3", type: "service" });
    expect(retry.metadata.ownerReferences).toBeUndefined();
  });

  it("leaves out the job label where the job's name is too long for a label value", () => {
    const long = {
      name: "j".repeat(64),
      namespace: "prod",
      type: "service" as const,
      priority: 50,
    };
    const e = newEvaluation({ job: long, trigger: "job-register", cause: { kind: "blocked" } });
    expect(e.metadata.labels).toBeUndefined();
    expect(e.spec.jobName).toBe(long.name);
  });
});
