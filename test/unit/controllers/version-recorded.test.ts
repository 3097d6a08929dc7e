// A registration's evaluation, created by the API before the jobs controller
// has seen the new spec, waits until that generation's job version is known.
import { describe, expect, it } from "vitest";
import { jobSpecEvaluation, versionRecorded } from "../../../src/controllers/jobs/evaluation.js";
import type { JobVersion } from "../../../src/crds/job-version.js";
import type { NomadJob } from "../../../src/crds/objects.js";

const job = (generation: number, status?: NomadJob["status"], deleting = false): NomadJob => ({
  metadata: {
    name: "web",
    namespace: "default",
    generation,
    ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
  },
  spec: { groups: [] },
  ...(status ? { status } : {}),
});
const version = (revision: number): JobVersion => ({
  apiVersion: "apps/v1",
  kind: "ControllerRevision",
  metadata: { name: `web-v${revision}`, namespace: "default", labels: {} },
  revision,
  data: { spec: { groups: [] } },
});

describe("versionRecorded", () => {
  const evaluation = jobSpecEvaluation(job(3));

  it.each([
    [
      "the jobs controller has not seen generation 3",
      job(3, { observedGeneration: 2, version: 1 }),
      [version(0), version(1)],
      false,
    ],
    [
      "generation 3 is recorded as version 2, not yet in the cache",
      job(3, { observedGeneration: 3, version: 2 }),
      [version(0), version(1)],
      false,
    ],
    [
      "generation 3 is recorded and cached",
      job(3, { observedGeneration: 3, version: 2 }),
      [version(1), version(2)],
      true,
    ],
    [
      "a later generation is recorded already",
      job(4, { observedGeneration: 4, version: 3 }),
      [version(3)],
      true,
    ],
    ["the job is gone", undefined, [], true],
    ["the job is being deleted", job(3, {}, true), [], true],
  ] as const)("%s", (_, j, versions, ready) => {
    expect(versionRecorded(evaluation, j, versions)).toBe(ready);
  });

  it("lets evaluations of other causes through at once", () => {
    const other = { ...evaluation, spec: { ...evaluation.spec, jobGeneration: undefined } };
    expect(versionRecorded(other, job(3, { observedGeneration: 1 }), [])).toBe(true);
  });
});

describe("jobSpecEvaluation's trigger", () => {
  const annotated = (generation: number, value: string): NomadJob => {
    const j = job(generation);
    j.metadata.annotations = { "caravan.dev/spec-trigger": value };
    return j;
  };

  it("is the scaling the API wrote beside this generation, whoever creates the evaluation", () => {
    expect(jobSpecEvaluation(annotated(7, "job-scaling@7")).spec.triggeredBy).toBe("job-scaling");
  });

  it("is a registration when the annotation names an earlier generation (a later kubectl edit)", () => {
    expect(jobSpecEvaluation(annotated(8, "job-scaling@7")).spec.triggeredBy).toBe("job-register");
  });

  it("is what the caller says when it says", () => {
    const e = jobSpecEvaluation(annotated(7, "job-scaling@7"), { trigger: "job-register" });
    expect(e.spec.triggeredBy).toBe("job-register");
  });
});
