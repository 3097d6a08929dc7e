// Does a node still hold what a plan puts on it? The plan applier's re-check,
// Nomad's AllocsFit: CPU, memory, disk, ports, reserved cores and device
// instances, against every allocation on the node that is not terminal,
// including those committed since the scheduler took its snapshot.
import type { SchedulerAlloc, SchedulerNode, SchedulerResources } from "../../scheduler/index.js";

export type FitResult = { fits: true } | { fits: false; dimension: string };

export function fitsOnNode(
  node: SchedulerNode,
  existing: readonly SchedulerResources[],
  adding: readonly SchedulerResources[],
): FitResult {
  let cpu = 0;
  let memory = 0;
  let disk = 0;
  const ports = new Set<number>(node.reserved.ports);
  const cores = new Set<number>(node.reserved.cores);
  const devices = new Set<string>();
  for (const r of [...existing, ...adding]) {
    cpu += r.cpuMHz;
    // With oversubscription the scheduler still reserves `memory`; memory_max is a limit only.
    memory += r.memoryMB;
    disk += r.diskMB;
    for (const p of r.ports) {
      if (ports.has(p.value))
        return { fits: false, dimension: `network: port collision ${p.value}` };
      ports.add(p.value);
    }
    for (const c of r.cores) {
      if (cores.has(c)) return { fits: false, dimension: "cores" };
      cores.add(c);
    }
    for (const d of r.devices) {
      for (const id of d.ids) {
        if (devices.has(id))
          return { fits: false, dimension: `devices: ${d.vendor}/${d.type}/${d.name}` };
        devices.add(id);
      }
    }
  }
  if (cpu > node.cpuMHz - node.reserved.cpuMHz) return { fits: false, dimension: "cpu" };
  if (memory > node.memoryMB - node.reserved.memoryMB) return { fits: false, dimension: "memory" };
  if (disk > node.diskMB - node.reserved.diskMB) return { fits: false, dimension: "disk" };
  return { fits: true };
}

export function holdsResources(a: SchedulerAlloc): boolean {
  return (
    a.desiredStatus === "run" &&
    a.clientStatus !== "complete" &&
    a.clientStatus !== "failed" &&
    a.clientStatus !== "lost"
  );
}
