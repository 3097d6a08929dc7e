// The evaluation a job change asks for. Its name is derived from the job and
// the generation that caused it, so a reconcile retried after a crash finds the
// evaluation it already created instead of creating a second one.

import type { EvaluationTrigger } from "../../crds/evaluation.js";
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadEvaluation, NomadJob } from "../../crds/objects.js";

export function registrationEvaluation(job: NomadJob, version: number): NomadEvaluation {
  const generation = job.metadata.generation ?? 0;
  const trigger: EvaluationTrigger = job.spec.stop ? "job-deregister" : "job-register";
  return {
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadEvaluation",
    metadata: {
      name: `${job.metadata.name.slice(0, 230)}-g${generation}`,
      namespace: job.metadata.namespace ?? "default",
      labels: { "caravan.dev/job": job.metadata.name },
      ownerReferences: [
        {
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadJob",
          name: job.metadata.name,
          uid: job.metadata.uid ?? "",
          blockOwnerDeletion: false,
        },
      ],
    },
    spec: {
      jobName: job.metadata.name,
      jobVersion: version,
      type: job.spec.type ?? defaultJob.type,
      priority: job.spec.priority ?? defaultJob.priority,
      triggeredBy: trigger,
    },
  };
}

/**
 * An evaluation a node change asks for (node-update: the node went down, came
 * back or joined). `cause` distinguishes successive changes of one node, e.g.
 * the node's resourceVersion, so the name is stable across retries.
 */
export function nodeEvaluation(job: NomadJob, nodeName: string, cause: string): NomadEvaluation {
  return {
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadEvaluation",
    metadata: {
      name: `${job.metadata.name.slice(0, 120)}-node-${nodeName.slice(0, 100)}-${cause}`.toLowerCase(),
      namespace: job.metadata.namespace ?? "default",
      labels: { "caravan.dev/job": job.metadata.name },
    },
    spec: {
      jobName: job.metadata.name,
      jobVersion: job.status?.version ?? 0,
      type: job.spec.type ?? defaultJob.type,
      priority: job.spec.priority ?? defaultJob.priority,
      triggeredBy: "node-update",
      nodeName,
    },
  };
}
