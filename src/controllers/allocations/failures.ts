// A failed allocation asks for an evaluation of its job (Nomad's alloc-failure
// trigger), so the scheduler applies the group's reschedule policy: replace it
// now, after a delay (a follow-up evaluation), or not at all.

import { newEvaluation } from "../../crds/new-evaluation.js";
import { createIfAbsent } from "../../kube/apply.js";
import { type Controller, defineController } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
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
      // One evaluation per failure: the name is derived from the allocation.
      const evaluation = newEvaluation({
        job,
        trigger: "alloc-failure",
        cause: { kind: "alloc-failure", allocation: alloc.metadata.name },
        jobVersion: job.status?.version ?? alloc.spec.jobVersion,
        nodeName: alloc.spec.nodeName,
      });
      await createIfAbsent(kc, evaluations, evaluation);
      return undefined;
    },
  });
}
