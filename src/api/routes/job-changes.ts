// Changes to a registered job besides registering it: scale (the
// autoscaler's call) and its status, plan (the scheduler's dry run), revert to
// an earlier version, and marking a version stable.

import { randomUUID } from "node:crypto";
import { planJob } from "../../controllers/jobs/plan.js";
import { revertJob } from "../../controllers/jobs/revert.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { stableAnnotation } from "../../crds/names.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, notFound } from "../../http/errors.js";
import { createIfAbsent, mergePatch } from "../../kube/apply.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import { ApiError, requestJson } from "../../kube/rest.js";
import { metricsOut } from "../convert/eval.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { byJob } from "../state.js";
import { bodyObject, mustFindJob } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { type JobSubmission, jobsRef, submittedNamespace } from "./job-submit.js";
import { apiFieldManager, seen } from "./writes.js";

const evaluationsRef = caravanResource("NomadEvaluation");

export function jobChangeRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  const { state, kc } = deps;
  const { prepare, writeResult, key } = submission;

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
        return {
          priority: j?.spec.priority ?? defaultJob.priority,
          type: j?.spec.type ?? defaultJob.type,
        };
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
    const job = mustFindJob(ctx, state);
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
    return writeResult(now);
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

  function scaleStatus(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
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
    const job = mustFindJob(ctx, state);
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
    return writeResult(written, "job-scaling");
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
