// The deployment part of a scheduler plan, written after the plan applier
// committed the allocations: a new NomadDeployment for a new job version (as
// Nomad's plan creates it), the canary flag on the canaries just placed, and
// nothing else: deployments a newer version supersedes are cancelled by the
// deployment watcher, which alone writes a deployment's status after this.
import { deploymentDescriptions } from "../../crds/deployment.js";
import { jobLabel } from "../../crds/names.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
} from "../../crds/objects.js";
import { applyStatus, createObject, mergePatch, mergePatchStatus } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import type { Placement, Plan } from "../../scheduler/index.js";

const deployments = caravanResource("NomadDeployment");
const allocations = caravanResource("NomadAllocation");

export interface CommitContext {
  kc: KubeConfig;
  evaluation: NomadEvaluation;
  job: NomadJob | undefined;
  jobVersion: number;
  /** The plan's placements the applier committed. */
  placed: readonly Placement[];
  /** Deployments as the informer has them, by metadata.name. */
  existing: (name: string) => NomadDeployment | undefined;
}

/** Writes the plan's deployment changes; returns the deployment it created, if any. */
export async function commitDeployment(
  plan: Plan,
  ctx: CommitContext,
): Promise<NomadDeployment | undefined> {
  const namespace = ctx.evaluation.metadata.namespace ?? "default";
  const pd = plan.deployment;
  let created: NomadDeployment | undefined;
  if (pd?.op === "create" && !ctx.existing(pd.id)) {
    const placedCanaries = new Set(ctx.placed.filter((p) => p.canary).map((p) => p.id));
    const obj: NomadDeployment = {
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadDeployment",
      metadata: {
        name: pd.id,
        namespace,
        labels: { [jobLabel]: ctx.evaluation.spec.jobName },
        ...(ctx.job?.metadata.uid
          ? {
              ownerReferences: [
                {
                  apiVersion: "caravan.dev/v1alpha1",
                  kind: "NomadJob",
                  name: ctx.evaluation.spec.jobName,
                  uid: ctx.job.metadata.uid,
                  blockOwnerDeletion: false,
                },
              ],
            }
          : {}),
      },
      spec: {
        jobName: ctx.evaluation.spec.jobName,
        jobVersion: ctx.jobVersion,
        ...(ctx.job?.metadata.generation !== undefined
          ? { jobSpecModifyIndex: ctx.job.metadata.generation }
          : {}),
        evalPriority: ctx.evaluation.spec.priority,
      },
    };
    try {
      await createObject(ctx.kc, deployments, obj);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
    }
    const groups: NonNullable<NonNullable<NomadDeployment["status"]>["groups"]> = {};
    for (const [name, g] of Object.entries(pd.groups)) {
      groups[name] = {
        desiredTotal: g.desiredTotal,
        desiredCanaries: g.desiredCanaries,
        placedAllocs: ctx.placed.filter((p) => p.group === name && p.deploymentId === pd.id).length,
        placedCanaries: g.placedCanaries.filter((id) => placedCanaries.has(id)),
        promoted: g.promoted,
        autoRevert: g.autoRevert,
        autoPromote: g.autoPromote,
      };
    }
    created = await applyStatus<NomadDeployment>(ctx.kc, deployments, obj, {
      status: pd.status,
      statusDescription: pd.statusDescription ?? deploymentDescriptions.running,
      groups,
      modifyTime: new Date().toISOString(),
    });
  }
  // Allocations updated in place join the plan's deployment and are judged
  // healthy again from now, as Nomad's in-place updates are: their health is
  // cleared before they join, so the deployment never counts the old one.
  const joined = pd && (pd.op === "update" || created) ? pd.id : undefined;
  for (const u of plan.inPlaceUpdates) {
    if (!joined || u.deploymentId !== joined) continue;
    const ref = { metadata: { name: u.allocId, namespace } };
    await mergePatchStatus(ctx.kc, allocations, ref, {
      deploymentStatus: {
        healthy: null,
        timestamp: null,
        canary: null,
        joinedAt: new Date().toISOString(),
      },
    });
    await mergePatch(ctx.kc, allocations, ref, { spec: { deploymentName: joined } });
  }
  // The canary flag lives on the allocation (Nomad's alloc DeploymentStatus.Canary).
  for (const p of ctx.placed) {
    if (!p.canary) continue;
    await mergePatchStatus<NomadAllocation>(
      ctx.kc,
      allocations,
      { metadata: { name: p.id, namespace } },
      { deploymentStatus: { canary: true } },
    );
  }
  return created;
}
