// Caravan's controllers: the list of them, started together on shared
// informers. Everything here runs only on the leader; the composition root
// (src/server) decides when. Each controller declares what it watches; the
// runtime (src/kube/controller.ts) wires informers, queues and retries.

import type { Logger } from "../common/log.js";
import { nodeLeaseNamespace } from "../crds/names.js";
import type { Controller } from "../kube/controller.js";
import { EventRecorder } from "../kube/events.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { type Runnable, startManager } from "../kube/manager.js";
import { ensureNamespace } from "../kube/namespaces.js";
import { type ControllerMetrics, createControllerMetrics } from "../metrics/registry.js";
import { allocationFailures } from "./allocations/failures.js";
import { allocationServices } from "./allocations/services.js";
import type { ControllerContext } from "./context.js";
import { deploymentWatcher } from "./deployments/watcher.js";
import { drainer } from "./drain/drainer.js";
import { blockedEvaluations } from "./evals/blocked.js";
import { EvalBroker } from "./evals/broker.js";
import { SnapshotBuilder } from "./evals/snapshot.js";
import { schedulerWorkers } from "./evals/worker.js";
import { pipelineGauges } from "./gauges.js";
import { defaultThresholds, type GcThresholds } from "./gc/collect.js";
import { garbageCollector } from "./gc/controller.js";
import { createInformers, type SharedInformers } from "./informers.js";
import { jobController } from "./jobs/controller.js";
import { nodeLiveness } from "./nodes/liveness.js";
import { periodicController } from "./periodic/controller.js";
import { PlanApplier } from "./plans/applier.js";
import { AllocationView } from "./plans/view.js";
import { serviceMirror } from "./services/mirror.js";

export interface Controllers {
  metrics: ControllerMetrics;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  /** Act on one namespace only (tests, namespace-scoped installs); unset means all. */
  namespace?: string;
  /** Scheduler workers (Nomad's num_schedulers); default 2. */
  numSchedulers?: number;
  /** Garbage collection: thresholds (Nomad's server defaults when unset) and how often it runs (5 min). */
  gc?: { thresholds?: Partial<GcThresholds>; intervalMs?: number };
  /** The clock periodic launches follow (tests fix it); Date.now when unset. */
  clock?: () => number;
  /** Where the controllers report; a private registry when unset. */
  metrics?: ControllerMetrics;
  /**
   * Informers shared with the process's API server (one cache per kind);
   * created and stopped by the controllers when unset.
   */
  informers?: SharedInformers;
}

export async function startControllers(
  kc: KubeConfig,
  log: Logger,
  options: ControllerOptions = {},
): Promise<Controllers> {
  const informers = options.informers ?? createInformers(kc, log, options.namespace);
  const events = new EventRecorder(kc, "caravan.dev/controller", log);
  const metrics = options.metrics ?? createControllerMetrics();
  const ctx: ControllerContext = { kc, informers, events, log, now: Date.now };

  // Nomad's server pipeline: eval broker → scheduler workers → plan applier, and blocked evaluations.
  const broker = new EvalBroker();
  const allocations = new AllocationView(informers.allocations);
  const applier = new PlanApplier(
    kc,
    informers,
    allocations,
    log.child({ component: "plan-applier" }),
    metrics,
  );

  const parts: (Controller | Runnable)[] = [
    jobController(ctx),
    allocationFailures(ctx),
    allocationServices(ctx),
    serviceMirror(ctx),
    nodeLiveness(ctx),
    deploymentWatcher(ctx),
    drainer(ctx),
    periodicController({ ...ctx, now: options.clock ?? Date.now }),
    schedulerWorkers(options.numSchedulers ?? 2, {
      kc,
      broker,
      snapshots: new SnapshotBuilder(informers, allocations),
      applier,
      informers,
      events,
      log: log.child({ component: "worker" }),
      metrics,
    }),
    blockedEvaluations(ctx),
    garbageCollector(
      { ...ctx, log: log.child({ component: "gc" }) },
      {
        thresholds: { ...defaultThresholds, ...options.gc?.thresholds },
        intervalMs: options.gc?.intervalMs ?? 300_000,
      },
    ),
    pipelineGauges(metrics, { broker, applier, informers }, log),
  ];

  await ensureNamespace(kc, nodeLeaseNamespace);
  informers.start();
  await informers.waitForSync();
  log.info("informers synced");
  const manager = startManager(parts, { log, events });
  return {
    metrics,
    async stop() {
      await manager.stop();
      if (!options.informers) informers.stop();
    },
  };
}
