// The jobs controller, Nomad's job register/deregister path as a reconcile
// loop: a new spec becomes a job version and an evaluation; deletion stops the
// job's allocations (finalizer) before the job goes; status reports Nomad's
// job status and summary with Kubernetes conditions.
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "../../common/log.js";
import { rfc3339 } from "../../crds/conditions.js";
import type { NomadJobStatus } from "../../crds/job/status.js";
import type { NomadEvaluation, NomadJob } from "../../crds/objects.js";
import { applyStatus, createObject, deleteObject, mergePatch } from "../../kube/apply.js";
import type { ReconcileResult } from "../../kube/controller.js";
import type { EventRecorder } from "../../kube/events.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import { ApiError } from "../../kube/rest.js";
import { byJob, jobKey, type SharedInformers } from "../informers.js";
import { childrenSummary, parentLabel } from "../periodic/child.js";
import { registrationEvaluation } from "./evaluation.js";
import { observeJob } from "./status.js";
import { expiredVersions, isStable, latestVersion, nextVersion } from "./versions.js";

export const deregisterFinalizer = "caravan.dev/deregister";
const statusIntervalMs = 1_000;
const terminal = new Set(["complete", "failed", "lost"]);

export interface JobControllerDeps {
  kc: KubeConfig;
  informers: SharedInformers;
  events: EventRecorder;
  log: Logger;
  now?: () => number;
}

export function jobReconciler(
  deps: JobControllerDeps,
): (key: string) => Promise<ReconcileResult | undefined> {
  const { kc, informers, events } = deps;
  const now = deps.now ?? Date.now;
  const jobs = caravanResource("NomadJob");
  const evaluations = caravanResource("NomadEvaluation");
  const allocations = caravanResource("NomadAllocation");

  const lastWrite = new Map<string, number>();

  return async (key) => {
    const job = informers.jobs.store.get(key);
    if (!job) {
      lastWrite.delete(key);
      return undefined;
    }
    if (job.metadata.deletionTimestamp) return finalize(job);

    const finalizers = job.metadata.finalizers ?? [];
    if (!finalizers.includes(deregisterFinalizer)) {
      await mergePatch(kc, jobs, job, {
        metadata: {
          finalizers: [...finalizers, deregisterFinalizer],
          resourceVersion: job.metadata.resourceVersion,
        },
      });
      return undefined; // the update event brings us back
    }

    const versions = informers.versions.store.byIndex(byJob, key);
    let version = latestVersion(versions);
    const next = nextVersion(job, versions);
    if (next) {
      await createIgnoringConflict(() => createObject(kc, controllerRevisionResource, next));
      version = next;
      void events.record(job, "Normal", "Registered", `job version ${next.revision} registered`);
      for (const old of expiredVersions([...versions, next])) {
        await deleteObject(kc, controllerRevisionResource, old).catch(() => undefined);
      }
    }
    const versionNumber = version?.revision ?? 0;

    const generation = job.metadata.generation ?? 0;
    // The evaluation just created, which the informer may not have delivered yet.
    let created: NomadEvaluation | undefined;
    // Periodic and parameterized parents are never scheduled: their children are.
    const parent = job.spec.periodic !== undefined || job.spec.parameterized !== undefined;
    if (job.status?.observedGeneration !== generation && !parent) {
      const evaluation = registrationEvaluation(job, versionNumber);
      await createIgnoringConflict(() => createObject(kc, evaluations, evaluation));
      created = evaluation;
      if (job.spec.stop)
        void events.record(job, "Normal", "Deregistered", "job stopped; its allocations will stop");
    }

    // While allocations are being placed, every one of them changes the job's
    // counts. A new generation is reported at once; otherwise the status is
    // computed and written at most once a second per job, so a large job's
    // placement is not slowed by recounting it after every allocation.
    const wait = statusIntervalMs - (now() - (lastWrite.get(key) ?? 0));
    if (job.status?.observedGeneration === generation && wait > 0) return { requeueAfterMs: wait };

    const observed = observeJob(
      {
        job: { ...job, status: { ...job.status, observedGeneration: generation } },
        allocations: informers.allocations.store.byIndex(byJob, key),
        evaluations: withEvaluation(informers.evaluations.store.byIndex(byJob, key), created),
        version: versionNumber,
      },
      rfc3339(now()),
    );
    const status: NomadJobStatus = {
      ...job.status,
      ...observed,
      observedGeneration: generation,
      version: versionNumber,
      stable: isStable(version),
      ...(parent
        ? {
            children: childrenSummary(
              informers.jobs.store
                .list()
                .filter(
                  (c) =>
                    c.metadata.namespace === job.metadata.namespace &&
                    c.metadata.labels?.[parentLabel] === job.metadata.name,
                ),
            ),
          }
        : {}),
      submitTime: version?.metadata.creationTimestamp
        ? new Date(version.metadata.creationTimestamp).toISOString()
        : (job.status?.submitTime ?? new Date(now()).toISOString()),
    };
    if (isDeepStrictEqual(status, job.status)) return undefined;
    await applyStatus(kc, jobs, job, status);
    lastWrite.set(key, now());
    return undefined;
  };

  /** Stops the job's allocations, then lets the job (and, by ownership, its allocations) go. */
  async function finalize(job: NomadJob): Promise<ReconcileResult | undefined> {
    const finalizers = job.metadata.finalizers ?? [];
    if (!finalizers.includes(deregisterFinalizer)) return undefined;
    const key = jobKey(job.metadata.namespace, job.metadata.name);
    let waiting = 0;
    for (const alloc of informers.allocations.store.byIndex(byJob, key)) {
      if (alloc.spec.desiredStatus === "run") {
        await mergePatch(kc, allocations, alloc, {
          spec: {
            desiredStatus: "stop",
            desiredDescription: "alloc not needed due to job deletion",
          },
        });
      }
      const client = alloc.status?.clientStatus ?? "pending";
      const node = informers.nodes.store.get(alloc.spec.nodeName);
      // An allocation on a node that is not up has no agent to stop it: nothing to wait for.
      if (!terminal.has(client) && node?.status?.status === "ready") waiting++;
    }
    if (waiting > 0) return { requeueAfterMs: 2_000 };
    await mergePatch(kc, jobs, job, {
      metadata: {
        finalizers: finalizers.filter((f) => f !== deregisterFinalizer),
        resourceVersion: job.metadata.resourceVersion,
      },
    });
    deps.log.info({ job: key }, "job deregistered");
    return undefined;
  }
}

function withEvaluation(
  evals: NomadEvaluation[],
  created: NomadEvaluation | undefined,
): NomadEvaluation[] {
  if (!created || evals.some((e) => e.metadata.name === created.metadata.name)) return evals;
  return [...evals, created];
}

async function createIgnoringConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    // 409 AlreadyExists: an earlier attempt wrote it (names are deterministic).
    if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
  }
}
