// Reads of one job: GET /v1/job/:id and its allocations, evaluations,
// versions, deployments and summary, answered from the informer caches.

import type { NomadJobSpec } from "../../crds/job/index.js";
import { isStable } from "../../crds/job-version.js";
import { createdAt } from "../../crds/meta.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply } from "../../http/context.js";
import { HttpError, notFound } from "../../http/errors.js";
import { JsonPayload } from "../../http/payload.js";
import { allocStub } from "../convert/alloc.js";
import { deploymentOut } from "../convert/deployment.js";
import { evalOut } from "../convert/eval.js";
import { jobDiff } from "../convert/job-diff.js";
import { jobID, jobNamespace, jobOut, jobSummary } from "../convert/job-out.js";
import { type ApiState, byJob, type ObjectIndexes } from "../state.js";
import { allocContext } from "./allocations.js";
import { findJob, mustFindJob } from "./common.js";

export function jobReads(state: ApiState) {
  const key = (job: NomadJob) => `${jobNamespace(job)}/${job.metadata.name}`;
  const full = new WeakMap<NomadJob, { create: number; specModify: number; raw: JsonPayload }>();

  /** GET /v1/job/:id serialized once per job object (the informer replaces changed ones). */
  function jobPayload(job: NomadJob, idx: ObjectIndexes): JsonPayload {
    const hit = full.get(job);
    if (hit && hit.create === idx.create && hit.specModify === idx.specModify) return hit.raw;
    const raw = new JsonPayload(Buffer.from(JSON.stringify(jobOut(job, idx))));
    full.set(job, { create: idx.create, specModify: idx.specModify, raw });
    return raw;
  }

  function job(ctx: Ctx): Reply {
    const found = findJob(state, ctx.opts.namespace, ctx.params.id ?? "");
    if (!found) {
      // A blocking query on a job that does not exist yet waits for it to appear.
      if (ctx.opts.minIndex !== undefined)
        return { status: 404, text: "job not found", index: state.index(["jobs"]) };
      throw notFound("job");
    }
    const idx = state.indexesOf(found);
    return { raw: jobPayload(found, idx), index: idx.modify };
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
      // Each version was submitted when it was recorded.
      const submitTime = createdAt(r.metadata);
      const j = jobOut(
        { ...job, spec: r.data.spec as NomadJobSpec, status: submitTime ? { submitTime } : {} },
        idx,
      );
      j.Version = r.revision;
      j.Stable = isStable(r);
      return j;
    });
    if (out.length === 0) out.push(jobOut(job, idx));
    return {
      body: { Versions: out, Diffs: versionDiffs(ctx, out) },
      index: state.index(["jobs", "versions"]),
    };
  }

  /**
   * With ?diffs=true, what each version changed from the one before it (the
   * oldest has none), or from ?diff_version=N, as Nomad's Job.GetJobVersions.
   */
  function versionDiffs(ctx: Ctx, out: Record<string, unknown>[]): unknown[] | null {
    if (ctx.query.get("diffs") !== "true") return null;
    const against = ctx.query.get("diff_version");
    if (against !== null) {
      const base = out.find((j) => String(j.Version) === against);
      if (!base) throw new HttpError(500, `version ${against} not found`);
      return out.map((j) => jobDiff(base, j));
    }
    return out.slice(0, -1).map((j, i) => jobDiff(out[i + 1] ?? j, j));
  }

  function deployments(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
    const ds = state.deployments.store
      .byIndex(byJob, key(job))
      .sort((a, b) => b.spec.jobVersion - a.spec.jobVersion);
    return {
      body: ds.map((d) => deploymentOut(d, state.indexesOf(d), jobID(job), state.jobIndexesOf(d))),
      index: state.index(["deployments"]),
    };
  }

  function latestDeployment(ctx: Ctx): Reply {
    const r = deployments(ctx);
    return { body: (r.body as unknown[])[0] ?? null, index: r.index ?? 1 };
  }

  function summary(ctx: Ctx): Reply {
    const job = mustFindJob(ctx, state);
    const idx = state.indexesOf(job);
    return { body: jobSummary(job, idx), index: idx.modify };
  }

  function submission(ctx: Ctx): Reply {
    mustFindJob(ctx, state);
    // The HCL source of a registration is not kept: the NomadJob is the job.
    throw notFound("job source");
  }

  return {
    job,
    allocations,
    evaluations,
    versions,
    deployments,
    latestDeployment,
    summary,
    submission,
  };
}
