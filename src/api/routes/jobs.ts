// /v1/jobs and /v1/job/:id: list, register, parse, read, stop and purge,
// and a job's allocations, evaluations, summary, versions and deployments.

import type { Acl } from "../../acl/acl.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import { isStable } from "../../crds/job-version.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, notFound } from "../../http/errors.js";
import { JsonPayload } from "../../http/payload.js";
import { formatErrors, parseJob, toNomadApi, toNomadRunOutput } from "../../jobspec/index.js";
import { applyObject, deleteObject, mergePatch } from "../../kube/apply.js";
import { ApiError } from "../../kube/rest.js";
import { allocStub } from "../convert/alloc.js";
import { deploymentOut } from "../convert/deployment.js";
import { evalOut } from "../convert/eval.js";
import { jobID, jobNamespace, jobOut, jobStub, jobSummary } from "../convert/job-out.js";
import { byJob, type ObjectIndexes } from "../state.js";
import { allocContext } from "./allocations.js";
import { bodyObject, findJob, listPage, mustFindJob, namespaceScope } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { type JobSubmission, jobsRef, submittedNamespace } from "./job-submit.js";
import { apiFieldManager } from "./writes.js";

interface ListEntry {
  index: number;
  raw: JsonPayload;
  next?: string;
}

/** A job's list stub, as an object (for filters) and serialized. */
interface StubEntry {
  out: Record<string, unknown>;
  json: Buffer;
  create: number;
  specModify: number;
}

const maxCachedLists = 64;
const open = Buffer.from("[");
const comma = Buffer.from(",");
const close = Buffer.from("]");

