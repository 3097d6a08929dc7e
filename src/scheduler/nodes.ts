// Which nodes a job may use at all: ready, eligible, in one of its
// datacenters (globs allowed) and in its node pool. Nomad does this before
// the stack sees any node, so these are not counted as filtered.
import type { ResolvedJob } from "./defaults.js";
import type { SchedulerNode } from "./types.js";

const globCache = new Map<string, RegExp>();

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === value;
  let re = globCache.get(pattern);
  if (!re) {
    const src = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    re = new RegExp(`^${src}$`);
    globCache.set(pattern, re);
  }
  return re.test(value);
}

export function inDatacenters(job: ResolvedJob, node: SchedulerNode): boolean {
  for (const dc of job.datacenters) if (globMatch(dc, node.datacenter)) return true;
  return false;
}

export function inPool(job: ResolvedJob, node: SchedulerNode): boolean {
  return job.nodePool === "all" || node.nodePool === job.nodePool;
}

export function schedulable(node: SchedulerNode): boolean {
  return node.status === "ready" && node.eligible && !node.draining;
}

/** Indexes of nodes new allocations may go to, plus the counts placement metrics report. */
export function readyNodes(
  job: ResolvedJob,
  nodes: readonly SchedulerNode[],
): { indexes: number[]; byDatacenter: Record<string, number>; inPool: number } {
  const indexes: number[] = [];
  const byDatacenter: Record<string, number> = {};
  let pool = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as SchedulerNode;
    if (!inPool(job, node)) continue;
    pool++;
    if (!schedulable(node) || !inDatacenters(job, node)) continue;
    indexes.push(i);
    byDatacenter[node.datacenter] = (byDatacenter[node.datacenter] ?? 0) + 1;
  }
  return { indexes, byDatacenter, inPool: pool };
}
