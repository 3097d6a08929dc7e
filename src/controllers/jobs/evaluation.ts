// The evaluation a change of a job's spec asks for (register, stop, scale,
// revert). Its name is derived from the job's generation, so the API (which
// creates it before answering, as Nomad does) and the jobs controller (which
// creates it for a job applied with kubectl) write the same object once.
import type { EvaluationTrigger } from "../../crds/evaluation.js";
import type { JobVersion } from "../../crds/job-version.js";
import { specTriggerAnnotation } from "../../crds/names.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadEvaluation, NomadJob } from "../../crds/objects.js";

/** Periodic and parameterized parents are never scheduled (their children are), so no evaluation. */
export function isParentJob(job: NomadJob): boolean {
  return job.spec.periodic !== undefined || job.spec.parameterized !== undefined;
}

export function jobSpecEvaluation(
  job: NomadJob,
  options: { trigger?: EvaluationTrigger; jobVersion?: number } = {},
): NomadEvaluation {
  return newEvaluation({
    job,
    trigger:
      options.trigger ??
      annotatedTrigger(job) ??
      (job.spec.stop ? "job-deregister" : "job-register"),
    cause: { kind: "job-spec", generation: job.metadata.generation ?? 0 },
    ...(options.jobVersion !== undefined ? { jobVersion: options.jobVersion } : {}),
  });
}

/** The trigger the API wrote beside this generation's spec change (specTriggerAnnotation), if any. */
function annotatedTrigger(job: NomadJob): EvaluationTrigger | undefined {
  const value = job.metadata.annotations?.[specTriggerAnnotation];
  const m = value === undefined ? null : /^(job-scaling)@(\d+)$/.exec(value);
  return m && Number(m[2]) === job.metadata.generation ? (m[1] as EvaluationTrigger) : undefined;
}

/**
 * Whether the scheduler can run `evaluation` yet: one made for a spec change
 * (spec.jobGeneration, created by the API as it answers) waits until the jobs
 * controller has recorded that generation and the cache holds its version, so
 * the new spec is never placed under the previous version's number. A job
 * that is gone or going is scheduled at once (everything stops).
 */
export function versionRecorded(
  evaluation: NomadEvaluation,
  job: NomadJob | undefined,
  versions: readonly JobVersion[],
): boolean {
  const generation = evaluation.spec.jobGeneration;
  if (generation === undefined || !job || job.metadata.deletionTimestamp) return true;
  if ((job.status?.observedGeneration ?? -1) < generation) return false;
  const recorded = job.status?.version ?? 0;
  return versions.some((v) => v.revision >= recorded);
}
