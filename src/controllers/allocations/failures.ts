// A failed allocation asks for an evaluation of its job (Nomad's alloc-failure
// trigger), so the scheduler applies the group's reschedule policy: replace it
// now, after a delay (a follow-up evaluation), or not at all.

import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadEvaluation } from "../../crds/objects.js";
import { createObject } from "../../kube/apply.js";
import { type Controller, defineController } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import type { ControllerContext } from "../context.js";
import { jobKey } from "../informers.js";

/** Allocations, as they fail. */
export function allocationFailures(ctx: ControllerContext): Controller {
  const { kc, informers } = ctx;
  const evaluations = caravanResource("NomadEvaluation");
  return defineController({
    name: "allocation-failures",
    for: informers.allocations,
    when: (a, change) =>
      change.type === "update" &&
      change.old.status?.clientStatus !== "failed" &&
      a.status?.clientStatus === "failed",
    concurrency: 2,
    reconcile: async (key) => {
      const alloc = informers.allocations.store.get(key);
      if (alloc?.status?.clientStatus !== "failed" || alloc.spec.desiredStatus !== "run")
        return undefined;
      // Already replaced, or a follow-up evaluation is scheduled for it.
      if (alloc.spec.nextAllocation || alloc.spec.followupEvalName) return undefined;
      const job = informers.jobs.store.get(jobKey(alloc.metadata.namespace, alloc.spec.jobName));
      if (!job || job.metadata.deletionTimestamp) return undefined;
      const evaluation: NomadEvaluation = {
        metadata: {
          // One evaluation per failure: the name is derived from the allocation.
          name: `${alloc.spec.jobName.slice(0, 180)}-failed-${alloc.metadata.name.slice(0, 60)}`.toLowerCase(),
          namespace: alloc.metadata.namespace ?? "default",
          labels: { "caravan.dev/job": alloc.spec.jobName },
        },
        spec: {
          jobName: alloc.spec.jobName,
          jobVersion: job.status?.version ?? alloc.spec.jobVersion,
          type: job.spec.type ?? defaultJob.type,
          priority: job.spec.priority ?? defaultJob.priority,
          triggeredBy: "alloc-failure",
          nodeName: alloc.spec.nodeName,
        },
      };
      try {
        await createObject(kc, evaluations, evaluation);
      } catch (err) {
        if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
      }
      return undefined;
    },
  });
}
