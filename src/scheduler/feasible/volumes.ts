// Feasibility: the node offers every host volume the group claims, writable
// when the claim is. Not cached per class: volumes are per node in Nomad too.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

export const MISSING_HOST_VOLUMES = "missing compatible host volumes";

export function checkHostVolumes(tg: ResolvedGroup, node: SchedulerNode): string | undefined {
  for (const v of tg.hostVolumes) {
    const have = node.hostVolumes[v.source];
    if (!have || (have.readOnly && !v.readOnly)) return MISSING_HOST_VOLUMES;
  }
  return undefined;
}
