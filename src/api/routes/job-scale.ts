// A job's scale (the autoscaler's calls): GET /v1/job/:id/scale, each group's
// desired and placed counts and its scaling events, and POST, which sets one
// group's count within its scaling policy and records a scaling event (also
// when it changes no count, as the autoscaler's messages and errors).
import { specTriggerAnnotation } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import {
  type ScalingEvent,
  scalingEventsAnnotation,
  scalingEventsOf,
  withScalingEvent,
} from "../../crds/scaling-events.js";
import type { Ctx, Reply } from "../../http/context.js";
import { badRequest, HttpError } from "../../http/errors.js";
import { mergePatch } from "../../kube/apply.js";
import { ApiError, getObject, requestJson } from "../../kube/rest.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { nanos } from "../convert/time.js";
import { byJob } from "../state.js";
import { bodyObject, mustFindJob } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { type JobSubmission, jobsRef, requireRegistrationsAllowed } from "./job-submit.js";
import { apiFieldManager, seen } from "./writes.js";

export function jobScaling(deps: RouteDeps, submission: JobSubmission) {
  const { state, kc } = deps;
  const { writeResult, key } = submission;
  const now = deps.now ?? Date.now;

  function scaleStatus(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
    const allocs = state.allocations.store.byIndex(byJob, key(job));
    const groups: Record<string, unknown> = {};
    const events = scalingEventsOf(job);
    for (const g of job.spec.groups) {
      const mine = allocs.filter((a) => a.spec.group === g.name && a.spec.desiredStatus === "run");
      groups[g.name] = {
        Desired: g.count ?? 1,
        Placed: mine.length,
        Running: mine.filter((a) => a.status?.clientStatus === "running").length,
        Healthy: mine.filter((a) => a.status?.deploymentStatus?.healthy === true).length,
        Unhealthy: mine.filter((a) => a.status?.deploymentStatus?.healthy === false).length,
        Events: events[g.name]?.map(scalingEventOut) ?? null,
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
    requireRegistrationsAllowed(state, ctx);
    const job = mustFindJob(ctx, state);
    const body = bodyObject(ctx);
    const request = scaleRequest(job, body);
    const event = {
      time: new Date(now()).toISOString(),
      previousCount: job.spec.groups[request.index]?.count ?? 1,
      message: typeof body.Message === "string" ? body.Message : "",
      error: body.Error === true,
      ...(isObject(body.Meta) ? { meta: body.Meta } : {}),
    };
    // Without a count, only the event is written (the autoscaler's messages and errors).
    if (request.count === undefined) {
      const index = await recordEvent(job, request.group, {
        ...event,
        createIndex: state.index(["jobs"]),
      });
      return {
        body: {
          EvalID: "",
          EvalCreateIndex: 0,
          JobModifyIndex: state.indexesOf(job).modify,
          Index: index,
        },
        index,
      };
    }
    if (job.spec.stop) throw badRequest("job is stopped; start it before scaling");
    const written = await patchCount(job, request.group, request.index, request.count);
    const reply = await writeResult(written, { trigger: "job-scaling" });
    const answer = reply.body as { EvalID: string; Index: number };
    const index = await recordEvent(written, request.group, {
      ...event,
      count: request.count,
      ...(answer.EvalID ? { evalID: answer.EvalID } : {}),
      createIndex: answer.Index,
    });
    return { body: { ...answer, Index: index }, index };
  }

  /**
   * Adds the event to the job's scaling events (a write guarded by the job's
   * resourceVersion, read again when another write came first); answers the
   * index of the write once this API's cache has it.
   */
  async function recordEvent(job: NomadJob, group: string, event: ScalingEvent): Promise<number> {
    let current = job;
    for (let attempt = 0; attempt < 5; attempt++) {
      const events = withScalingEvent(scalingEventsOf(current), group, event);
      try {
        const written = await mergePatch<NomadJob>(kc, jobsRef, current, {
          metadata: {
            resourceVersion: current.metadata.resourceVersion,
            annotations: { [scalingEventsAnnotation]: JSON.stringify(events) },
          },
        });
        return await seen(state, "jobs", written.metadata.resourceVersion);
      } catch (err) {
        if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
        current = await getObject<NomadJob>(
          kc,
          jobsRef,
          current.metadata.name,
          current.metadata.namespace,
        );
      }
    }
    throw new HttpError(409, "job changed while recording its scaling event; try again");
  }

  /**
   * A JSON patch with a test: the count lands on the group named, even if the
   * list changed since our cache saw it.
   */
  function patchCount(job: NomadJob, group: string, i: number, count: number): Promise<NomadJob> {
    const path = `${jobsRef.basePath}/namespaces/${jobNamespace(job)}/${jobsRef.plural}/${job.metadata.name}`;
    return requestJson<NomadJob>(kc, {
      method: "PATCH",
      path,
      contentType: "application/json-patch+json",
      query: { fieldManager: apiFieldManager },
      body: [
        { op: "test", path: `/spec/groups/${i}/name`, value: group },
        {
          op: job.spec.groups[i]?.count === undefined ? "add" : "replace",
          path: `/spec/groups/${i}/count`,
          value: count,
        },
        // The jobs controller may create the new generation's evaluation first: this names its trigger.
        ...(job.spec.groups[i]?.count === count ? [] : triggerAnnotation(job)),
      ],
    }).catch((err: unknown) => {
      // A failed test operation means the groups moved under us; anything else is the count.
      if (err instanceof ApiError && err.statusCode === 422 && /test/i.test(err.message))
        throw new HttpError(409, "job changed while scaling; try again");
      if (err instanceof ApiError && err.statusCode === 422)
        throw badRequest(`invalid count ${count}: ${err.message.replace(/^\w+ \S+: \d+ /, "")}`);
      throw err;
    });
  }

  return { scaleStatus, scale };
}

/** JSON patch operations setting specTriggerAnnotation for the generation this write makes. */
function triggerAnnotation(job: NomadJob): object[] {
  const value = `job-scaling@${(job.metadata.generation ?? 0) + 1}`;
  if (!job.metadata.annotations)
    return [
      { op: "add", path: "/metadata/annotations", value: { [specTriggerAnnotation]: value } },
    ];
  const key = specTriggerAnnotation.replace("/", "~1");
  return [{ op: "add", path: `/metadata/annotations/${key}`, value }];
}

/** The group a scaling request names and its new count (undefined: no change), checked against the group's policy. */
function scaleRequest(
  job: NomadJob,
  body: Record<string, unknown>,
): { group: string; index: number; count?: number } {
  const target = body.Target as Record<string, unknown> | undefined;
  const group = target?.Group;
  if (typeof group !== "string" || !group)
    throw badRequest("missing task group name in scaling request");
  const index = job.spec.groups.findIndex((g) => g.name === group);
  const g = job.spec.groups[index];
  if (!g) throw badRequest(`job does not contain task group "${group}"`);
  const count = body.Count;
  if (count === undefined || count === null) return { group, index };
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
  return { group, index, count };
}

/** A scaling event in Nomad's shape (api.ScalingEvent). */
function scalingEventOut(e: ScalingEvent): Record<string, unknown> {
  return {
    Time: nanos(e.time),
    Count: e.count ?? null,
    PreviousCount: e.previousCount,
    Message: e.message,
    Error: e.error,
    Meta: e.meta ?? null,
    EvalID: e.evalID ?? null,
    CreateIndex: e.createIndex,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}
