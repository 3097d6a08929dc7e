// An allocation that is client-terminal (complete, failed, lost) or gone
// loses its service registrations, as Nomad's state store deregisters the
// services of client-terminal allocations: the agent deletes them when it
// stops the tasks, and this catches what it could not (its node was lost,
// the agent was killed).
import { allocationLabel } from "../../crds/names.js";
import { isClientTerminal } from "../../crds/terminal.js";
import { deleteCollection } from "../../kube/apply.js";
import { type Controller, defineController, ownerLabel, watch } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
import type { ControllerContext } from "../context.js";
import { byAllocation } from "../informers.js";

/** Allocations, as they end: their service registrations go. */
export function allocationServices(ctx: ControllerContext): Controller {
  const { kc, informers } = ctx;
  const registrations = caravanResource("NomadServiceRegistration");
  return defineController({
    name: "allocation-services",
    for: informers.allocations,
    when: (a, change) => change.type === "delete" || isClientTerminal(a.status?.clientStatus),
    // A registration written late (after its allocation ended) goes too.
    watches: [
      watch(informers.services, (r, change) =>
        change.type === "add" ? ownerLabel(allocationLabel)(r) : undefined,
      ),
    ],
    concurrency: 2,
    reconcile: async (key) => {
      if (informers.services.store.byIndex(byAllocation, key).length === 0) return undefined;
      const alloc = informers.allocations.store.get(key);
      if (alloc && !isClientTerminal(alloc.status?.clientStatus)) return undefined;
      const [namespace, name] = key.split("/");
      await deleteCollection(kc, registrations, namespace, `${allocationLabel}=${name}`);
      return undefined;
    },
  });
}
