// Changes to a registered job besides registering it: plan (the scheduler's
// dry run, job-plan.ts), scale (job-scale.ts), evaluate, revert to an earlier
// version, and marking a version stable.
import { randomUUID } from "node:crypto";
import { revertJob } from "../../controllers/jobs/revert.js";
import { stableAnnotation } from "../../crds/names.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, notFound } from "../../http/errors.js";
import { createIfAbsent, mergePatch } from "../../kube/apply.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { byJob } from "../state.js";
import { bodyObject, mustFindJob } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { jobPlanner } from "./job-plan.js";
import { jobScaling } from "./job-scale.js";
import { type JobSubmission, submittedNamespace } from "./job-submit.js";
import { seen } from "./writes.js";

const evaluationsRef = caravanResource("NomadEvaluation");

export function jobChangeRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  const { state, kc } = deps;
  const { writeResult, key } = submission;
  const plan = jobPlanner(state, submission);
  const { scale, scaleStatus } = jobScaling(deps, submission);

  /**
   * The job's spec becomes an earlier version's; the jobs controller records
   * it as a new version. Reverting to a version whose spec the job has already
   * changes nothing but is evaluated again, as Nomad's registration of the
   * same job is. Nomad's Job.Revert errors are 500s.
   */
  async function revert(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state);
    const body = bodyObject(ctx);
    const want = body.JobVersion;
    if (typeof want !== "number" || !Number.isInteger(want) || want < 0)
      throw badRequest("JobVersion must be a version number");
    const current = job.status?.version ?? 0;
    if (want === current) throw new HttpError(500, "can't revert to current version");
    const versions = state.versions.store.byIndex(byJob, key(job));
    const to = versions.find((v) => v.revision === want);
    if (!to)
      throw new HttpError(
        500,
        `job ${JSON.stringify(jobID(job))} in namespace ${JSON.stringify(jobNamespace(job))} at version ${want} not found`,
      );
    if (typeof body.EnforcePriorVersion === "number" && body.EnforcePriorVersion !== current)
      throw new HttpError(
        500,
        `Current job has version ${current}; enforcing version ${body.EnforcePriorVersion}`,
      );
    const written = await revertJob(kc, job, to);
    return written ? writeResult(written) : writeResult(job, { again: true });
  }

  async function stable(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state);
    const body = bodyObject(ctx);
    if (typeof body.JobVersion !== "number")
      throw badRequest("JobVersion must be a version number");
    if (typeof body.Stable !== "boolean") throw badRequest("Stable must be true or false");
    const v = state.versions.store
      .byIndex(byJob, key(job))
      .find((x) => x.revision === body.JobVersion);
    if (!v) throw notFound(`job version ${body.JobVersion}`);
    const written = await mergePatch(kc, controllerRevisionResource, v, {
      metadata: { annotations: { [stableAnnotation]: String(body.Stable) } },
    });
    const index = await seen(state, "versions", written.metadata.resourceVersion);
    return { body: { Index: index, JobModifyIndex: state.indexesOf(job).specModify }, index };
  }

  /** `nomad job eval`: a new evaluation of the job as it stands. */
  async function evaluate(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state);
    const body = ctx.body as { EvalOptions?: { ForceReschedule?: boolean } } | undefined;
    if (body?.EvalOptions?.ForceReschedule)
      throw new HttpError(501, "forced rescheduling of failed allocations is not implemented yet");
    if (job.spec.periodic) throw badRequest("can't evaluate periodic job");
    if (job.spec.parameterized) throw badRequest("can't evaluate parameterized job");
    // Each request is a cause of its own, as each `nomad job eval` makes a new evaluation.
    const evaluation = newEvaluation({
      job,
      trigger: "job-register",
      cause: { kind: "request", id: randomUUID() },
      jobVersion: job.status?.version ?? 0,
    });
    const written = await createIfAbsent(kc, evaluationsRef, evaluation);
    const index = await seen(state, "evaluations", written.metadata.resourceVersion);
    return {
      body: {
        EvalID: written.metadata.name,
        EvalCreateIndex: index,
        JobModifyIndex: state.indexesOf(job).specModify,
        Index: index,
      },
      index,
    };
  }

  return [
    { method: "POST", path: "/v1/job/:id*/evaluate", acl: "ns:submit-job", handle: evaluate },
    {
      method: "GET",
      path: "/v1/job/:id*/scale",
      acl: ["ns:read-job-scaling", "ns:read-job"],
      watch: ["jobs", "allocations"],
      handle: scaleStatus,
    },
    {
      method: "POST",
      path: "/v1/job/:id*/scale",
      acl: ["ns:scale-job", "ns:submit-job"],
      handle: scale,
    },
    {
      method: "POST",
      path: "/v1/job/:id*/plan",
      acl: "ns:submit-job",
      aclNamespace: submittedNamespace,
      handle: plan,
    },
    { method: "POST", path: "/v1/job/:id*/revert", acl: "ns:submit-job", handle: revert },
    { method: "POST", path: "/v1/job/:id*/stable", acl: "ns:submit-job", handle: stable },
  ];
}
