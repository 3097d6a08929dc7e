// Blocked evaluations wait for capacity. When something could make room — a
// node joins, becomes ready or eligible, or changes its resources; an
// allocation stops or finishes — every blocked evaluation is set pending again
// and the broker hands it out. Changes are batched briefly so a burst of node
// updates unblocks once.

import type { Logger } from "../../common/log.js";
import type { NomadAllocation, NomadNode } from "../../crds/objects.js";
import { applyStatus } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import type { SharedInformers } from "../informers.js";

const terminal = new Set(["complete", "failed", "lost"]);

export class BlockedEvals {
  private timer: NodeJS.Timeout | undefined;
  private readonly evaluations = caravanResource("NomadEvaluation");

  constructor(
    private readonly kc: KubeConfig,
    private readonly informers: SharedInformers,
    private readonly log: Logger,
    private readonly batchMs = 200,
  ) {
    informers.nodes.addHandlers({
      onAdd: (n) => this.nodeChanged(undefined, n),
      onUpdate: (o, n) => this.nodeChanged(o, n),
    });
    informers.allocations.addHandlers({
      onUpdate: (o, n) => {
        if (holds(o) && !holds(n)) this.capacityChanged();
      },
      onDelete: (a) => {
        if (holds(a)) this.capacityChanged();
      },
    });
  }

  /** Something freed or added capacity: unblock soon. */
  capacityChanged(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.unblockAll();
    }, this.batchMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private nodeChanged(old: NomadNode | undefined, node: NomadNode): void {
    const usable = (n: NomadNode | undefined) =>
      n?.status?.status === "ready" && n.spec.eligibility !== "ineligible";
    if (!usable(node)) return;
    if (
      !old ||
      !usable(old) ||
      JSON.stringify(old.status?.resources) !== JSON.stringify(node.status?.resources)
    ) {
      this.capacityChanged();
    }
  }

  private async unblockAll(): Promise<void> {
    for (const evaluation of this.informers.evaluations.store.list()) {
      if (evaluation.status?.status !== "blocked") continue;
      try {
        await applyStatus(this.kc, this.evaluations, evaluation, {
          ...evaluation.status,
          status: "pending",
          statusDescription: "unblocked: capacity changed",
        });
      } catch (err) {
        this.log.warn(
          { evaluation: evaluation.metadata.name, err },
          "could not unblock evaluation",
        );
      }
    }
  }
}

function holds(a: NomadAllocation): boolean {
  return a.spec.desiredStatus === "run" && !terminal.has(a.status?.clientStatus ?? "pending");
}
