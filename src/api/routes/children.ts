// Child jobs: POST /v1/job/:id/dispatch (a parameterized parent, through
// dispatchJob) and POST /v1/job/:id/periodic/force (a periodic parent's child
// now, through periodicChild). Both create a NomadJob the jobs controller
// then evaluates like any other.
import { randomUUID } from "node:crypto";
import { dispatchJob } from "../../controllers/dispatch/dispatch.js";
import { periodicChild } from "../../controllers/periodic/child.js";
import { parentLabel } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest } from "../../http/errors.js";
import { createObject } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { jobID, jobNamespace } from "../convert/job-out.js";
import { bodyObject, mustFindJob } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { type JobSubmission, requireRegistrationsAllowed } from "./job-submit.js";
import { seen } from "./writes.js";

const jobsRef = caravanResource("NomadJob");

export function childRoutes(deps: RouteDeps, submission: JobSubmission): Route[] {
  const { state, kc } = deps;

  /** Creates the child job and, as for any registration, its evaluation. */
  async function launch(child: NomadJob): Promise<Reply> {
    const written = await createObject(kc, jobsRef, child);
    const jobIndex = await seen(state, "jobs", written.metadata.resourceVersion);
    const { evalID, evalIndex } = await submission.evaluateWrite(written);
    const index = Math.max(jobIndex, evalIndex);
    return {
      body: {
        DispatchedJobID: jobID(written),
        EvalID: evalID,
        EvalCreateIndex: evalIndex,
        JobCreateIndex: jobIndex,
        Index: index,
      },
      index,
    };
  }

  async function dispatch(ctx: Ctx): Promise<Reply> {
    requireRegistrationsAllowed(state, ctx);
    const parent = mustFindJob(ctx, state);
    const body = bodyObject(ctx);
    const meta = body.Meta ?? {};
    if (
      typeof meta !== "object" ||
      meta === null ||
      Array.isArray(meta) ||
      Object.values(meta).some((v) => typeof v !== "string")
    )
      throw badRequest("Meta must be a map of strings");
    let payload: Uint8Array | undefined;
    if (body.Payload !== undefined && body.Payload !== null) {
      if (typeof body.Payload !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.Payload))
        throw badRequest("Payload must be base64");
      payload = Buffer.from(body.Payload, "base64");
    }
    const token = typeof body.IdempotencyToken === "string" ? body.IdempotencyToken : undefined;
    if (token) {
      const same = state.jobs.store
        .list()
        .find(
          (c) =>
            c.metadata.labels?.[parentLabel] === parent.metadata.name &&
            jobNamespace(c) === jobNamespace(parent) &&
            c.spec.dispatchIdempotencyToken === token &&
            !c.spec.stop,
        );
      if (same) {
        const index = state.indexesOf(same).create;
        return {
          body: {
            DispatchedJobID: jobID(same),
            EvalID: "",
            EvalCreateIndex: 0,
            JobCreateIndex: index,
            Index: index,
          },
          index,
        };
      }
    }
    const result = dispatchJob(parent, {
      meta: meta as Record<string, string>,
      ...(payload ? { payload } : {}),
      ...(token ? { idempotencyToken: token } : {}),
      now: Date.now(),
      id: randomUUID(),
    });
    if (!result.ok) throw badRequest(result.errors.join("; "));
    return launch(result.child);
  }

  function force(ctx: Ctx): Promise<Reply> {
    const parent = mustFindJob(ctx, state);
    if (!parent.spec.periodic) throw badRequest("can't force launch non-periodic job");
    return launch(periodicChild(parent, Date.now()));
  }

  return [
    { method: "POST", path: "/v1/job/:id*/dispatch", acl: "ns:dispatch-job", handle: dispatch },
    {
      method: "POST",
      path: "/v1/job/:id*/periodic/force",
      // Nomad's Periodic.Force takes dispatch-job or submit-job.
      acl: ["ns:dispatch-job", "ns:submit-job"],
      handle: force,
    },
  ];
}
