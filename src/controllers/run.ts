// Starts Caravan's controllers on shared informers. Everything here runs only
// on the leader; `caravan controller` and `caravan dev` decide when.

import type { Logger } from "../common/log.js";
import type { NomadAllocation, NomadEvaluation, NomadJob } from "../crds/objects.js";
import { type RunningController, runController } from "../kube/controller.js";
import { EventRecorder } from "../kube/events.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { ensureNamespace } from "../kube/namespaces.js";
import { objectKey } from "../kube/store.js";
import { WorkQueue } from "../kube/workqueue.js";
import { type ControllerMetrics, createControllerMetrics } from "../metrics/registry.js";
import { allocationFailureReconciler } from "./allocations/failures.js";
import { deploymentQueue, deploymentReconciler } from "./deployments/watcher.js";
import { drainQueue, drainReconciler } from "./drain/drainer.js";
import { BlockedEvals } from "./evals/blocked.js";
import { EvalBroker } from "./evals/broker.js";
import { SnapshotBuilder } from "./evals/snapshot.js";
import { startWorkers } from "./evals/worker.js";
import { defaultThresholds, type GcThresholds } from "./gc/collect.js";
import { startGc } from "./gc/controller.js";
import { createInformers, jobKey, nodeLeaseNamespace, type SharedInformers } from "./informers.js";
import { jobReconciler } from "./jobs/controller.js";
import { jobLabel } from "./jobs/versions.js";
import { livenessReconciler } from "./nodes/liveness.js";
import { periodicQueue, periodicReconciler } from "./periodic/controller.js";
import { PlanApplier } from "./plans/applier.js";
import { AllocationView } from "./plans/view.js";

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

  const jobQueue = new WorkQueue();
  const enqueueJob = (obj: { metadata: { namespace?: string } }, jobName: string | undefined) => {
    if (jobName) jobQueue.add(jobKey(obj.metadata.namespace, jobName));
  };
  // A child's change (periodic, dispatched) changes its parent's children summary.
  const withParent = (j: NomadJob) => {
    jobQueue.add(objectKey(j));
    const parent = j.metadata.labels?.["caravan.dev/parent"];
    if (parent) jobQueue.add(jobKey(j.metadata.namespace, parent));
  };
  informers.jobs.addHandlers({
    onAdd: withParent,
    onUpdate: (_o, j) => withParent(j),
    onDelete: (j) => {
      const parent = j.metadata.labels?.["caravan.dev/parent"];
      if (parent) jobQueue.add(jobKey(j.metadata.namespace, parent));
    },
  });
  const byOwnerJob = {
    onAdd: (o: NomadAllocation | NomadEvaluation) => enqueueJob(o, o.spec.jobName),
    onUpdate: (_old: NomadAllocation | NomadEvaluation, o: NomadAllocation | NomadEvaluation) =>
      enqueueJob(o, o.spec.jobName),
    onDelete: (o: NomadAllocation | NomadEvaluation) => enqueueJob(o, o.spec.jobName),
  };
  informers.allocations.addHandlers(byOwnerJob);
  informers.evaluations.addHandlers(byOwnerJob);
  informers.versions.addHandlers({
    onAdd: (v) => enqueueJob(v, v.metadata.labels[jobLabel]),
    // A version becomes stable when its deployment succeeds.
    onUpdate: (_o, v) => enqueueJob(v, v.metadata.labels[jobLabel]),
    onDelete: (v) => enqueueJob(v, v.metadata.labels[jobLabel]),
  });

  const drains = drainQueue(informers);
  const periodics = periodicQueue(informers);
  const deployments = deploymentQueue(informers);

  // Nomad's server pipeline: eval broker → scheduler workers → plan applier, and blocked evaluations.
  const broker = new EvalBroker();
  informers.evaluations.addHandlers({
    onAdd: (e) => broker.observe(e),
    onUpdate: (_o, e) => broker.observe(e),
    onDelete: (e) => broker.observe(e, true),
  });
  const allocations = new AllocationView(informers.allocations);
  const metrics = options.metrics ?? createControllerMetrics();
  const applier = new PlanApplier(
    kc,
    informers,
    allocations,
    log.child({ component: "plan-applier" }),
    metrics,
  );
  const blocked = new BlockedEvals(kc, informers, log);

  const nodeQueue = new WorkQueue();
  informers.nodes.addHandlers({
    onAdd: (n) => nodeQueue.add(n.metadata.name),
    onUpdate: (_o, n) => nodeQueue.add(n.metadata.name),
    onDelete: (n) => nodeQueue.add(n.metadata.name),
  });
  informers.leases.addHandlers({
    onAdd: (l) => nodeQueue.add(l.metadata.name),
    onUpdate: (_o, l) => nodeQueue.add(l.metadata.name),
    onDelete: (l) => nodeQueue.add(l.metadata.name),
  });
  const failedQueue = new WorkQueue();
  informers.allocations.addHandlers({
    onUpdate: (old, a) => {
      if (old.status?.clientStatus !== "failed" && a.status?.clientStatus === "failed")
        failedQueue.add(objectKey(a));
    },
  });
  await ensureNamespace(kc, nodeLeaseNamespace);

  informers.start();
  await informers.waitForSync();
  log.info("informers synced");

  const workers = startWorkers(options.numSchedulers ?? 2, {
    kc,
    broker,
    snapshots: new SnapshotBuilder(informers, allocations),
    applier,
    informers,
    events,
    log: log.child({ component: "worker" }),
    metrics,
  });
  const gc = startGc({
    kc,
    informers,
    log: log.child({ component: "gc" }),
    thresholds: { ...defaultThresholds, ...options.gc?.thresholds },
    intervalMs: options.gc?.intervalMs ?? 300_000,
  });
  const gauges = setInterval(() => {
    const stats = broker.stats();
    metrics.brokerReady.set(stats.ready);
    metrics.brokerUnacked.set(stats.unacked);
    metrics.brokerWaiting.set(stats.waiting);
    metrics.planQueueDepth.set(applier.depth);
    metrics.blockedEvals.set(
      informers.evaluations.store.list().filter((e) => e.status?.status === "blocked").length,
    );
  }, 1_000);
  gauges.unref();

  const running: RunningController[] = [
    runController({
      name: "allocation-failures",
      queue: failedQueue,
      reconcile: allocationFailureReconciler(kc, informers),
      concurrency: 2,
      log,
    }),
    runController({
      name: "node-liveness",
      queue: nodeQueue,
      reconcile: livenessReconciler({ kc, informers, events, log }),
      concurrency: 2,
      log,
    }),
    runController({
      name: "deployment-watcher",
      queue: deployments,
      reconcile: deploymentReconciler({ kc, informers, events, log }),
      concurrency: 2,
      log,
    }),
    runController({
      name: "drainer",
      queue: drains,
      reconcile: drainReconciler({ kc, informers, events, log }),
      concurrency: 2,
      log,
    }),
    runController({
      name: "periodic",
      queue: periodics,
      reconcile: periodicReconciler({
        kc,
        informers,
        events,
        log,
        ...(options.clock ? { now: options.clock } : {}),
      }),
      concurrency: 1,
      log,
    }),
    runController({
      name: "jobs",
      queue: jobQueue,
      reconcile: jobReconciler({ kc, informers, events, log }),
      concurrency: 4,
      log,
    }),
  ];
  return {
    metrics,
    async stop() {
      clearInterval(gauges);
      gc.stop();
      blocked.stop();
      await workers.stop();
      if (!options.informers) informers.stop();
      await Promise.all(running.map((c) => c.stop()));
    },
  };
}
