// Writes on deployments and allocations: promote, fail and pause a deployment
// (spec fields the deployment watcher acts on), and stop an allocation (Nomad
// marks it for migration, so the scheduler replaces it elsewhere).

import { activeDeploymentStatuses } from "../../crds/deployment.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadAllocation, NomadDeployment } from "../../crds/objects.js";
import { isTerminal } from "../../crds/terminal.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, multiError, notFound } from "../../http/errors.js";
import { queryBool } from "../../http/query.js";
import { createIfAbsent, mergePatch } from "../../kube/apply.js";
import { caravanResource } from "../../kube/resources.js";
import { objectKey } from "../../kube/store.js";
import { bodyObject, findByName, namespaceOf } from "./common.js";
import type { RouteDeps } from "./deps.js";
import { seen, until } from "./writes.js";

const deploymentsRef = caravanResource("NomadDeployment");
const allocationsRef = caravanResource("NomadAllocation");
const evaluationsRef = caravanResource("NomadEvaluation");

/** A user's change of a deployment, as lifecycleRoutes writes it. */
interface DeploymentChange {
  /** The spec fields the deployment watcher acts on. */
  spec: Record<string, unknown>;
  /** Whether the deployment (as cached) shows the watcher has acted on the change. */
  settled: (d: NomadDeployment) => boolean;
  /** What the evaluation the change makes is for; none for a pause, as in Nomad. */
  action?: "promote" | "fail" | "resume";
}

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

  /**
   * Nomad's deployment watcher changes the deployment and creates its
   * evaluation before it answers: the spec change is written, the reply waits
   * until this API's cache shows the deployment watcher's new status (so it
   * reads back changed at once), then the evaluation is made (none for a
   * pause) and its ID answered.
   */
  async function patchDeployment(d: NomadDeployment, change: DeploymentChange): Promise<Reply> {
    const written = await mergePatch<NomadDeployment>(kc, deploymentsRef, d, {
      spec: change.spec,
    });
    let index = await seen(state, "deployments", written.metadata.resourceVersion);
    const key = objectKey(written);
    await until(state, "deployments", () => {
      const now = state.deployments.store.get(key);
      if (!now || Number(now.metadata.resourceVersion) < Number(written.metadata.resourceVersion))
        return false;
      return !activeDeploymentStatuses.has(now.status?.status ?? "running") || change.settled(now);
    });
    const current = state.deployments.store.get(key) ?? written;
    index = Math.max(index, state.indexesOf(current).modify);
    if (!change.action) {
      return {
        body: { EvalID: "", EvalCreateIndex: 0, DeploymentModifyIndex: index, Index: index },
        index,
      };
    }
    const namespace = d.metadata.namespace ?? "default";
    const job = state.jobs.store.get(`${namespace}/${d.spec.jobName}`);
    const evaluation = await createIfAbsent(
      kc,
      evaluationsRef,
      newEvaluation({
        job: job ?? {
          name: d.spec.jobName,
          namespace,
          type: defaultJob.type,
          priority: defaultJob.priority,
        },
        trigger: "deployment-watcher",
        // The user's change, once per spec generation: a retried request finds it.
        cause: {
          kind: "deployment",
          deployment: d.metadata.name,
          generation: written.metadata.generation ?? 0,
          progress: change.action,
        },
        jobVersion: d.spec.jobVersion,
        ...(d.spec.evalPriority !== undefined ? { priority: d.spec.evalPriority } : {}),
      }),
    );
    const evalIndex = await seen(state, "evaluations", evaluation.metadata.resourceVersion);
    return {
      body: {
        EvalID: evaluation.metadata.name,
        EvalCreateIndex: evalIndex,
        DeploymentModifyIndex: index,
        Index: Math.max(index, evalIndex),
      },
      index: Math.max(index, evalIndex),
    };
  }

  /** A write on the deployment the path names: `change` reads the request into a change. */
  const deploymentWrite = (
    path: string,
    change: (ctx: Ctx, d: NomadDeployment) => DeploymentChange,
  ): Route => ({
    method: "POST",
    path,
    acl: "ns:submit-job",
    aclNamespace: namespaceOf(state.deployments.store),
    handle: (ctx) => {
      const d = deployment(ctx);
      return patchDeployment(d, change(ctx, d));
    },
  });

  /**
   * Nomad refuses a promotion while a promoted group (every one with
   * canaries, or those `asked`) has fewer healthy canaries than it wants.
   */
  function requireHealthyCanaries(d: NomadDeployment, asked: string[] | undefined): void {
    const problems: string[] = [];
    for (const [name, g] of Object.entries(d.status?.groups ?? {})) {
      if (asked && !asked.includes(name)) continue;
      const need = g.desiredCanaries ?? 0;
      if (need === 0) continue;
      const have = (g.placedCanaries ?? []).filter((c) => {
        const a = findByName(state.allocations.store, c);
        return !!a && !isTerminal(a) && a.status?.deploymentStatus?.healthy === true;
      }).length;
      if (have < need)
        problems.push(`Task group "${name}" has ${have}/${need} healthy allocations`);
    }
    if (problems.length) throw new HttpError(500, multiError(problems));
  }

  return [
    deploymentWrite("/v1/deployment/promote/:id", (ctx, d) => {
      const body = bodyObject(ctx);
      const groups = body.Groups;
      if (groups !== undefined && groups !== null && !Array.isArray(groups))
        throw badRequest("Groups must be a list of task group names");
      if (body.All !== true && !(Array.isArray(groups) && groups.length))
        throw badRequest("must set All or Groups");
      const asked = body.All === true ? undefined : (groups as string[]);
      requireHealthyCanaries(d, asked);
      return {
        spec: { promote: true, ...(asked ? { promoteGroups: asked } : {}) },
        settled: (now) =>
          Object.entries(now.status?.groups ?? {}).every(
            ([name, g]) =>
              (asked && !asked.includes(name)) || !g.desiredCanaries || g.promoted === true,
          ),
        action: "promote",
      };
    }),
    deploymentWrite("/v1/deployment/fail/:id", () => ({
      spec: { fail: true },
      settled: (now) => now.status?.status === "failed",
      action: "fail",
    })),
    deploymentWrite("/v1/deployment/pause/:id", (ctx) => {
      const pause = bodyObject(ctx).Pause;
      if (typeof pause !== "boolean") throw badRequest("Pause must be true or false");
      // A pause makes no evaluation; a resume asks the scheduler to go on.
      return pause
        ? { spec: { paused: true }, settled: (now) => now.status?.status === "paused" }
        : {
            spec: { paused: false },
            settled: (now) => now.status?.status !== "paused",
            action: "resume",
          };
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
