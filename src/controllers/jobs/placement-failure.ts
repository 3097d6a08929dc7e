// Says in words why allocations are queued, from the scheduler's metrics,
// the way `nomad job status` explains a placement failure.
import type { AllocationMetric } from "../../crds/evaluation.js";

export function describePlacementFailure(
  group: string,
  queued: number,
  metric: AllocationMetric,
): string {
  const reasons: string[] = [];
  const evaluated = metric.nodesEvaluated ?? 0;
  if (evaluated === 0 && Object.keys(metric.nodesAvailable ?? {}).length === 0) {
    reasons.push("no nodes were eligible for evaluation");
  }
  for (const [constraint, count] of sortedEntries(metric.constraintFiltered)) {
    reasons.push(`constraint ${constraint} filtered ${count} ${nodes(count)}`);
  }
  for (const [nodeClass, count] of sortedEntries(metric.classFiltered)) {
    reasons.push(`class "${nodeClass}" filtered ${count} ${nodes(count)}`);
  }
  for (const [dimension, count] of sortedEntries(metric.dimensionExhausted)) {
    reasons.push(`${dimension} exhausted on ${count} ${nodes(count)}`);
  }
  const head = `${queued} ${queued === 1 ? "allocation" : "allocations"} of group "${group}" not placed`;
  return reasons.length > 0 ? `${head}: ${reasons.join("; ")}` : head;
}

function nodes(n: number): string {
  return n === 1 ? "node" : "nodes";
}

function sortedEntries(map: Record<string, number> | undefined): [string, number][] {
  return Object.entries(map ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