export function jobRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  const { state, kc } = deps;
  const { prepare, writeResult, key } = submission;

  // GET /v1/jobs is the hot read. Its serialized answer (and gzip form) is
  // kept per query and ACL scope until the jobs collection moves; when it
  // moves, only the stubs of jobs that changed are serialized again.
  const listCache = new Map<string, ListEntry>();
  const scopes = new WeakMap<Acl, number>();
  let scopesSeen = 0;
  const scopeID = (acl: Acl): number => {
    const known = scopes.get(acl);
    if (known !== undefined) return known;
    scopesSeen++;
    scopes.set(acl, scopesSeen);
    return scopesSeen;
  };
  const stubs = new WeakMap<NomadJob, StubEntry>();
  const full = new WeakMap<NomadJob, { create: number; specModify: number; raw: JsonPayload }>();

  /** GET /v1/job/:id serialized once per job object (the informer replaces changed ones). */
  function jobPayload(job: NomadJob, idx: ObjectIndexes): JsonPayload {
    const hit = full.get(job);
    if (hit && hit.create === idx.create && hit.specModify === idx.specModify) return hit.raw;
    const raw = new JsonPayload(Buffer.from(JSON.stringify(jobOut(job, idx))));
    full.set(job, { create: idx.create, specModify: idx.specModify, raw });
    return raw;
  }

  function stubOf(job: NomadJob): StubEntry {
    const idx = state.indexesOf(job);
    const hit = stubs.get(job);
    // The informer replaces a changed job's object; the indexes move with it except
    // CreateIndex, which a restart of this process may learn later.
    if (hit && hit.create === idx.create && hit.specModify === idx.specModify) return hit;
    const out = jobStub(job, idx);
    const entry = {
      out,
      json: Buffer.from(JSON.stringify(out)),
      create: idx.create,
      specModify: idx.specModify,
    };
    stubs.set(job, entry);
    return entry;
  }

  function listJobs(ctx: Ctx): Reply {
    const inScope = namespaceScope(ctx, "list-jobs");
    const index = state.index(["jobs"]);
    // One namespace: the same answer for every token allowed to ask; namespace=*:
    // the namespaces this token's ACL may list. Blocking options change when the
    // answer is sent, not what it holds.
    const q = ctx.query;
    const query =
      q.has("index") || q.has("wait") || q.has("stale")
        ? new URLSearchParams(
            [...q].filter(([k]) => k !== "index" && k !== "wait" && k !== "stale"),
          )
        : q;
    const key = `${ctx.opts.allNamespaces ? scopeID(ctx.acl) : 0} ${query}`;
    const hit = listCache.get(key);
    if (hit && hit.index === index)
      return {
        raw: hit.raw,
        index,
        ...(hit.next ? { headers: { "X-Nomad-NextToken": hit.next } } : {}),
      };
    const jobs = state.jobs.store.list().filter((j) => inScope(jobNamespace(j)));
    const { page, nextToken } = listPage(jobs, jobID, stubOf, ctx, (s) => s.out);
    const parts: Buffer[] = [open];
    for (const [i, p] of page.entries()) {
      if (i > 0) parts.push(comma);
      parts.push(p.out.json);
    }
    parts.push(close);
    const raw = new JsonPayload(Buffer.concat(parts));
    // Bounded: the least recently refreshed answers go first.
    listCache.delete(key);
    if (listCache.size >= maxCachedLists) listCache.delete(listCache.keys().next().value ?? "");
    listCache.set(key, { index, raw, ...(nextToken ? { next: nextToken } : {}) });
    return {
      raw,
      index,
      ...(nextToken ? { headers: { "X-Nomad-NextToken": nextToken } } : {}),
    };
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
    const reply = await writeResult(written);
    return { ...reply, body: { ...(reply.body as object), Warnings: warnings } };
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
    if (ctx.query.get("purge") === "true") {
      await deleteObject(kc, jobsRef, job);
      const index = state.index(["jobs"]) + 1;
      return {
        body: { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: index, Index: index },
        index,
      };
    }
    const written = await mergePatch<NomadJob>(kc, jobsRef, job, { spec: { stop: true } });
    return writeResult(written);
  }

  function allocations(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
    const allocs = state.allocations.store.byIndex(byJob, key(job));
    return {
      body: allocs.map((a) => allocStub(a, state.indexesOf(a), allocContext(state, a))),
      index: state.index(["allocations"]),
    };
  }

  function evaluations(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
    const evals = state.evaluations.store.byIndex(byJob, key(job));
    return {
      body: evals.map((e) => evalOut(e, state.indexesOf(e), jobID(job))),
      index: state.index(["evaluations"]),
    };
  }

  function versions(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
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
    const job = mustFindJob(ctx, state);
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
    get("/v1/job/:id*/allocations", allocations, ["allocations"]),
    get("/v1/job/:id*/evaluations", evaluations, ["evaluations"]),
    get("/v1/job/:id*/versions", versions, ["jobs", "versions"]),
    get(
      "/v1/job/:id*/submission",
      (ctx) => {
        mustFindJob(ctx, state);
        // The HCL source of a registration is not kept: the NomadJob is the job.
        throw notFound("job source");
      },
      undefined,
    ),
    get("/v1/job/:id*/deployments", deployments, ["deployments"]),
    get("/v1/job/:id*/deployment", latestDeployment, ["deployments"]),
    get(
      "/v1/job/:id*/summary",
      (ctx) => {
        const job = mustFindJob(ctx, state);
        const idx = state.indexesOf(job);
        return { body: jobSummary(job, idx), index: idx.modify };
      },
      ["jobs"],
    ),
    get(
      "/v1/job/:id*",
      (ctx) => {
        const job = findJob(state, ctx.opts.namespace, ctx.params.id ?? "");
        if (!job) {
          // A blocking query on a job that does not exist yet waits for it to appear.
          if (ctx.opts.minIndex !== undefined)
            return { status: 404, text: "job not found", index: state.index(["jobs"]) };
          throw notFound("job");
        }
        const idx = state.indexesOf(job);
        return { raw: jobPayload(job, idx), index: idx.modify };
      },
      ["jobs"],
    ),
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
