// What registering, planning, validating and reverting share: the job in a
// request body, decoded from Nomad's JSON, canonicalized, validated and pruned
// to the NomadJob schema exactly as it would be stored, and the answer Nomad
// gives after a job write.
import { randomUUID } from "node:crypto";
import { multiError } from "../../common/multierror.js";
import { isParentJob, jobSpecEvaluation } from "../../controllers/jobs/evaluation.js";
import { latestVersion, nextVersion } from "../../controllers/jobs/versions.js";
import type { EvaluationTrigger } from "../../crds/evaluation.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { badRequest, HttpError } from "../../http/errors.js";
import { canonicalize } from "../../jobspec/canonicalize.js";
import type { DecodeContext } from "../../jobspec/decode/body.js";
import { toResource } from "../../jobspec/index.js";
import { validate } from "../../jobspec/validate.js";
import { formatWarnings } from "../../jobspec/warnings.js";
import { createIfAbsent } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { schedulerConfigFor, schedulerConfigFromResource } from "../../scheduler/index.js";
import { fromNomadApi } from "../convert/job-in.js";
import { jobNamespace } from "../convert/job-out.js";
import { prune } from "../convert/prune.js";
import { type ApiState, byJob } from "../state.js";
import { bodyObject, findJob, requireNamespace } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { jobSchema as installedJobSchema } from "./schema.js";
import { seen } from "./writes.js";

export const jobsRef = caravanResource("NomadJob");
export const evaluationsRef = caravanResource("NomadEvaluation");

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

  /** The job in a request body, decoded from Nomad's JSON, and the namespace it names. */
  function decode(ctx: Ctx) {
    const body = bodyObject(ctx);
    if (body.Job === undefined || body.Job === null) throw badRequest("Job must be specified");
    const parsed = fromNomadApi(body.Job);
    if (!parsed.ok) throw badRequest(parsed.error);
    return { body, spec: parsed.spec, namespace: parsed.namespace ?? ctx.opts.namespace };
  }

  /** The job in a request body, checked and shaped as it would be stored; nothing is written. */
  async function prepare(ctx: Ctx, pathID: string | undefined, capability: string) {
    const { body, spec, namespace } = decode(ctx);
    if (!spec.id) throw badRequest("Job ID hasn't been provided");
    if (pathID !== undefined && spec.id !== pathID) throw badRequest("Job ID does not match name");
    requireNamespace(ctx, namespace, capability);
    const checked = checkJob(spec);
    if (!checked.valid) throw badRequest(multiError(checked.problems));
    const { canonical } = checked;
    const existing = findJob(state, namespace, spec.id);
    if (body.PreserveCounts === true && existing)
      for (const g of canonical.groups) {
        const old = existing.spec.groups.find((o) => o.name === g.name);
        if (old?.count !== undefined) g.count = old.count;
      }
    const stored = await store(canonical, namespace, checked.jobWarnings);
    return { body, namespace, existing, ...stored };
  }

  /** The valid canonical job as it would be stored, and the warnings a write of it answers with. */
  async function store(canonical: NomadJobSpec, namespace: string, jobWarnings: string[]) {
    const resource = toResource(canonical, namespace);
    resource.metadata.namespace = namespace;
    const dropped: string[] = [];
    resource.spec = prune(resource.spec, await jobSchema(), "spec", dropped) as NomadJobSpec;
    // Nomad's warnings and what Caravan does not run yet, then the fields it dropped.
    const messages = [
      ...jobWarnings,
      ...memoryMaxWarnings(state, resource.spec),
      ...(dropped.length
        ? [`Caravan does not support these fields and ignored them: ${dropped.join(", ")}`]
        : []),
    ];
    return { resource, warnings: formatWarnings(messages), warningMessages: messages };
  }

  /** The warnings of a job that fails validation: Nomad's and Caravan's, and ignored memory_max. */
  function invalidJobWarnings(checked: CheckedJob): string {
    return formatWarnings([
      ...checked.jobWarnings,
      ...(checked.canonical ? memoryMaxWarnings(state, checked.canonical) : []),
    ]);
  }

  /**
   * The evaluation of a job write's new generation (`written`, as the API
   * server returned it), created before the answer as Nomad's leader does, so
   * a client (`nomad job run` monitoring it) can read it at once. The jobs
   * controller creating the same evaluation finds this one. A write that left
   * the spec as it was (`again`) gets an evaluation of its own, as each of
   * Nomad's registrations does. Periodic and parameterized parents get none
   * (EvalID "").
   */
  async function evaluateWrite(
    written: NomadJob,
    trigger?: EvaluationTrigger,
    again = false,
  ): Promise<{ evalID: string; evalIndex: number }> {
    if (isParentJob(written)) return { evalID: "", evalIndex: 0 };
    const versions = state.versions.store.byIndex(byJob, key(written));
    const jobVersion =
      nextVersion(written, versions)?.revision ?? latestVersion(versions)?.revision;
    const options = {
      ...(trigger ? { trigger } : {}),
      ...(jobVersion !== undefined ? { jobVersion } : {}),
    };
    const evaluation = await createIfAbsent(
      kc,
      evaluationsRef,
      again
        ? newEvaluation({
            job: written,
            trigger: trigger ?? "job-register",
            cause: { kind: "request", id: randomUUID() },
            ...options,
          })
        : jobSpecEvaluation(written, options),
    );
    const evalIndex = await seen(state, "evaluations", evaluation.metadata.resourceVersion);
    return { evalID: evaluation.metadata.name, evalIndex };
  }

  /** Nomad's answer to a job write: its evaluation (evaluateWrite), indexes and warnings. */
  async function writeResult(
    written: NomadJob,
    options: { trigger?: EvaluationTrigger; warnings?: string; again?: boolean } = {},
  ): Promise<Reply> {
    const jobIndex = await seen(state, "jobs", written.metadata.resourceVersion);
    const { evalID, evalIndex } = await evaluateWrite(written, options.trigger, options.again);
    const job = state.jobs.store.get(key(written)) ?? written;
    const index = Math.max(jobIndex, evalIndex);
    return {
      body: {
        EvalID: evalID,
        EvalCreateIndex: evalIndex,
        JobModifyIndex: state.indexesOf(job).specModify,
        Warnings: options.warnings ?? "",
        Index: index,
        LastContact: 0,
        KnownLeader: true,
      },
      index,
    };
  }

  return { decode, prepare, store, invalidJobWarnings, evaluateWrite, writeResult, key };
}

