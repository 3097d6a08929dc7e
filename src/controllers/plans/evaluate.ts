// Nomad's evaluatePlan: which of a plan's placements still fit. Each node the
// plan places on is re-checked against the allocations that hold resources
// there now (including those committed since the worker's snapshot), minus
// what the plan stops or preempts, with the scheduler's own fit check.

import type { NomadAllocation } from "../../crds/objects.js";
import { isTerminal } from "../../crds/terminal.js";
import {
  allocsFit,
  type Placement,
  type Plan,
  resourcesFromAllocation,
  type SchedulerNode,
  type SchedulerResources,
} from "../../scheduler/index.js";

export interface PlanEvaluation {
  accepted: Placement[];
  /** Placements refused because their node no longer had room. */
  rejected: Placement[];
  /** Why nodes refused, by dimension, for the evaluation's metrics. */
  rejectedBy: Record<string, number>;
}

export function evaluatePlan(
  plan: Plan,
  namespace: string,
  allocations: readonly NomadAllocation[],
  nodeOf: (name: string) => SchedulerNode | undefined,
): PlanEvaluation {
  const stopping = new Set(plan.stops.map((s) => s.allocId));
  for (const p of plan.preemptions) stopping.add(p.allocId);

  // Current usage per node: every allocation holding resources, minus what this plan stops.
  const usage = new Map<string, SchedulerResources[]>();
  for (const a of allocations) {
    if (isTerminal(a)) continue;
    if ((a.metadata.namespace ?? "default") === namespace && stopping.has(a.metadata.name))
      continue;
    const list = usage.get(a.spec.nodeName) ?? [];
    list.push(resourcesFromAllocation(a.spec.resources));
    usage.set(a.spec.nodeName, list);
  }

  const byNode = new Map<string, Placement[]>();
  for (const p of plan.placements) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
  const out: PlanEvaluation = { accepted: [], rejected: [], rejectedBy: {} };
  for (const [nodeName, placements] of byNode) {
    const node = nodeOf(nodeName);
    const fit = node
      ? allocsFit(
          node,
          usage.get(nodeName) ?? [],
          placements.map((p) => p.resources),
        )
      : { fits: false as const, dimension: "node gone" };
    if (fit.fits && node?.status === "ready") out.accepted.push(...placements);
    else {
      out.rejected.push(...placements);
      const why = fit.fits ? `node ${node?.status ?? "gone"}` : fit.dimension;
      out.rejectedBy[why] = (out.rejectedBy[why] ?? 0) + placements.length;
    }
  }
  return out;
}
