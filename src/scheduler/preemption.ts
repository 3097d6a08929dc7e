// Preemption: when a node cannot fit the group, pick allocations of jobs at
// least 10 priority levels lower to evict, lowest priority first and, among
// equals, the ones that free most of what is missing — so as few and as
// unimportant allocations as possible go.
import type { EvalContext } from "./context.js";
import type { ResolvedGroup } from "./defaults.js";
import type { SchedulerAlloc } from "./types.js";

/** Nomad's rule: only jobs this much lower in priority can be preempted. */
export const PRIORITY_DELTA = 10;

export function findPreemptions(
  ctx: EvalContext,
  tg: ResolvedGroup,
  i: number,
  jobPriority: number,
): SchedulerAlloc[] | undefined {
  const u = ctx.usage;
  let needCpu = tg.cpuMHz - (u.cpuFree[i] as number);
  let needMem = tg.memoryMB - (u.memFree[i] as number);
  let needDisk = tg.diskMB - (u.diskFree[i] as number);
  if (needCpu <= 0 && needMem <= 0 && needDisk <= 0) return undefined;
  const candidates = (u.allocsOn.get(i) ?? []).filter(
    (a) => jobPriority - a.jobPriority >= PRIORITY_DELTA && !ctx.isJobAlloc(a),
  );
  const chosen: SchedulerAlloc[] = [];
  while (needCpu > 0 || needMem > 0 || needDisk > 0) {
    let best: SchedulerAlloc | undefined;
    let bestKey = Number.POSITIVE_INFINITY;
    let bestCover = -1;
    for (const a of candidates) {
      if (chosen.includes(a)) continue;
      const cover =
        (needCpu > 0 ? Math.min(a.resources.cpuMHz, needCpu) / needCpu : 0) +
        (needMem > 0 ? Math.min(a.resources.memoryMB, needMem) / needMem : 0) +
        (needDisk > 0 ? Math.min(a.resources.diskMB, needDisk) / needDisk : 0);
      if (cover <= 0) continue;
      if (a.jobPriority < bestKey || (a.jobPriority === bestKey && cover > bestCover)) {
        best = a;
        bestKey = a.jobPriority;
        bestCover = cover;
      }
    }
    if (!best) return undefined;
    chosen.push(best);
    needCpu -= best.resources.cpuMHz;
    needMem -= best.resources.memoryMB;
    needDisk -= best.resources.diskMB;
  }
  return chosen;
}

/** Preempting is a last resort: the score falls with the evicted priorities. */
export function preemptionScore(preempted: readonly SchedulerAlloc[]): number {
  let net = 0;
  for (const a of preempted) net += a.jobPriority;
  return -net / (net + 2048);
}
