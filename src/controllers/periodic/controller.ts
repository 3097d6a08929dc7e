// The periodic dispatcher as a reconcile loop over periodic parent jobs: at
// each scheduled time it launches a child job (or skips it under
// prohibit_overlap), records the launch on the parent, and requeues itself
// for the next one. The last launch is an annotation on the parent, so a
// restarted controller launches only the latest missed time, as Nomad does.
import type { Logger } from "../../common/log.js";
import type { NomadJob } from "../../crds/objects.js";
import { createObject, mergePatch } from "../../kube/apply.js";
import type { ReconcileResult } from "../../kube/controller.js";
import type { EventRecorder } from "../../kube/events.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import { objectKey } from "../../kube/store.js";
import { WorkQueue } from "../../kube/workqueue.js";
import type { SharedInformers } from "../informers.js";
import { childRunning, parentLabel, periodicChild } from "./child.js";
import { launchDecision, scheduleError } from "./schedule.js";

/** The scheduled time (RFC 3339) of the parent's last launch or skipped launch. */
export const lastLaunchAnnotation = "caravan.dev/periodic-last-launch";
/** When the parent launches next (RFC 3339), for people (`nomad job status`'s Next Periodic Launch). */
export const nextLaunchAnnotation = "caravan.dev/periodic-next-launch";

export interface PeriodicDeps {
  kc: KubeConfig;
  informers: SharedInformers;
  events: EventRecorder;
  log: Logger;
  now?: () => number;
}

const jobs = caravanResource("NomadJob");

export function childrenOf(informers: SharedInformers, parent: NomadJob): NomadJob[] {
  const ns = parent.metadata.namespace ?? "default";
  return informers.jobs.store
    .list()
    .filter(
      (j) =>
        (j.metadata.namespace ?? "default") === ns &&
        j.metadata.labels?.[parentLabel] === parent.metadata.name,
    );
}

/** Periodic parents to look at: their own changes (each reconcile requeues for the next launch). */
export function periodicQueue(informers: SharedInformers): WorkQueue {
  const queue = new WorkQueue();
  informers.jobs.addHandlers({
    onAdd: (j) => j.spec.periodic && queue.add(objectKey(j)),
    onUpdate: (_o, j) => j.spec.periodic && queue.add(objectKey(j)),
  });
  return queue;
}

export function periodicReconciler(
  deps: PeriodicDeps,
): (key: string) => Promise<ReconcileResult | undefined> {
  const { kc, informers, events } = deps;
  const now = deps.now ?? Date.now;
  return async (key) => {
    const job = informers.jobs.store.get(key);
    if (!job?.spec.periodic || job.metadata.deletionTimestamp) return undefined;
    const invalid = scheduleError(job.spec.periodic);
    if (invalid) {
      void events.record(job, "Warning", "InvalidSchedule", invalid);
      return undefined;
    }
    const t = now();
    const annotations = job.metadata.annotations ?? {};
    const last =
      time(annotations[lastLaunchAnnotation]) ?? time(job.metadata.creationTimestamp) ?? t;
    const running = childrenOf(informers, job).some(childRunning);
    const decision = launchDecision(job.spec, last, running, t);
    if (decision.kind === "disabled") return undefined;
    if (decision.kind === "launch") {
      const child = periodicChild(job, decision.at);
      try {
        await createObject(kc, jobs, child);
        void events.record(job, "Normal", "Launched", `launched ${child.metadata.name}`);
      } catch (err) {
        // 409: launched before a crash; the time in the name makes it the same child.
        if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
      }
    } else if (decision.kind === "skip") {
      void events.record(
        job,
        "Normal",
        "LaunchSkipped",
        `launch at ${new Date(decision.at).toISOString()} skipped: ${decision.reason}`,
      );
    }
    const record: Record<string, string> = {};
    if (decision.kind !== "wait")
      record[lastLaunchAnnotation] = new Date(decision.at).toISOString();
    if (decision.next !== undefined)
      record[nextLaunchAnnotation] = new Date(decision.next).toISOString();
    if (Object.entries(record).some(([k, v]) => annotations[k] !== v))
      await mergePatch(kc, jobs, job, { metadata: { annotations: record } });
    if (decision.next === undefined) return undefined;
    return { requeueAfterMs: Math.max(1_000, decision.next - t) };
  };
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const v = Date.parse(s);
  return Number.isNaN(v) ? undefined : v;
}
