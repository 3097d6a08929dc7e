// A simulated node agent for control-loop tests: it reports the allocations
// placed in a namespace as running (with task start times, as the real agent
// writes them) and those told to stop as complete, through the status
// subresource. `hold` keeps chosen allocations pending, as a task that never
// comes up would.
import { mergePatchStatus } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { caravanResource, collectionPath } from "../../src/kube/resources.js";
import { getJson } from "../../src/kube/rest.js";
import type { Obj } from "./allocations.js";

export interface SimulatedAgent {
  stop(): void;
}

export function simulateAgent(
  kubeconfig: string,
  ns: string,
  options: { hold?: (alloc: Obj) => boolean; intervalMs?: number } = {},
): SimulatedAgent {
  const kc = loadKubeConfig(kubeconfig);
  const ref = caravanResource("NomadAllocation");
  let stopped = false;
  const tick = async () => {
    const list = await getJson<{ items: Obj[] }>(kc, collectionPath(ref, ns));
    for (const a of list.items) {
      const client = a.status?.clientStatus ?? "pending";
      const now = new Date().toISOString();
      if (a.spec.desiredStatus === "run" && client === "pending" && !options.hold?.(a)) {
        const taskStates = Object.fromEntries(
          Object.keys(a.spec.resources?.tasks ?? { main: {} }).map((t) => [
            t,
            { state: "running", startedAt: now },
          ]),
        );
        await mergePatchStatus(
          kc,
          ref,
          { metadata: a.metadata },
          {
            clientStatus: "running",
            taskStates,
            modifyTime: now,
          },
        );
      } else if (a.spec.desiredStatus !== "run" && (client === "running" || client === "pending")) {
        await mergePatchStatus(
          kc,
          ref,
          { metadata: a.metadata },
          { clientStatus: "complete", modifyTime: now },
        );
      }
    }
  };
  const loop = async () => {
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
    }
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
    },
  };
}
