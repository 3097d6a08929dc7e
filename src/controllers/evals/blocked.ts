// Blocked evaluations wait for capacity. When something could make room — a
// node joins, becomes ready or eligible, or changes its resources; an
// allocation stops or finishes — every blocked evaluation is set pending again
// and the broker hands it out. Changes are batched briefly so a burst of node
// updates unblocks once.

import type { NomadNode } from "../../crds/objects.js";
import { isActive } from "../../crds/terminal.js";
import { applyStatus } from "../../kube/apply.js";
import { aborted, type Runnable } from "../../kube/manager.js";
import { caravanResource } from "../../kube/resources.js";
import type { ControllerContext } from "../context.js";

const evaluations = caravanResource("NomadEvaluation");

export function blockedEvaluations(ctx: ControllerContext, batchMs = 200): Runnable {
  const { kc, informers, log } = ctx;
  let timer: NodeJS.Timeout | undefined;

  /** Something freed or added capacity: unblock soon. */
  const capacityChanged = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void unblockAll();
    }, batchMs);
  };

  const nodeChanged = (old: NomadNode | undefined, node: NomadNode) => {
    const usable = (n: NomadNode | undefined) =>
      n?.status?.status === "ready" && n.spec.eligibility !== "ineligible";
    if (!usable(node)) return;
    if (
      !old ||
      !usable(old) ||
      JSON.stringify(old.status?.resources) !== JSON.stringify(node.status?.resources)
    ) {
      capacityChanged();
    }
  };

  const unblockAll = async () => {
    for (const evaluation of informers.evaluations.store.list()) {
      if (evaluation.status?.status !== "blocked") continue;
      try {
        await applyStatus(kc, evaluations, evaluation, {
          ...evaluation.status,
          status: "pending",
          statusDescription: "unblocked: capacity changed",
        });
      } catch (err) {
        log.warn({ evaluation: evaluation.metadata.name, err }, "could not unblock evaluation");
      }
    }
  };

  return {
    name: "blocked-evaluations",
    run: async (signal) => {
      const detach = [
        informers.nodes.addHandlers({
          onAdd: (n) => nodeChanged(undefined, n),
          onUpdate: (o, n) => nodeChanged(o, n),
        }),
        informers.allocations.addHandlers({
          onUpdate: (o, n) => {
            if (isActive(o) && !isActive(n)) capacityChanged();
          },
          onDelete: (a) => {
            if (isActive(a)) capacityChanged();
          },
        }),
      ];
      await aborted(signal);
      for (const d of detach) d();
      if (timer) clearTimeout(timer);
    },
  };
}
