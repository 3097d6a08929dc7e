// Feasibility: job, group and task constraints. distinct_hosts and
// distinct_property depend on other placements and live in distinct.ts.
import type { Constraint } from "../../crds/job/index.js";
import { constraintText, nodeMatches } from "../constraints.js";
import type { SchedulerNode } from "../types.js";

/** Returns the text of the first constraint the node fails, which metrics count it under. */
export function checkConstraints(
  constraints: readonly Constraint[],
  node: SchedulerNode,
): string | undefined {
  for (const c of constraints) {
    if (c.operator === "distinct_hosts" || c.operator === "distinct_property") continue;
    if (!nodeMatches(c, node)) return constraintText(c);
  }
  return undefined;
}
