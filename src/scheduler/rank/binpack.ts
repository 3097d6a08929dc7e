// Binpack ranking: does the group fit on the node (ports, devices, cores,
// cpu, memory, disk), and how well. Nomad's BestFit v3 score: with the free
// fractions of cpu and memory after placing, 20 − (10^cpu + 10^mem) packs
// nodes; (10^cpu + 10^mem) − 2 spreads them. Both lie in [0, 18] and are
// normalized to [0, 1].
import type { EvalContext } from "../context.js";
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

const MAX_FIT_SCORE = 18;

/** Where the node ran out, for metrics; reused so the hot loop allocates nothing. */
export const exhausted = { dimension: "" };

export function mhzPerCore(node: SchedulerNode): number {
  const cores = node.reservableCores.length || Number(node.attributes["cpu.numcores"] ?? 0) || 1;
  return node.cpuMHz / cores;
}

/** Free reservable cores on node i. */
export function freeCores(ctx: EvalContext, i: number, node: SchedulerNode): number[] {
  const free: number[] = [];
  for (const c of node.reservableCores) {
    if (!node.reserved.cores.includes(c) && !ctx.usage.coreInUse(i, c)) free.push(c);
  }
  return free;
}

function portsFit(ctx: EvalContext, tg: ResolvedGroup, i: number, node: SchedulerNode): boolean {
  let dynamic = 0;
  for (const p of tg.ports) {
    if (p.static && p.static > 0) {
      if (!p.ignoreCollision && ctx.usage.portInUse(i, p.static)) {
        exhausted.dimension = `network: reserved port collision ${p.label}=${p.static}`;
        return false;
      }
    } else {
      dynamic++;
    }
  }
  if (dynamic > 0) {
    const range = node.maxDynamicPort - node.minDynamicPort + 1;
    const used = ctx.usage.usedPortCountInRange(i, node.minDynamicPort, node.maxDynamicPort);
    if (range - used < dynamic) {
      exhausted.dimension = "network: dynamic port selection failed";
      return false;
    }
  }
  return true;
}

/**
 * Binpack score in [0, 1] for placing the group on node i, or -1 when it does
 * not fit (exhausted.dimension says why).
 */
export function binpackScore(
  ctx: EvalContext,
  tg: ResolvedGroup,
  i: number,
  node: SchedulerNode,
  spread: boolean,
): number {
  const u = ctx.usage;
  if (tg.ports.length > 0 && !portsFit(ctx, tg, i, node)) return -1;
  let cpuAsk = tg.cpuMHz;
  if (tg.coresTotal > 0) {
    if (freeCores(ctx, i, node).length < tg.coresTotal) {
      exhausted.dimension = "cores";
      return -1;
    }
    cpuAsk += tg.coresTotal * mhzPerCore(node);
  }
  const cpuLeft = (u.cpuFree[i] as number) - cpuAsk;
  if (cpuLeft < 0) {
    exhausted.dimension = "cpu";
    return -1;
  }
  const memLeft = (u.memFree[i] as number) - tg.memoryMB;
  if (memLeft < 0) {
    exhausted.dimension = "memory";
    return -1;
  }
  if ((u.diskFree[i] as number) - tg.diskMB < 0) {
    exhausted.dimension = "disk";
    return -1;
  }
  if (node.maxAllocs > 0 && (u.allocCount[i] as number) >= node.maxAllocs) {
    exhausted.dimension = "allocations";
    return -1;
  }
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
