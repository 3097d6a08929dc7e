// Nomad's plan applier: plans are applied one at a time. Each node a plan
// places on is re-checked against its current allocations (including those
// committed since the worker's snapshot); the part that fits is committed and
// the rest handed back, so no node is ever over-committed however many
// workers plan at once.

import PQueue from "p-queue";
import type { Logger } from "../../common/log.js";
import { groupLabel, jobLabel, nodeLabel } from "../../crds/names.js";
import type { NomadAllocation, NomadEvaluation, NomadJob } from "../../crds/objects.js";
import { createObject, mergePatch, mergePatchStatus } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import type { ControllerMetrics } from "../../metrics/registry.js";
import {
  allocationSpecFor,
  nodeFromResource,
  type Placement,
  type Plan,
} from "../../scheduler/index.js";
import type { SharedInformers } from "../informers.js";
import { evaluatePlan } from "./evaluate.js";
import type { AllocationView } from "./view.js";

export interface PlanContext {
  evaluation: NomadEvaluation;
  job: NomadJob | undefined;
  jobVersion: number;
}

export interface PlanResult {
  placed: number;
  /** Placements refused because their node no longer had room. */
  rejected: Placement[];
  /** Why nodes refused, by dimension, for the evaluation's metrics. */
  rejectedBy: Record<string, number>;
}

export class PlanApplier {
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly writes = new PQueue({ concurrency: 16 });
  private readonly allocations = caravanResource("NomadAllocation");

  constructor(
    private readonly kc: KubeConfig,
    private readonly informers: SharedInformers,
    private readonly view: AllocationView,
    private readonly log: Logger,
    private readonly metrics?: ControllerMetrics,
  ) {}

  /** Plans waiting to be applied (Nomad's plan queue depth). */
  get depth(): number {
    return this.queue.size + this.queue.pending;
  }

  submit(plan: Plan, ctx: PlanContext): Promise<PlanResult> {
    return this.queue.add(() => this.apply(plan, ctx), { throwOnTimeout: true });
  }

  private async apply(plan: Plan, ctx: PlanContext): Promise<PlanResult> {
    const started = performance.now();
    try {
      return await this.applyPlan(plan, ctx);
    } finally {
      this.metrics?.planApply.observe(performance.now() - started);
    }
  }

  private async applyPlan(plan: Plan, ctx: PlanContext): Promise<PlanResult> {
    const namespace = ctx.evaluation.metadata.namespace ?? "default";
    const { accepted, rejected, rejectedBy } = evaluatePlan(
      plan,
      namespace,
      this.view.all(),
      (name) => {
        const node = this.informers.nodes.store.get(name);
        return node ? nodeFromResource(node) : undefined;
      },
    );

    await Promise.all([
      ...plan.stops.map((s) =>
        this.write(async () => {
          const alloc = this.view.get(`${namespace}/${s.allocId}`);
          if (alloc?.spec.desiredStatus !== "run") return;
          this.view.wrote(
            await mergePatch<NomadAllocation>(this.kc, this.allocations, alloc, {
              spec: {
                desiredStatus: "stop",
                desiredDescription: s.reason,
                ...(s.followupEvalId ? { followupEvalName: s.followupEvalId } : {}),
              },
            }),
          );
          if (s.clientStatus) {
            this.view.wrote(
              await mergePatchStatus<NomadAllocation>(this.kc, this.allocations, alloc, {
                clientStatus: s.clientStatus,
                clientDescription: s.reason,
              }),
            );
          }
        }),
      ),
      // Allocations on a disconnected node are unknown until it reconnects or they are lost.
      ...plan.disconnectUpdates.map((allocId) =>
        this.patch(namespace, allocId, {
          status: { clientStatus: "unknown", clientDescription: "node disconnected" },
        }),
      ),
      ...plan.preemptions.map((p) =>
        this.patch(namespace, p.allocId, {
          spec: {
            desiredStatus: "evict",
            desiredDescription: `preempted by allocation ${p.preemptedBy}`,
          },
        }),
      ),
      // The evaluation that updated it in place names it, as Nomad's EvalID does.
      ...plan.inPlaceUpdates.map((u) =>
        this.patch(namespace, u.allocId, {
          spec: { jobVersion: u.jobVersion, evalName: ctx.evaluation.metadata.name },
        }),
      ),
      ...accepted.map((p) => this.write(() => this.create(p, ctx, namespace))),
    ]);
    if (rejected.length > 0) {
      this.log.debug(
        { evaluation: ctx.evaluation.metadata.name, rejected: rejected.length, rejectedBy },
        "plan partly refused",
      );
    }
    return { placed: accepted.length, rejected, rejectedBy };
  }

  private async create(p: Placement, ctx: PlanContext, namespace: string): Promise<void> {
    const jobName = ctx.evaluation.spec.jobName;
    const spec = allocationSpecFor(
      p,
      { jobName, jobVersion: ctx.jobVersion },
      ctx.evaluation.metadata.name,
      Date.now(),
    );
    const created = await createObject<NomadAllocation>(this.kc, this.allocations, {
      metadata: {
        name: p.id,
        namespace,
        labels: {
          [jobLabel]: jobName,
          [groupLabel]: p.group,
          [nodeLabel]: p.nodeName,
        },
        ...(ctx.job?.metadata.uid
          ? {
              ownerReferences: [
                {
                  apiVersion: "caravan.dev/v1alpha1",
                  kind: "NomadJob",
                  name: jobName,
                  uid: ctx.job.metadata.uid,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
      },
      spec,
    });
    this.view.wrote(created);
    this.metrics?.allocationsPlaced.inc();
  }

  /** Patches an allocation's spec or status, if it still exists. */
  private patch(
    namespace: string,
    allocId: string,
    change: { spec: Partial<NomadAllocation["spec"]> } | { status: NomadAllocation["status"] },
  ): Promise<void> {
    return this.write(async () => {
      const alloc = this.view.get(`${namespace}/${allocId}`);
      if (!alloc) return;
      this.view.wrote(
        "spec" in change
          ? await mergePatch<NomadAllocation>(this.kc, this.allocations, alloc, change)
          : await mergePatchStatus<NomadAllocation>(
              this.kc,
              this.allocations,
              alloc,
              change.status,
            ),
      );
    });
  }

  private write(fn: () => Promise<void>): Promise<void> {
    return this.writes.add(fn, { throwOnTimeout: true });
  }
}
