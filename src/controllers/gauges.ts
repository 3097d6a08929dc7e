// Nomad's server pipeline gauges (broker, plan queue, blocked evaluations),
// sampled every second.
import type { Logger } from "../common/log.js";
import { every, type Runnable } from "../kube/manager.js";
import type { ControllerMetrics } from "../metrics/registry.js";
import type { EvalBroker } from "./evals/broker.js";
import type { SharedInformers } from "./informers.js";
import type { PlanApplier } from "./plans/applier.js";

export function pipelineGauges(
  metrics: ControllerMetrics,
  sources: { broker: EvalBroker; applier: PlanApplier; informers: SharedInformers },
  log: Logger,
): Runnable {
  const { broker, applier, informers } = sources;
  return every(
    "pipeline-gauges",
    1_000,
    () => {
      const stats = broker.stats();
      metrics.brokerReady.set(stats.ready);
      metrics.brokerUnacked.set(stats.unacked);
      metrics.brokerWaiting.set(stats.waiting);
      metrics.planQueueDepth.set(applier.depth);
      metrics.blockedEvals.set(
        informers.evaluations.store.list().filter((e) => e.status?.status === "blocked").length,
      );
    },
    log,
  );
}
