// distinct_hosts and distinct_property: constraints over where the job's
// other allocations already are, so they are checked per node on every
// placement and never cached.
import type { Constraint } from "../../crds/job/index.js";
import { constraintText, resolveTarget } from "../constraints.js";
import type { EvalContext } from "../context.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

export const DISTINCT_HOSTS = "distinct_hosts";

export interface DistinctRules {
  /** 0: none, 1: per group, 2: across the whole job. */
  readonly hosts: 0 | 1 | 2;
  readonly properties: readonly { c: Constraint; jobLevel: boolean; limit: number; text: string }[];
}

export function distinctRules(
  jobConstraints: readonly Constraint[],
  tg: ResolvedGroup,
): DistinctRules {
  const isHosts = (c: Constraint) =>
    c.operator === "distinct_hosts" &&
    (c.value === undefined || c.value === "" || c.value === "true");
  const hosts = jobConstraints.some(isHosts) ? 2 : tg.constraints.some(isHosts) ? 1 : 0;
  const properties = [
    ...jobConstraints.map((c) => ({ c, jobLevel: true })),
    ...tg.constraints.map((c) => ({ c, jobLevel: false })),
  ]
    .filter(({ c }) => c.operator === "distinct_property")
    .map(({ c, jobLevel }) => ({
      c,
      jobLevel,
      limit: c.value ? Number.parseInt(c.value, 10) || 1 : 1,
      text: constraintText(c),
    }));
  return { hosts, properties };
}

/** Returns the filter reason when the node would break a distinct rule. */
export function checkDistinct(
  rules: DistinctRules,
  ctx: EvalContext,
  tg: ResolvedGroup,
  groupCounts: Int32Array,
  i: number,
  node: SchedulerNode,
): string | undefined {
  if (rules.hosts === 2 && (ctx.jobCounts[i] as number) > 0) return DISTINCT_HOSTS;
  if (rules.hosts === 1 && (groupCounts[i] as number) > 0) return DISTINCT_HOSTS;
  for (const p of rules.properties) {
    const value = p.c.attribute ? resolveTarget(p.c.attribute, node) : undefined;
    if (value === undefined) return p.text;
    let used = 0;
    for (const a of ctx.proposed) {
      if (!p.jobLevel && a.group !== tg.name) continue;
      const at = ctx.indexOf.get(a.nodeId);
      if (at === undefined) continue;
      if (resolveTarget(p.c.attribute as string, ctx.nodes[at] as SchedulerNode) === value) used++;
    }
    if (used >= p.limit) return p.text;
  }
  return undefined;
}
