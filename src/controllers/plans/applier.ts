// Nomad's plan applier: plans are applied one at a time. Each node a plan
// places on is re-checked against its current allocations (including those
// committed since the worker's snapshot); the part that fits is committed and
// the rest handed back, so no node is ever over-committed however many
// workers plan at once.

import PQueue from "p-queue";
import type { Logger } from "../../common/log.js";
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
  resourcesFromAllocation,
  type SchedulerResources,
} from "../../scheduler/index.js";
import type { SharedInformers } from "../informers.js";
import { fitsOnNode } from "./fit.js";
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

const terminal = new Set(["complete", "failed", "lost"]);

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
    const stopping = new Set(plan.stops.map((s) => s.allocId));
    for (const p of plan.preemptions) stopping.add(p.allocId);

    // Current usage per node: every allocation holding resources, minus what this plan stops.
    const usage = new Map<string, SchedulerResources[]>();
    for (const a of this.view.all()) {
      if (a.spec.desiredStatus !== "run" || terminal.has(a.status?.clientStatus ?? "pending"))
        continue;
      if ((a.metadata.namespace ?? "default") === namespace && stopping.has(a.metadata.name))
        continue;
      const list = usage.get(a.spec.nodeName) ?? [];
      list.push(resourcesFromAllocation(a.spec.resources));
      usage.set(a.spec.nodeName, list);
    }

    const byNode = new Map<string, Placement[]>();
    for (const p of plan.placements) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
    const accepted: Placement[] = [];
    const rejected: Placement[] = [];
    const rejectedBy: Record<string, number> = {};
    for (const [nodeName, placements] of byNode) {
      const nodeObj = this.informers.nodes.store.get(nodeName);
      const node = nodeObj ? nodeFromResource(nodeObj) : undefined;
      const fit = node
        ? fitsOnNode(
            node,
            usage.get(nodeName) ?? [],
            placements.map((p) => p.resources),
          )
        : { fits: false as const, dimension: "node gone" };
      if (fit.fits && node?.status === "ready") accepted.push(...placements);
      else {
        rejected.push(...placements);
        const why = fit.fits ? `node ${node?.status ?? "gone"}` : fit.dimension;
        rejectedBy[why] = (rejectedBy[why] ?? 0) + placements.length;
      }
    }

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
        this.write(async () => {
          const alloc = this.view.get(`${namespace}/${allocId}`);
          if (!alloc) return;
          this.view.wrote(
            await mergePatchStatus<NomadAllocation>(this.kc, this.allocations, alloc, {
              clientStatus: "unknown",
              clientDescription: "node disconnected",
            }),
          );
        }),
      ),
      ...plan.preemptions.map((p) =>
        this.write(async () => {
          const alloc = this.view.get(`${namespace}/${p.allocId}`);
          if (!alloc) return;
          this.view.wrote(
            await mergePatch<NomadAllocation>(this.kc, this.allocations, alloc, {
              spec: {
                desiredStatus: "evict",
                desiredDescription: `preempted by allocation ${p.preemptedBy}`,
              },
            }),
          );
        }),
      ),
      ...plan.inPlaceUpdates.map((u) =>
        this.write(async () => {
          const alloc = this.view.get(`${namespace}/${u.allocId}`);
          if (!alloc) return;
          this.view.wrote(
            await mergePatch<NomadAllocation>(this.kc, this.allocations, alloc, {
              spec: { jobVersion: u.jobVersion },
            }),
          );
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
          "caravan.dev/job": jobName,
          "caravan.dev/group": p.group,
          "caravan.dev/node": p.nodeName,
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

  private write(fn: () => Promise<void>): Promise<void> {
    return this.writes.add(fn, { throwOnTimeout: true });
  }
}
