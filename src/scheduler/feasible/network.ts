// Feasibility: the node supports the group's network mode and has the host
// networks its ports name. Port availability is a resource: binpack checks it.
import type { ResolvedGroup } from "../defaults.js";
import type { SchedulerNode } from "../types.js";

export const MISSING_NETWORK = "missing network";

export function checkNetwork(tg: ResolvedGroup, node: SchedulerNode): string | undefined {
  const mode = tg.networkMode;
  if (mode !== "host" && mode !== "none" && !node.networkModes.includes(mode)) {
    return MISSING_NETWORK;
  }
  for (const p of tg.ports) {
    if (
      p.hostNetwork &&
      p.hostNetwork !== "default" &&
      !node.hostNetworks.includes(p.hostNetwork)
    ) {
      return MISSING_NETWORK;
    }
  }
  return undefined;
}
