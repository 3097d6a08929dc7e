// /v1/jobs and /v1/job/:id: the route table of jobs, and the writes that
// register, stop and purge one; listing is in job-list.ts, reads of one job
// in job-reads.ts.
import { isParentJob } from "../../controllers/jobs/evaluation.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest } from "../../http/errors.js";
import { queryBool } from "../../http/query.js";
import { formatErrors, parseJob, toNomadApi, toNomadRunOutput } from "../../jobspec/index.js";
import { applyObject, createIfAbsent, deleteObject, mergePatch } from "../../kube/apply.js";
import { ApiError } from "../../kube/rest.js";
import { bodyObject, mustFindJob } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { jobLister } from "./job-list.js";
import { jobReads } from "./job-reads.js";
import {
  evaluationsRef,
  type JobSubmission,
  jobsRef,
  requireRegistrationsAllowed,
  submittedNamespace,
} from "./job-submit.js";
import { apiFieldManager, seen } from "./writes.js";

export function jobRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  const { state, kc } = deps;
  const { prepare, writeResult } = submission;
  const listJobs = jobLister(state);
  const reads = jobReads(state);

  async function register(ctx: Ctx, pathID?: string): Promise<Reply> {
    const { body, namespace, existing, resource, warnings } = await prepare(
      ctx,
      pathID,
      "submit-job",
    );
    requireRegistrationsAllowed(state, ctx);
    if (body.EnforceIndex === true)
      enforceIndex(
        Number(body.JobModifyIndex ?? 0),
        existing && state.indexesOf(existing).specModify,
      );
    const written = await applyJob(resource as unknown as NomadJob, namespace);
    // The same job again is no new version, but still a new evaluation, as in Nomad.
    const again =
      existing !== undefined && existing.metadata.generation === written.metadata.generation;
    return writeResult(written, { warnings, again });
  }

  async function applyJob(job: NomadJob, namespace: string): Promise<NomadJob> {
    try {
      return await applyObject<NomadJob>(
        kc,
        jobsRef,
        job as NomadJob & Record<string, unknown>,
        apiFieldManager,
      );
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404)
        throw badRequest(`job namespace "${namespace}" does not exist`);
      throw err;
    }
  }

  function parse(ctx: Ctx): Reply {
    const body = bodyObject(ctx);
    if (typeof body.JobHCL !== "string" || !body.JobHCL) throw badRequest("Job spec is empty");
    const vars = typeof body.Variables === "string" ? body.Variables : "";
    const result = parseJob({
      file: "input.hcl",
      source: body.JobHCL,
      ...(vars ? { varFiles: [{ file: "variables.hcl", content: vars }] } : {}),
      validation: "warn",
    });
    if (!result.ok) throw badRequest(formatErrors(result.errors));
    const out =
      body.Canonicalize === true
        ? toNomadApi(result.job, result.namespace ?? ctx.opts.namespace).Job
        : toNomadRunOutput(result.parsed, result.namespace).Job;
    return { body: out };
  }

  async function deregister(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state);
    if (queryBool(ctx.query, "purge")) return purge(job);
    const written = await mergePatch<NomadJob>(kc, jobsRef, job, { spec: { stop: true } });
    return writeResult(written);
  }

  /**
   * Nomad's purge: the job goes, and (unless it is a periodic or parameterized
   * parent) an evaluation stops what it still runs, even when it was stopped
   * already. The evaluation is not owned by the job, so it outlives it, as in
   * Nomad, until the garbage collector takes it.
   */
  async function purge(job: NomadJob): Promise<Reply> {
    await deleteObject(kc, jobsRef, job);
    let evalID = "";
    let evalIndex = 0;
    if (!isParentJob(job)) {
      const evaluation = await createIfAbsent(
        kc,
        evaluationsRef,
        newEvaluation({
          job: {
            name: job.metadata.name,
            namespace: job.metadata.namespace ?? "default",
            type: job.spec.type ?? defaultJob.type,
            priority: job.spec.priority ?? defaultJob.priority,
            ...(job.status?.version !== undefined ? { version: job.status.version } : {}),
          },
          trigger: "job-deregister",
          cause: { kind: "job-purge", uid: job.metadata.uid ?? job.metadata.name },
        }),
      );
      evalID = evaluation.metadata.name;
      evalIndex = await seen(state, "evaluations", evaluation.metadata.resourceVersion);
    }
    const index = Math.max(evalIndex, state.index(["jobs"]) + 1);
    return {
      body: { EvalID: evalID, EvalCreateIndex: evalIndex, JobModifyIndex: index, Index: index },
      index,
    };
  }

  // Every read of one job needs read-job in the request's namespace, as in Nomad's Job endpoint.
  const get = (path: string, handle: Route["handle"], watch: Route["watch"]): Route => ({
    method: "GET",
    path,
    acl: "ns:read-job",
    handle,
    ...(watch ? { watch } : {}),
  });

  return [
    { method: "GET", path: "/v1/jobs", acl: "ns:list-jobs", watch: ["jobs"], handle: listJobs },
    {
      method: "POST",
      path: "/v1/jobs",
      acl: "ns:submit-job",
      aclNamespace: submittedNamespace,
      handle: (ctx) => register(ctx),
    },
    {
      method: "POST",
      path: "/v1/jobs/parse",
      acl: ["ns:parse-job", "ns:submit-job"],
      handle: parse,
    },
    get("/v1/job/:id*/allocations", reads.allocations, ["allocations"]),
    get("/v1/job/:id*/evaluations", reads.evaluations, ["evaluations"]),
    get("/v1/job/:id*/versions", reads.versions, ["jobs", "versions"]),
    get("/v1/job/:id*/submission", reads.submission, undefined),
    get("/v1/job/:id*/deployments", reads.deployments, ["deployments"]),
    get("/v1/job/:id*/deployment", reads.latestDeployment, ["deployments"]),
    get("/v1/job/:id*/summary", reads.summary, ["jobs"]),
    // Last: a job ID may hold slashes, so this path takes what the ones above do not.
    get("/v1/job/:id*", reads.job, ["jobs"]),
    {
      method: "POST",
      path: "/v1/job/:id*",
      acl: "ns:submit-job",
      aclNamespace: submittedNamespace,
      handle: (ctx) => register(ctx, ctx.params.id),
    },
    { method: "DELETE", path: "/v1/job/:id*", acl: "ns:submit-job", handle: deregister },
  ];
}

/** Nomad's EnforceIndex: register only over the JobModifyIndex the client read (0: only a new job). */
function enforceIndex(want: number, have: number | undefined): void {
  if (want === 0 && have !== undefined)
    throw badRequest(`Enforcing job modify index 0: job already exists`);
  if (want !== 0 && have !== want)
    throw badRequest(
      `Enforcing job modify index ${want}: job ${have !== undefined ? `exists with conflicting job modify index: ${have}` : "does not exist"}`,
    );
}