/**
 * Nomad's registrationsAreAllowed: with the scheduler configuration's
 * RejectJobRegistration set, only a management token (or any request while
 * ACLs are off) may register, dispatch or scale a job.
 */
export function requireRegistrationsAllowed(state: ApiState, ctx: Ctx): void {
  if (state.schedulerConfiguration()?.rejectJobRegistration && !ctx.acl.management)
    throw new HttpError(
      403,
      "Job registration, dispatch, and scale are disabled by the scheduler configuration",
    );
}

/**
 * Nomad's memory oversubscription admission check: without oversubscription
 * for the job's node pool, each task's memory_max is ignored, and said so.
 */
function memoryMaxWarnings(state: ApiState, spec: NomadJobSpec): string[] {
  const pool = spec.nodePool ?? "default";
  const config = schedulerConfigFor(
    schedulerConfigFromResource(state.schedulerConfiguration()),
    state.nodePools.store.list().find((p) => (p.spec.name ?? p.metadata.name) === pool),
  );
  if (config.memoryOversubscription) return [];
  return spec.groups.flatMap((g) =>
    g.tasks
      .filter((t) => (t.resources?.memoryMax ?? 0) !== 0)
      .map(
        (t) =>
          `Memory oversubscription is not enabled; Task "${g.name}.${t.name}" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.`,
      ),
  );
}

/** A decoded job canonicalized and checked by Nomad's rules: what is wrong with it, and what Nomad and Caravan warn of. */
export type CheckedJob =
  | { valid: true; canonical: NomadJobSpec; problems: []; jobWarnings: string[] }
  | { valid: false; canonical?: NomadJobSpec; problems: string[]; jobWarnings: string[] };

/** Canonicalizes and validates a decoded job (`spec` gains its default name). */
export function checkJob(spec: NomadJobSpec): CheckedJob {
  spec.name ??= spec.id;
  const shape = shapeProblems(spec);
  if (shape.length) return { valid: false, problems: shape, jobWarnings: [] };
  const canonical = canonicalize(spec);
  const checked: DecodeContext = { errors: [], warnings: [], origins: new WeakMap() };
  const problems = validate(canonical, spec, checked).map((p) => p.message);
  const jobWarnings = (checked.warnings ?? []).map((w) => w.message);
  return problems.length
    ? { valid: false, canonical, problems, jobWarnings }
    : { valid: true, canonical, problems: [], jobWarnings };
}

/** What Nomad's API refuses before validation: no groups, a group or task without a name, a task without a driver. */
function shapeProblems(spec: NomadJobSpec): string[] {
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) return ["Missing job task groups"];
  const problems: string[] = [];
  for (const g of spec.groups) {
    if (!g || typeof g.name !== "string" || !g.name) {
      problems.push("Missing task group name");
      continue;
    }
    if (!Array.isArray(g.tasks) || g.tasks.length === 0) {
      problems.push(`Task group ${g.name} validation failed: Missing tasks for task group`);
      continue;
    }
    for (const t of g.tasks) {
      if (!t || typeof t.name !== "string" || !t.name)
        problems.push(`Task group ${g.name} validation failed: Missing task name`);
      else if (typeof t.driver !== "string" || !t.driver)
        problems.push(`Task group ${g.name} validation failed: Task ${t.name} missing driver`);
    }
  }
  return problems;
}
