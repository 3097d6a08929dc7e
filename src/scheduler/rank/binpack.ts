// Binpack ranking: how well the group fits on a node it fits on (fit.ts
// says whether it does). Nomad's BestFit v3 score: with the free fractions
// of cpu and memory after placing, 20 − (10^cpu + 10^mem) packs nodes;
// (10^cpu + 10^mem) − 2 spreads them. Both lie in [0, 18] and are
// normalized to [0, 1].
import type { ResolvedGroup } from "../defaults.js";
import { cpuAsk } from "../fit.js";
import type { SchedulerNode } from "../types.js";
import type { NodeUsage } from "../usage.js";

const MAX_FIT_SCORE = 18;

/** Binpack score in [0, 1] for placing the group on node i, which it fits on. */
export function binpackScore(
  u: NodeUsage,
  tg: ResolvedGroup,
  i: number,
  node: SchedulerNode,
  spread: boolean,
): number {
  const cpuLeft = (u.cpuFree[i] as number) - cpuAsk(tg, node);
  const memLeft = (u.memFree[i] as number) - tg.memoryMB;
  const cpuCap = u.cpuCap[i] as number;
  const memCap = u.memCap[i] as number;
  const freeCpu = cpuCap > 0 ? cpuLeft / cpuCap : 0;
  const freeMem = memCap > 0 ? memLeft / memCap : 0;
  const total = 10 ** freeCpu + 10 ** freeMem;
  let score = spread ? total - 2 : 20 - total;
  if (score > MAX_FIT_SCORE) score = MAX_FIT_SCORE;
  else if (score < 0) score = 0;
  return score / MAX_FIT_SCORE;
}
