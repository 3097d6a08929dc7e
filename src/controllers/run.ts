// Starts Caravan's controllers on shared informers. Everything here runs only
// on the leader; `caravan controller` and `caravan dev` decide when.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../common/log.js";
import type { NomadAllocation, NomadEvaluation } from "../crds/objects.js";
import { type RunningController, runController } from "../kube/controller.js";
import { EventRecorder } from "../kube/events.js";
import { objectKey } from "../kube/store.js";
import { WorkQueue } from "../kube/workqueue.js";
import { createInformers, jobKey } from "./informers.js";
import { jobReconciler } from "./jobs/controller.js";
import { jobLabel } from "./jobs/versions.js";

export interface Controllers {
  stop(): Promise<void>;
}

export interface ControllerOptions {
  /** Act on one namespace only (tests, namespace-scoped installs); unset means all. */
  namespace?: string;
}

export async function startControllers(
  kc: KubeConfig,
  log: Logger,
  options: ControllerOptions = {},
): Promise<Controllers> {
  const informers = createInformers(kc, log, options.namespace);
  const events = new EventRecorder(kc, "caravan.dev/controller", log);

  const jobQueue = new WorkQueue();
  const enqueueJob = (obj: { metadata: { namespace?: string } }, jobName: string | undefined) => {
    if (jobName) jobQueue.add(jobKey(obj.metadata.namespace, jobName));
  };
  informers.jobs.addHandlers({
    onAdd: (j) => jobQueue.add(objectKey(j)),
    onUpdate: (_o, j) => jobQueue.add(objectKey(j)),
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
    onDelete: (v) => enqueueJob(v, v.metadata.labels[jobLabel]),
  });

  informers.start();
  await informers.waitForSync();
  log.info("informers synced");

  const running: RunningController[] = [
    runController({
      name: "jobs",
      queue: jobQueue,
      reconcile: jobReconciler({ kc, informers, events, log }),
      concurrency: 4,
      log,
    }),
  ];
  return {
    async stop() {
      informers.stop();
      await Promise.all(running.map((c) => c.stop()));
    },
  };
}
