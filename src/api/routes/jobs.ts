// /v1/jobs and /v1/job/:id: list, register, parse, read, stop and purge,
// and a job's allocations, evaluations, summary, versions, deployments and scale.

import { planJob } from "../../controllers/jobs/plan.js";
import { revertJob } from "../../controllers/jobs/revert.js";
import { isStable, stableAnnotation } from "../../controllers/jobs/versions.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { NomadJob } from "../../crds/objects.js";
import { canonicalize } from "../../jobspec/canonicalize.js";
import {
  formatErrors,
  parseJob,
  toNomadApi,
  toNomadRunOutput,
  toResource,
} from "../../jobspec/index.js";
import { validate } from "../../jobspec/validate.js";
import { applyObject, deleteObject, mergePatch } from "../../kube/apply.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import { ApiError, requestJson } from "../../kube/rest.js";
import { allocStub } from "../convert/alloc.js";
import { deploymentOut } from "../convert/deployment.js";
import { evalOut, metricsOut } from "../convert/eval.js";
import { fromNomadApi } from "../convert/job-in.js";
import { jobID, jobNamespace, jobOut, jobStub, jobSummary } from "../convert/job-out.js";
import { prune } from "../convert/prune.js";
import {
  badRequest,
  type Ctx,
  HttpError,
  JsonPayload,
  notFound,
  type Reply,
  type Route,
} from "../http.js";
import { byJob } from "../state.js";
import { allocContext } from "./allocations.js";
import {
  bodyObject,
  findJob,
  listReply,
  mustFindJob,
  namespaceScope,
  requireNamespace,
} from "./common.js";
import type { RouteDeps } from "./deps.js";
import { crdSchema } from "./schema.js";
import { apiFieldManager, seen } from "./writes.js";

const jobsRef = caravanResource("NomadJob");

