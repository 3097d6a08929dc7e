// What registering, planning and reverting share: the job in a request body,
// decoded from Nomad's JSON, canonicalized, validated and pruned to the
// NomadJob schema exactly as it would be stored, and the answer Nomad gives
// after a job write.
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx } from "../../http/context.js";
import { badRequest } from "../../http/errors.js";
import { canonicalize } from "../../jobspec/canonicalize.js";
import { toResource } from "../../jobspec/index.js";
import { validate } from "../../jobspec/validate.js";
import { caravanResource } from "../../kube/resources.js";
import { fromNomadApi } from "../convert/job-in.js";
import { jobNamespace } from "../convert/job-out.js";
import { prune } from "../convert/prune.js";
import { bodyObject, findJob, requireNamespace } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { jobSchema as installedJobSchema } from "./schema.js";

export const jobsRef = caravanResource("NomadJob");

export type JobSubmission = ReturnType<typeof jobSubmission>;

/** The namespace a registration or plan writes to: the body's Job.Namespace, else ?namespace=. */
export function submittedNamespace(ctx: Ctx): string {
  const job = (ctx.body as { Job?: { Namespace?: unknown } } | null | undefined)?.Job;
  const ns = job && typeof job === "object" ? job.Namespace : undefined;
  return typeof ns === "string" && ns ? ns : ctx.opts.namespace;
}

export function jobSubmission(deps: RouteDeps) {
  const { state, kc } = deps;
  const jobSchema = installedJobSchema(kc, `${jobsRef.plural}.caravan.dev`, "v1alpha1");
  const key = (job: NomadJob) => `${jobNamespace(job)}/${job.metadata.name}`;

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
    const dropped: string[] = [];
    resource.spec = prune(resource.spec, await jobSchema(), "spec", dropped) as NomadJobSpec;
    const warnings = dropped.length
      ? `Caravan does not support these fields and ignored them: ${dropped.join(", ")}`
      : "";
    return { body, namespace, existing, resource, warnings };
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

  return { prepare, writeResult, key };
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
