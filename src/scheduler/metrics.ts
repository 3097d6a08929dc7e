// Nomad's AllocMetric: why a placement went where it did, or nowhere. One
// instance per Select; counters only, so recording costs nothing in the hot loop.
import type { AllocationMetric, EvaluationNodeScore } from "../crds/evaluation.js";
import type { SchedulerNode } from "./types.js";

const TOP_K = 5;

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

export class Metrics {
  nodesEvaluated = 0;
  nodesFiltered = 0;
  nodesExhausted = 0;
  nodesInPool = 0;
  nodePool = "";
  nodesAvailable: Record<string, number> = {};
  classFiltered: Record<string, number> = {};
  constraintFiltered: Record<string, number> = {};
  classExhausted: Record<string, number> = {};
  dimensionExhausted: Record<string, number> = {};
  resourcesExhausted: Record<
    string,
    { cpu?: number; memoryMB?: number; diskMB?: number; cores?: number }
  > = {};
  /** Best scores, highest first, at most TOP_K. */
  top: EvaluationNodeScore[] = [];
  coalescedFailures = 0;

  filter(node: SchedulerNode, reason: string): void {
    this.nodesFiltered++;
    if (node.nodeClass) bump(this.classFiltered, node.nodeClass);
    bump(this.constraintFiltered, reason);
  }

  /** Per task, what it asked for, recorded once a node ran out of cpu, memory or cores. */
  exhaustResources(
    tasks: readonly { name: string; cpuMHz: number; memoryMB: number; cores: number }[],
  ): void {
    for (const t of tasks) {
      this.resourcesExhausted[t.name] = {
        cpu: t.cpuMHz,
        memoryMB: t.memoryMB,
        ...(t.cores > 0 ? { cores: t.cores } : {}),
      };
    }
  }

  exhaust(node: SchedulerNode, dimension: string): void {
    this.nodesExhausted++;
    if (node.nodeClass) bump(this.classExhausted, node.nodeClass);
    bump(this.dimensionExhausted, dimension);
  }

  /** Offers a scored node to the top-K list; allocates only when it makes the list. */
  score(
    node: SchedulerNode,
    finalScore: number,
    binpack: number,
    antiAffinity: number,
    penalty: number,
    affinity: number,
    spread: number,
  ): void {
    const top = this.top;
    if (top.length === TOP_K && finalScore <= (top[TOP_K - 1]?.normScore ?? 0)) return;
    const entry = {
      nodeName: node.name,
      scores: {
        binpack,
        "job-anti-affinity": antiAffinity,
        "node-reschedule-penalty": penalty,
        "node-affinity": affinity,
        "allocation-spread": spread,
      },
      normScore: finalScore,
    };
    let at = top.length;
    while (at > 0 && (top[at - 1]?.normScore ?? 0) < finalScore) at--;
    top.splice(at, 0, entry);
    if (top.length > TOP_K) top.pop();
  }

  /**
   * The metric as stored on every allocation: empty maps, zero scores and
   * digits past the fourth decimal left out, since ten thousand allocations
   * each carry one and `alloc status -verbose` shows three decimals.
   */
  toAllocationMetric(elapsedMs: number): AllocationMetric {
    const m: AllocationMetric = {
      nodesEvaluated: this.nodesEvaluated,
      nodesFiltered: this.nodesFiltered,
      nodesInPool: this.nodesInPool,
      nodePool: this.nodePool,
      nodesExhausted: this.nodesExhausted,
      scoreMetaData: this.top.map((t) => ({
        nodeName: t.nodeName,
        scores: Object.fromEntries(
          Object.entries(t.scores ?? {})
            .filter(([, v]) => v !== 0)
            .map(([k, v]) => [k, round4(v)]),
        ),
        normScore: round4(t.normScore ?? 0),
      })),
      allocationTime: `${Math.round(elapsedMs * 1e6)}ns`,
    };
    const maps = {
      nodesAvailable: this.nodesAvailable,
      classFiltered: this.classFiltered,
      constraintFiltered: this.constraintFiltered,
      classExhausted: this.classExhausted,
      dimensionExhausted: this.dimensionExhausted,
    };
    for (const [key, value] of Object.entries(maps))
      if (Object.keys(value).length > 0) m[key as keyof typeof maps] = { ...value };
    if (Object.keys(this.resourcesExhausted).length > 0) {
      m.resourcesExhausted = { ...this.resourcesExhausted };
    }
    if (this.coalescedFailures > 0) m.coalescedFailures = this.coalescedFailures;
    return m;
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
