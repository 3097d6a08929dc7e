// The one way to make a NomadEvaluation. Its name (Nomad's evaluation ID, a
// UUID as Nomad's tools expect) is a digest of the job and the cause, never
// from a clock: whoever asks again for the same cause (a retried reconcile,
// the API and the jobs controller both answering one registration) names the
// same object, and creating it a second time finds the first.
import type { EvaluationJobType, EvaluationTrigger, NomadEvaluationSpec } from "./evaluation.js";
import { defaultJob } from "./job/defaults.js";
import { isLabelValue, jobLabel } from "./names.js";
import { nameDigest, uuidName } from "./object-name.js";
import type { NomadEvaluation, NomadJob } from "./objects.js";
import { apiVersion } from "./registry.js";

/** What caused an evaluation; the same cause always gives the same name. */
export type EvaluationCause =
  /** The job's spec changed (register, stop, scale, revert). */
  | { kind: "job-spec"; generation: number }
  /** The job was purged (`nomad job stop -purge`): one per job object, by its uid. */
  | { kind: "job-purge"; uid: string }
  /** A node's status changed (down, disconnected, ready again, joined). */
  | { kind: "node-status"; node: string; status: string; resourceVersion: string }
  /** A draining node's progress (its replacements' health, the deadline). */
  | { kind: "node-drain"; node: string; progress: string }
  /** An allocation failed. */
  | { kind: "alloc-failure"; allocation: string }
  /** A user stopped an allocation (its resourceVersion after the stop). */
  | { kind: "alloc-stop"; allocation: string; resourceVersion: string }
  /** A deployment's progress at a spec generation. */
  | { kind: "deployment"; deployment: string; generation: number; progress: string }
  /** A follow-up the scheduler planned (delayed reschedule, disconnect timeout), under the ID it gave it. */
  | { kind: "scheduler-followup"; id: string }
  /** Placements that did not fit wait for capacity, one per job. */
  | { kind: "blocked" }
  /** An evaluation that failed is tried again later. */
  | { kind: "retry"; previous: string; attempt: number }
  /** A person asked for one (`nomad job eval`), request ID given by the API. */
  | { kind: "request"; id: string };

/** The job an evaluation is for, where no NomadJob object is at hand. */
export interface EvaluationJob {
  name: string;
  namespace: string;
  type: EvaluationJobType;
  priority: number;
  /** The job version current at creation, when known. */
  version?: number;
  /** The NomadJob's uid: the evaluation is then owned by (and deleted with) the job. */
  uid?: string;
}

export interface NewEvaluation {
  job: NomadJob | EvaluationJob;
  trigger: EvaluationTrigger;
  cause: EvaluationCause;
  /** Overrides the job's priority (a deployment's evaluations keep the priority of the one that created it). */
  priority?: number;
  /** Overrides the job's current version. */
  jobVersion?: number;
  /** The node the evaluation is about, where the cause does not name one. */
  nodeName?: string;
  /** The evaluation this one follows from, where the cause does not name it. */
  previousEval?: string;
  /** Hold the evaluation until then (RFC 3339). */
  waitUntil?: string;
}

/** The name of the evaluation `cause` asks for, for the job `jobName` in `namespace`. */
export function evaluationName(namespace: string, jobName: string, cause: EvaluationCause): string {
  const id = (...parts: string[]) => uuidName(namespace, jobName, cause.kind, ...parts);
  switch (cause.kind) {
    case "job-spec":
      return id(String(cause.generation));
    case "job-purge":
      return id(cause.uid);
    case "node-status":
      return id(cause.node, cause.status, cause.resourceVersion);
    case "node-drain":
      return id(nameDigest(cause.node, cause.progress));
    case "alloc-failure":
      return id(cause.allocation);
    case "alloc-stop":
      return id(cause.allocation, cause.resourceVersion);
    case "deployment":
      return id(cause.deployment, String(cause.generation), cause.progress);
    case "scheduler-followup":
      // The scheduler gave it a (random, seeded) UUID already.
      return cause.id;
    case "blocked":
      return id();
    case "retry":
      return id(cause.previous, String(cause.attempt));
    case "request":
      return id(cause.id);
  }
}

/** The job fields an evaluation copies, from a NomadJob or as given. */
function jobOf(job: NomadJob | EvaluationJob): EvaluationJob {
  if (!("metadata" in job)) return job;
  return {
    name: job.metadata.name,
    namespace: job.metadata.namespace ?? "default",
    type: job.spec.type ?? defaultJob.type,
    priority: job.spec.priority ?? defaultJob.priority,
    ...(job.status?.version !== undefined ? { version: job.status.version } : {}),
    ...(job.metadata.uid ? { uid: job.metadata.uid } : {}),
  };
}

/** A new (pending) evaluation of a job, named after its cause. */
export function newEvaluation(input: NewEvaluation): NomadEvaluation {
  const job = jobOf(input.job);
  const { cause } = input;
  const jobVersion = input.jobVersion ?? job.version;
  const nodeName =
    cause.kind === "node-status" || cause.kind === "node-drain" ? cause.node : input.nodeName;
  const previousEval = cause.kind === "retry" ? cause.previous : input.previousEval;
  const spec: NomadEvaluationSpec = {
    jobName: job.name,
    ...(jobVersion !== undefined ? { jobVersion } : {}),
    ...(cause.kind === "job-spec" ? { jobGeneration: cause.generation } : {}),
    type: job.type,
    priority: input.priority ?? job.priority,
    triggeredBy: input.trigger,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(cause.kind === "deployment" ? { deploymentName: cause.deployment } : {}),
    ...(previousEval !== undefined ? { previousEval } : {}),
    ...(input.waitUntil !== undefined ? { waitUntil: input.waitUntil } : {}),
  };
  return {
    apiVersion,
    kind: "NomadEvaluation",
    metadata: {
      name: evaluationName(job.namespace, job.name, cause),
      namespace: job.namespace,
      // A job name too long for a label value is still in spec.jobName.
      ...(isLabelValue(job.name) ? { labels: { [jobLabel]: job.name } } : {}),
      ...(job.uid
        ? {
            ownerReferences: [
              {
                apiVersion,
                kind: "NomadJob",
                name: job.name,
                uid: job.uid,
                blockOwnerDeletion: false,
              },
            ],
          }
        : {}),
    },
    spec,
  };
}
