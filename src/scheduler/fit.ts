// Nomad's AllocsFit: does a node hold what is put on it? One check for the
// scheduler's ranking (a group on a node, against the usage the plan has
// built so far) and for the plan applier's re-check (a plan's placements on a
// node, against every allocation that holds resources there now). Node
// resources count after what the node reserves; a node's max_allocs
// (client.max_allocs) caps how many allocations it runs.
import type { ResolvedGroup } from "./defaults.js";
import type { SchedulerNode, SchedulerResources } from "./types.js";
import { NodeUsage } from "./usage.js";

export type FitResult =
  | { readonly fits: true }
  | { readonly fits: false; readonly dimension: string };

/**
 * The countable dimensions: whether `allocs` more allocations asking for
 * cpu, memory and disk fit in what node i has free. Returns the exhausted
 * dimension, or undefined when they fit. Allocates nothing (the ranking's hot loop).
 */
export function capacityExhausted(
  u: NodeUsage,
  i: number,
  node: SchedulerNode,
  cpuMHz: number,
  memoryMB: number,
  diskMB: number,
  allocs: number,
): string | undefined {
  if ((u.cpuFree[i] as number) - cpuMHz < 0) return "cpu";
  if ((u.memFree[i] as number) - memoryMB < 0) return "memory";
  if ((u.diskFree[i] as number) - diskMB < 0) return "disk";
  if (node.maxAllocs > 0 && (u.allocCount[i] as number) + allocs > node.maxAllocs)
    return "allocations";
  return undefined;
}

/** CPU a group asks for on a node: its tasks' MHz plus the reserved cores' share. */
export function cpuAsk(tg: ResolvedGroup, node: SchedulerNode): number {
  return tg.coresTotal > 0 ? tg.cpuMHz + tg.coresTotal * mhzPerCore(node) : tg.cpuMHz;
}

export function mhzPerCore(node: SchedulerNode): number {
  const cores = node.reservableCores.length || Number(node.attributes["cpu.numcores"] ?? 0) || 1;
  return node.cpuMHz / cores;
}

/** Free reservable cores on node i. */
export function freeCores(u: NodeUsage, i: number, node: SchedulerNode): number[] {
  const free: number[] = [];
  for (const c of node.reservableCores) {
    if (!node.reserved.cores.includes(c) && !u.coreInUse(i, c)) free.push(c);
  }
  return free;
}

function portsExhausted(
  u: NodeUsage,
  tg: ResolvedGroup,
  i: number,
  node: SchedulerNode,
): string | undefined {
  let dynamic = 0;
  for (const p of tg.ports) {
    if (p.static && p.static > 0) {
      if (!p.ignoreCollision && u.portInUse(i, p.static))
        return `network: reserved port collision ${p.label}=${p.static}`;
    } else {
      dynamic++;
    }
  }
  if (dynamic > 0) {
    const range = node.maxDynamicPort - node.minDynamicPort + 1;
    const used = u.usedPortCountInRange(i, node.minDynamicPort, node.maxDynamicPort);
    if (range - used < dynamic) return "network: dynamic port selection failed";
  }
  return undefined;
}

/**
 * Whether one more allocation of the group fits on node i (ports, cores,
 * cpu, memory, disk, max_allocs): the exhausted dimension, or undefined.
 * Device instances are assigned, and checked, by the stack.
 */
export function groupExhausted(
  u: NodeUsage,
  tg: ResolvedGroup,
  i: number,
  node: SchedulerNode,
): string | undefined {
  if (tg.ports.length > 0) {
    const ports = portsExhausted(u, tg, i, node);
    if (ports !== undefined) return ports;
  }
  if (tg.coresTotal > 0 && freeCores(u, i, node).length < tg.coresTotal) return "cores";
  return capacityExhausted(u, i, node, cpuAsk(tg, node), tg.memoryMB, tg.diskMB, 1);
}

/** What of r collides with what node i already has: a port, a core or a device instance. */
function collision(
  u: NodeUsage,
  i: number,
  node: SchedulerNode,
  r: SchedulerResources,
): string | undefined {
  for (const p of r.ports) if (u.portInUse(i, p.value)) return `network: port collision ${p.value}`;
  for (const c of r.cores) if (node.reserved.cores.includes(c) || u.coreInUse(i, c)) return "cores";
  for (const d of r.devices)
    for (const id of d.ids)
      if (u.deviceInUse(i, id)) return `devices: ${d.vendor}/${d.type}/${d.name}`;
  return undefined;
}

/**
 * The plan applier's check: whether `adding` fits on the node next to
 * `existing` (every allocation there that holds resources and that the plan
 * does not stop). Ports, cores and device instances may not be given twice.
 */
export function allocsFit(
  node: SchedulerNode,
  existing: readonly SchedulerResources[],
  adding: readonly SchedulerResources[],
): FitResult {
  const u = new NodeUsage([node], new Map([[node.id, 0]]));
  for (const r of [...existing, ...adding]) {
    const taken = collision(u, 0, node, r);
    if (taken !== undefined) return { fits: false, dimension: taken };
    // With oversubscription the scheduler still reserves `memory`; memory_max is a limit only.
    u.apply(0, r, 1);
  }
  // Everything is on the node now: nothing may be overdrawn.
  const dimension = capacityExhausted(u, 0, node, 0, 0, 0, 0);
  return dimension === undefined ? { fits: true } : { fits: false, dimension };
}