export function jobRoutes(deps: RouteDeps): Route[] {
  const { state, kc } = deps;
  const jobSchema = crdSchema(kc, `${jobsRef.plural}.caravan.dev`, "v1alpha1");
  const key = (job: NomadJob) => `${jobNamespace(job)}/${job.metadata.name}`;

  // GET /v1/jobs is the hot read: the serialized answer is kept per query
  // until the jobs collection moves.
  const listCache = new Map<string, { index: number; raw: JsonPayload; next?: string }>();

  function listJobs(ctx: Ctx): Reply {
    const inScope = namespaceScope(ctx, "list-jobs");
    const index = state.index(["jobs"]);
    const cacheKey = ctx.opts.allNamespaces ? undefined : ctx.query.toString();
    const hit = cacheKey === undefined ? undefined : listCache.get(cacheKey);
    if (hit && hit.index === index)
      return {
        raw: hit.raw,
        index,
        ...(hit.next ? { headers: { "X-Nomad-NextToken": hit.next } } : {}),
      };
    const jobs = state.jobs.store.list().filter((j) => inScope(jobNamespace(j)));
    const reply = listReply(jobs, jobID, (j) => jobStub(j, state.indexesOf(j)), ctx, index);
    if (cacheKey !== undefined) {
      if (listCache.size > 256) listCache.clear();
      const next = reply.headers?.["X-Nomad-NextToken"];
      listCache.set(cacheKey, {
        index,
        raw: new JsonPayload(Buffer.from(JSON.stringify(reply.body))),
        ...(next ? { next } : {}),
      });
    }
    return reply;
  }

  /** The job in a request body, checked and shaped as it would be stored; nothing is written. */
  async function prepare(ctx: Ctx, pathID: string | undefined, capability: string) {
    const body = bodyObject(ctx);
    if (body.Job === undefined || body.Job === null) throw badRequest("Job must be specified");
    const parsed = fromNomadApi(body.Job);
    if (!parsed.ok) throw badRequest(parsed.error);
    const spec = parsed.spec;
    if (!spec.id) throw badRequest("Job ID hasn't been provided");
    if (pathID !== undefined && spec.id !== pathID) throw badRequest("Job ID does not match name");
    const namespace = parsed.namespace ?? ctx.opts.namespace;
    requireNamespace(ctx, namespace, capability);
    spec.name ??= spec.id;
    checkShape(spec);
    const canonical = canonicalize(spec);
    const problems = validate(canonical, spec, { errors: [], origins: new WeakMap() });
    if (problems.length)
      throw badRequest(
        `${problems.length} error${problems.length > 1 ? "s" : ""} occurred:\n${problems.map((p) => `\t* ${p.message}`).join("\n")}\n\n`,
      );
    const existing = findJob(state, namespace, spec.id);
    if (body.PreserveCounts === true && existing)
      for (const g of canonical.groups) {
        const old = existing.spec.groups.find((o) => o.name === g.name);
        if (old?.count !== undefined) g.count = old.count;
      }
    const resource = toResource(canonical, namespace);
    resource.metadata.namespace = namespace;
    const specSchema = (await jobSchema())?.properties?.spec;
    const dropped: string[] = [];
    if (specSchema)
      resource.spec = prune(resource.spec, specSchema, "spec", dropped) as NomadJobSpec;
    const warnings = dropped.length
      ? `Caravan does not support these fields and ignored them: ${dropped.join(", ")}`
      : "";
    return { body, namespace, existing, resource, warnings };
  }

  async function register(ctx: Ctx, pathID?: string): Promise<Reply> {
    const { body, namespace, existing, resource, warnings } = await prepare(
      ctx,
      pathID,
      "submit-job",
    );
    if (body.EnforceIndex === true) {
      const want = Number(body.JobModifyIndex ?? 0);
      const have = existing ? state.indexesOf(existing).specModify : 0;
      if (want === 0 && existing)
        throw badRequest(`Enforcing job modify index 0: job already exists`);
      if (want !== 0 && have !== want)
        throw badRequest(
          `Enforcing job modify index ${want}: job ${existing ? `exists with conflicting job modify index: ${have}` : "does not exist"}`,
        );
    }
    let written: NomadJob;
    try {
      written = await applyObject<NomadJob>(
        kc,
        jobsRef,
        resource as unknown as NomadJob & Record<string, unknown>,
        apiFieldManager,
      );
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 404)
        throw badRequest(`job namespace "${namespace}" does not exist`);
      throw err;
    }
    const index = await seen(state, "jobs", written.metadata.resourceVersion);
    return { body: { ...writeResult(written, index), Warnings: warnings }, index };
  }

  /** Nomad's job plan: the scheduler's dry run on the informer caches (planJob), written nowhere. */
  async function plan(ctx: Ctx): Promise<Reply> {
    const { namespace, existing, resource, warnings } = await prepare(
      ctx,
      ctx.params.id,
      "submit-job",
    );
    const name = resource.metadata.name;
    const jobKeyOf = `${namespace}/${name}`;
    const result = planJob({
      namespace,
      jobName: name,
      spec: resource.spec,
      ...(existing ? { current: existing } : {}),
      versions: state.versions.store.byIndex(byJob, jobKeyOf),
      nodes: state.nodes.store.list(),
      allocations: state.allocations.store.list(),
      deployments: state.deployments.store.byIndex(byJob, jobKeyOf),
      jobInfo: (ns, jobName) => {
        const j = state.jobs.store.get(`${ns}/${jobName}`);
        return { priority: j?.spec.priority ?? 50, type: j?.spec.type ?? "service" };
      },
      now: Date.now(),
    });
    const updates: Record<string, Record<string, number>> = {};
    const groups: unknown[] = [];
    for (const [group, u] of Object.entries(result.desiredTGUpdates)) {
      updates[group] = {
        Ignore: u.ignore,
        Place: u.place,
        Migrate: u.migrate,
        Stop: u.stop,
        InPlaceUpdate: u.inPlaceUpdate,
        DestructiveUpdate: u.destructiveUpdate,
        Canary: u.canary,
        Preemptions: u.preemptions,
      };
      const named: Record<string, number> = {};
      for (const [k, label] of [
        ["place", "create"],
        ["stop", "destroy"],
        ["migrate", "migrate"],
        ["inPlaceUpdate", "in-place update"],
        ["destructiveUpdate", "create/destroy update"],
        ["canary", "canary"],
        ["ignore", "ignore"],
      ] as const)
        if (u[k] > 0) named[label] = u[k];
      groups.push({
        Type: result.diffType,
        Name: group,
        Fields: null,
        Objects: null,
        Tasks: null,
        Updates: named,
      });
    }
    const index = state.index(["jobs", "allocations", "nodes"]);
    return {
      body: {
        Index: index,
        JobModifyIndex: existing ? state.indexesOf(existing).specModify : 0,
        CreatedEvals: null,
        Diff: {
          Type: result.diffType,
          ID: resource.spec.id,
          Fields: null,
          Objects: null,
          TaskGroups: groups,
        },
        Annotations: { DesiredTGUpdates: updates, PreemptedAllocs: null },
        FailedTGAllocs: Object.keys(result.plan.failedTGAllocs).length
          ? metricsOut(result.plan.failedTGAllocs)
          : null,
        NextPeriodicLaunch: "0001-01-01T00:00:00Z",
        Warnings: [warnings, ...result.failures].filter(Boolean).join("\n"),
      },
      index,
    };
  }

  /** The job's spec becomes an earlier version's; the jobs controller records it as a new version. */
  async function revert(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state, ["submit-job"]);
    const body = bodyObject(ctx);
    const want = body.JobVersion;
    if (typeof want !== "number" || !Number.isInteger(want) || want < 0)
      throw badRequest("JobVersion must be a version number");
    const versions = state.versions.store.byIndex(byJob, key(job));
    const current = job.status?.version ?? 0;
    if (typeof body.EnforcePriorVersion === "number" && body.EnforcePriorVersion !== current)
      throw badRequest(
        `current job has version ${current}; enforcing version ${body.EnforcePriorVersion}`,
      );
    const to = versions.find((v) => v.revision === want);
    if (!to) throw notFound(`job version ${want}`);
    const before = job.metadata.resourceVersion;
    if (!(await revertJob(kc, job, to)))
      throw badRequest(`can't revert to current version ${want}`);
    // revertJob answers nothing; wait for our cache to hold the new spec.
    const deadline = Date.now() + 5_000;
    let now = job;
    while (Date.now() < deadline) {
      now = state.jobs.store.get(key(job)) ?? job;
      if (now.metadata.resourceVersion !== before) break;
      await state.trackers.jobs.changed(deadline - Date.now(), new AbortController().signal);
    }
    const index = state.index(["jobs"]);
    return { body: writeResult(now, index), index };
  }

  async function stable(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state, ["submit-job"]);
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

  function writeResult(job: NomadJob, index: number): Record<string, unknown> {
    const seenJob = state.jobs.store.get(key(job)) ?? job;
    return {
      EvalID: `${job.metadata.name.slice(0, 230)}-g${job.metadata.generation ?? 0}`,
      EvalCreateIndex: index,
      JobModifyIndex: state.indexesOf(seenJob).specModify,
      Warnings: "",
      Index: index,
      LastContact: 0,
      KnownLeader: true,
    };
  }

  function parse(ctx: Ctx): Reply {
    requireNamespace(ctx, ctx.opts.namespace, "parse-job", "submit-job");
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
    const job = mustFindJob(ctx, state, ["submit-job"]);
    if (ctx.query.get("purge") === "true") {
      await deleteObject(kc, jobsRef, job);
      const index = state.index(["jobs"]) + 1;
      return {
        body: { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: index, Index: index },
        index,
      };
    }
    const written = await mergePatch<NomadJob>(kc, jobsRef, job, { spec: { stop: true } });
    const index = await seen(state, "jobs", written.metadata.resourceVersion);
    return { body: writeResult(written, index), index };
  }

  function allocations(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state, ["read-job"]);
    const allocs = state.allocations.store.byIndex(byJob, key(job));
    return {
      body: allocs.map((a) => allocStub(a, state.indexesOf(a), allocContext(state, a))),
      index: state.index(["allocations"]),
    };
  }

  function evaluations(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state, ["read-job"]);
    const evals = state.evaluations.store.byIndex(byJob, key(job));
    return {
      body: evals.map((e) => evalOut(e, state.indexesOf(e), jobID(job))),
      index: state.index(["evaluations"]),
    };
  }

  function versions(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state, ["read-job"]);
    const revisions = state.versions.store
      .byIndex(byJob, key(job))
      .sort((a, b) => b.revision - a.revision);
    const idx = state.indexesOf(job);
    const out = revisions.map((r) => {
      const j = jobOut({ ...job, spec: r.data.spec as NomadJobSpec, status: {} }, idx);
      j.Version = r.revision;
      j.Stable = isStable(r);
      return j;
    });
    if (out.length === 0) out.push(jobOut(job, idx));
    return { body: { Versions: out, Diffs: null }, index: state.index(["jobs", "versions"]) };
  }

  function deployments(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state, ["read-job"]);
    const ds = state.deployments.store
      .byIndex(byJob, key(job))
      .sort((a, b) => b.spec.jobVersion - a.spec.jobVersion);
    return {
      body: ds.map((d) => deploymentOut(d, state.indexesOf(d), jobID(job))),
      index: state.index(["deployments"]),
    };
  }

  function latestDeployment(ctx: Ctx): Reply {
    const r = deployments(ctx);
    return { body: (r.body as unknown[])[0] ?? null, index: r.index ?? 1 };
  }

  function scaleStatus(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state, ["read-job-scaling", "read-job"]);
    const allocs = state.allocations.store.byIndex(byJob, key(job));
    const groups: Record<string, unknown> = {};
    for (const g of job.spec.groups) {
      const mine = allocs.filter((a) => a.spec.group === g.name && a.spec.desiredStatus === "run");
      groups[g.name] = {
        Desired: g.count ?? 1,
        Placed: mine.length,
        Running: mine.filter((a) => a.status?.clientStatus === "running").length,
        Healthy: mine.filter((a) => a.status?.deploymentStatus?.healthy === true).length,
        Unhealthy: mine.filter((a) => a.status?.deploymentStatus?.healthy === false).length,
        Events: null,
      };
    }
    return {
      body: {
        JobID: jobID(job),
        Namespace: jobNamespace(job),
        JobCreateIndex: state.indexesOf(job).create,
        JobModifyIndex: state.indexesOf(job).specModify,
        JobStopped: job.spec.stop ?? false,
        TaskGroups: groups,
      },
      index: state.index(["jobs", "allocations"]),
    };
  }

  async function scale(ctx: Ctx): Promise<Reply> {
    const job = mustFindJob(ctx, state, ["scale-job", "submit-job"]);
    const body = bodyObject(ctx);
    const target = body.Target as Record<string, unknown> | undefined;
    const group = target?.Group;
    if (typeof group !== "string" || !group)
      throw badRequest("missing task group name in scaling request");
    const i = job.spec.groups.findIndex((g) => g.name === group);
    const g = job.spec.groups[i];
    if (!g) throw badRequest(`job does not contain task group "${group}"`);
    const count = body.Count;
    if (count === undefined || count === null) {
      // Nomad records a scaling event without a count change; there is nothing to write.
      const index = state.index(["jobs"]);
      return {
        body: {
          EvalID: "",
          EvalCreateIndex: 0,
          JobModifyIndex: state.indexesOf(job).specModify,
          Index: index,
        },
        index,
      };
    }
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0)
      throw badRequest("scaling action count can't be negative");
    const policy = g.scaling;
    if (policy && body.PolicyOverride !== true) {
      if (policy.max !== undefined && count > policy.max)
        throw badRequest(
          `group count was greater than scaling policy maximum: ${count} > ${policy.max}`,
        );
      if (policy.min !== undefined && count < policy.min)
        throw badRequest(
          `group count was less than scaling policy minimum: ${count} < ${policy.min}`,
        );
    }
    if (job.spec.stop) throw badRequest("job is stopped; start it before scaling");
    // A JSON patch with a test: the count lands on the group named, even if
    // the list changed since our cache saw it.
    const ns = jobNamespace(job);
    const written = await requestJson<NomadJob>(kc, {
      method: "PATCH",
      path: `${jobsRef.basePath}/namespaces/${ns}/${jobsRef.plural}/${job.metadata.name}`,
      contentType: "application/json-patch+json",
      query: { fieldManager: apiFieldManager },
      body: [
        { op: "test", path: `/spec/groups/${i}/name`, value: group },
        {
          op: g.count === undefined ? "add" : "replace",
          path: `/spec/groups/${i}/count`,
          value: count,
        },
      ],
    }).catch((err: unknown) => {
      // A failed test operation means the groups moved under us; anything else is the count.
      if (err instanceof ApiError && err.statusCode === 422 && /test/i.test(err.message))
        throw new HttpError(409, "job changed while scaling; try again");
      if (err instanceof ApiError && err.statusCode === 422)
        throw badRequest(`invalid count ${count}: ${err.message.replace(/^\w+ \S+: \d+ /, "")}`);
      throw err;
    });
    const index = await seen(state, "jobs", written.metadata.resourceVersion);
    return { body: writeResult(written, index), index };
  }

  const get = (path: string, handle: Route["handle"], watch: Route["watch"]): Route => ({
    method: "GET",
    path,
    handle,
    ...(watch ? { watch } : {}),
  });

  return [
    get("/v1/jobs", listJobs, ["jobs"]),
    { method: "POST", path: "/v1/jobs", handle: (ctx) => register(ctx) },
    { method: "POST", path: "/v1/jobs/parse", handle: parse },
    get("/v1/job/:id*/allocations", allocations, ["allocations"]),
    get("/v1/job/:id*/evaluations", evaluations, ["evaluations"]),
    get("/v1/job/:id*/versions", versions, ["jobs", "versions"]),
    get("/v1/job/:id*/deployments", deployments, ["deployments"]),
    get("/v1/job/:id*/deployment", latestDeployment, ["deployments"]),
    get(
      "/v1/job/:id*/summary",
      (ctx) => {
        const job = mustFindJob(ctx, state, ["read-job"]);
        const idx = state.indexesOf(job);
        return { body: jobSummary(job, idx), index: idx.modify };
      },
      ["jobs"],
    ),
    get("/v1/job/:id*/scale", scaleStatus, ["jobs", "allocations"]),
    { method: "POST", path: "/v1/job/:id*/scale", handle: scale },
    { method: "POST", path: "/v1/job/:id*/plan", handle: plan },
    { method: "POST", path: "/v1/job/:id*/revert", handle: revert },
    { method: "POST", path: "/v1/job/:id*/stable", handle: stable },
    get(
      "/v1/job/:id*",
      (ctx) => {
        requireNamespace(ctx, ctx.opts.namespace, "read-job");
        const job = findJob(state, ctx.opts.namespace, ctx.params.id ?? "");
        if (!job) {
          // A blocking query on a job that does not exist yet waits for it to appear.
          if (ctx.opts.minIndex !== undefined)
            return { status: 404, text: "job not found", index: state.index(["jobs"]) };
          throw notFound("job");
        }
        const idx = state.indexesOf(job);
        return { body: jobOut(job, idx), index: idx.modify };
      },
      ["jobs"],
    ),
    { method: "POST", path: "/v1/job/:id*", handle: (ctx) => register(ctx, ctx.params.id) },
    { method: "DELETE", path: "/v1/job/:id*", handle: deregister },
  ];
}

/** What Nomad's API refuses before validation: a group or task without a name, a task without a driver. */
function checkShape(spec: NomadJobSpec): void {
  if (!Array.isArray(spec.groups) || spec.groups.length === 0)
    throw badRequest("1 error occurred:\n\t* Missing job task groups\n\n");
  for (const g of spec.groups) {
    if (!g || typeof g.name !== "string" || !g.name) throw badRequest("Missing task group name");
    if (!Array.isArray(g.tasks) || g.tasks.length === 0)
      throw badRequest(`Task group ${g.name} validation failed: Missing tasks for task group`);
    for (const t of g.tasks) {
      if (!t || typeof t.name !== "string" || !t.name)
        throw badRequest(`Task group ${g.name} validation failed: Missing task name`);
      if (typeof t.driver !== "string" || !t.driver)
        throw badRequest(`Task group ${g.name} validation failed: Task ${t.name} missing driver`);
    }
  }
}
