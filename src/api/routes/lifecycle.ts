// Writes on deployments and allocations: promote, fail and pause a deployment
// (spec fields the deployment watcher acts on), and stop an allocation (Nomad
// marks it for migration, so the scheduler replaces it elsewhere).

import { activeDeploymentStatuses } from "../../crds/deployment.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadAllocation, NomadDeployment } from "../../crds/objects.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, notFound } from "../../http/errors.js";
import { queryBool } from "../../http/query.js";
import { createIfAbsent, mergePatch } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { bodyObject, findByName, namespaceOf } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { seen } from "./writes.js";

const deploymentsRef = caravanResource("NomadDeployment");
const allocationsRef = caravanResource("NomadAllocation");
const evaluationsRef = caravanResource("NomadEvaluation");

export function lifecycleRoutes(deps: RouteDeps): Route[] {
  const { state, kc } = deps;

  function deployment(ctx: Ctx): NomadDeployment {
    const d = findByName(state.deployments.store, ctx.params.id ?? "");
    if (!d) throw notFound("deployment");
    // No status yet: just created, so running.
    if (!activeDeploymentStatuses.has(d.status?.status ?? "running"))
      throw badRequest(`can't change deployment in terminal state ${d.status?.status}`);
    return d;
  }

  async function patchDeployment(
    d: NomadDeployment,
    spec: Record<string, unknown>,
  ): Promise<Reply> {
    const written = await mergePatch<NomadDeployment>(kc, deploymentsRef, d, { spec });
    const index = await seen(state, "deployments", written.metadata.resourceVersion);
    return {
      body: { EvalID: "", EvalCreateIndex: 0, DeploymentModifyIndex: index, Index: index },
      index,
    };
  }

  /** A write on the deployment the path names: `change` reads the request into spec fields. */
  const deploymentWrite = (path: string, change: (ctx: Ctx) => Record<string, unknown>): Route => ({
    method: "POST",
    path,
    acl: "ns:submit-job",
    aclNamespace: namespaceOf(state.deployments.store),
    handle: (ctx) => {
      const d = deployment(ctx);
      return patchDeployment(d, change(ctx));
    },
  });

  return [
    deploymentWrite("/v1/deployment/promote/:id", (ctx) => {
      const body = bodyObject(ctx);
      const groups = body.Groups;
      if (groups !== undefined && groups !== null && !Array.isArray(groups))
        throw badRequest("Groups must be a list of task group names");
      if (body.All !== true && !(Array.isArray(groups) && groups.length))
        throw badRequest("must set All or Groups");
      return {
        promote: true,
        ...(body.All !== true && Array.isArray(groups) ? { promoteGroups: groups } : {}),
      };
    }),
    deploymentWrite("/v1/deployment/fail/:id", () => ({ fail: true })),
    deploymentWrite("/v1/deployment/pause/:id", (ctx) => {
      const pause = bodyObject(ctx).Pause;
      if (typeof pause !== "boolean") throw badRequest("Pause must be true or false");
      return { paused: pause };
    }),
    {
      method: "POST",
      path: "/v1/deployment/unblock/:id",
      // Nomad's Deployment.Unblock (submit-job; Nomad 2's finer unblock-deployment
      // capability is not in Caravan's policy language yet, as for fail and pause).
      acl: "ns:submit-job",
      aclNamespace: namespaceOf(state.deployments.store),
      handle: (ctx) => {
        const id = ctx.params.id ?? "";
        const body = bodyObject(ctx);
        if (!body.DeploymentID) throw badRequest("DeploymentID must be specified");
        if (body.DeploymentID !== id) throw badRequest("Deployment ID does not match");
        const d = findByName(state.deployments.store, id);
        if (!d) throw new HttpError(404, "deployment not found");
        if (!activeDeploymentStatuses.has(d.status?.status ?? "running"))
          throw badRequest("can't unblock terminal deployment");
        // Only a multiregion deployment waiting for its peer regions is ever
        // "blocked" (Nomad Enterprise); every other active one is running.
        if (d.status?.status === "blocked")
          throw badRequest(
            "can't unblock deployment: multiregion deployments are not implemented yet in Caravan",
          );
        throw badRequest("can't unblock running deployment");
      },
    },
    {
      method: "POST",
      path: "/v1/allocation/:id/stop",
      acl: "ns:alloc-lifecycle",
      aclNamespace: namespaceOf(state.allocations.store),
      handle: async (ctx) => {
        const a = findByName(state.allocations.store, ctx.params.id ?? "");
        if (!a) throw notFound("alloc");
        const written = await mergePatch<NomadAllocation>(kc, allocationsRef, a, {
          spec: {
            desiredTransition: {
              migrate: true,
              ...(queryBool(ctx.query, "no_shutdown_delay") ? { noShutdownDelay: true } : {}),
            },
          },
        });
        // As Nomad does, an evaluation makes the scheduler act on the transition now.
        const namespace = a.metadata.namespace ?? "default";
        const job = state.jobs.store.get(`${namespace}/${a.spec.jobName}`);
        // The same stop asked again (nothing changed) finds its evaluation.
        const evaluation = await createIfAbsent(
          kc,
          evaluationsRef,
          newEvaluation({
            job: job ?? {
              name: a.spec.jobName,
              namespace,
              type: defaultJob.type,
              priority: defaultJob.priority,
            },
            trigger: "alloc-stop",
            cause: {
              kind: "alloc-stop",
              allocation: a.metadata.name,
              resourceVersion: written.metadata.resourceVersion ?? "0",
            },
            jobVersion: job?.status?.version ?? a.spec.jobVersion,
          }),
        );
        const index = Math.max(
          await seen(state, "allocations", written.metadata.resourceVersion),
          await seen(state, "evaluations", evaluation.metadata.resourceVersion),
        );
        return { body: { EvalID: evaluation.metadata.name, Index: index }, index };
      },
    },
  ];
}
