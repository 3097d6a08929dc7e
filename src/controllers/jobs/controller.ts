// The jobs controller, Nomad's job register/deregister path as a reconcile
// loop: a new spec becomes a job version and an evaluation; deletion stops the
// job's allocations (finalizer) before the job goes; status reports Nomad's
// job status and summary with Kubernetes conditions.

import { isDeepStrictEqual } from "node:util";
import { rfc3339 } from "../../crds/conditions.js";
import type { NomadJobStatus } from "../../crds/job/status.js";
import { isStable } from "../../crds/job-version.js";
import { createdAt } from "../../crds/meta.js";
import { deregisterFinalizer, jobLabel, parentLabel } from "../../crds/names.js";
import type { NomadEvaluation, NomadJob } from "../../crds/objects.js";
import { isClientTerminal } from "../../crds/terminal.js";
import { formatWarnings, jobWarnings } from "../../jobspec/warnings.js";
import { applyStatus, createIfAbsent, deleteObject, mergePatch } from "../../kube/apply.js";
import {
  type Controller,
  defineController,
  owned,
  ownerLabel,
  type ReconcileResult,
} from "../../kube/controller.js";
import { withFinalizer } from "../../kube/finalizer.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import type { ControllerContext } from "../context.js";
import { byJob, jobKey } from "../informers.js";
import { childrenSummary } from "../periodic/child.js";
import { isParentJob, jobSpecEvaluation } from "./evaluation.js";
import { observeJob } from "./status.js";
import { expiredVersions, latestVersion, nextVersion } from "./versions.js";

const statusIntervalMs = 1_000;
const jobs = caravanResource("NomadJob");
const evaluations = caravanResource("NomadEvaluation");
const allocations = caravanResource("NomadAllocation");

/**
 * Jobs, and what their status counts: their evaluations, allocations and
 * versions, and (for periodic and parameterized parents) their children.
 */
export function jobController(ctx: ControllerContext): Controller {
  const { kc, informers, events, now } = ctx;
  const lastWrite = new Map<string, number>();
  const ofJob = (o: { metadata: { namespace?: string }; spec: { jobName: string } }) =>
    jobKey(o.metadata.namespace, o.spec.jobName);

  return defineController({
    name: "jobs",
    for: informers.jobs,
    owns: [
      owned(informers.evaluations, ofJob),
      owned(informers.allocations, ofJob),
      // A version becomes stable when its deployment succeeds.
      owned(informers.versions, ownerLabel(jobLabel)),
      // A child's change (periodic, dispatched) changes its parent's children summary.
      owned(informers.jobs, ownerLabel(parentLabel)),
    ],
    concurrency: 4,
    reconcile: async (key, context) => {
      const job = informers.jobs.store.get(key);
      if (!job) {
        lastWrite.delete(key);
        return undefined;
      }
      return withFinalizer(kc, jobs, job, deregisterFinalizer, context, {
        apply: (j) => register(key, j),
        cleanup: () => deregister(key, context.signal),
      });
    },
  });

  /** A new spec becomes a version and an evaluation; the status follows what the job's objects say. */
  async function register(key: string, job: NomadJob): Promise<ReconcileResult | undefined> {
    const versions = informers.versions.store.byIndex(byJob, key);
    let version = latestVersion(versions);
    const next = nextVersion(job, versions);
    if (next) {
      version = await createIfAbsent(kc, controllerRevisionResource, next);
      void events.record(job, "Normal", "Registered", `job version ${next.revision} registered`);
      // What `nomad job run` prints as "Job Warnings", for kubectl users too.
      const warnings = jobWarnings(job.spec).map((w) => w.message);
      if (warnings.length > 0)
        void events.record(job, "Warning", "JobWarnings", formatWarnings(warnings));
      for (const old of expiredVersions([...versions, next])) {
        await deleteObject(kc, controllerRevisionResource, old).catch(() => undefined);
      }
    }
    const versionNumber = version?.revision ?? 0;

    const generation = job.metadata.generation ?? 0;
    // The evaluation just created, which the informer may not have delivered yet.
    let created: NomadEvaluation | undefined;
    const parent = isParentJob(job);
    if (job.status?.observedGeneration !== generation && !parent) {
      // Registered through the API, the job has its evaluation already: this finds it.
      created = await createIfAbsent(
        kc,
        evaluations,
        jobSpecEvaluation(job, { jobVersion: versionNumber }),
      );
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
      submitTime:
        version && createdAt(version.metadata)
          ? new Date(createdAt(version.metadata) as string).toISOString()
          : (job.status?.submitTime ?? new Date(now()).toISOString()),
    };
    if (isDeepStrictEqual(status, job.status)) return undefined;
    await applyStatus(kc, jobs, job, status);
    lastWrite.set(key, now());
    return undefined;
  }

  /** Stops the job's allocations; done once none is left running on a live node. */
  async function deregister(
    key: string,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    let waiting = 0;
    for (const alloc of informers.allocations.store.byIndex(byJob, key)) {
      signal.throwIfAborted();
      if (alloc.spec.desiredStatus === "run") {
        await mergePatch(kc, allocations, alloc, {
          spec: {
            desiredStatus: "stop",
            desiredDescription: "alloc not needed due to job deletion",
          },
        });
      }
      const node = informers.nodes.store.get(alloc.spec.nodeName);
      // An allocation on a node that is not up has no agent to stop it: nothing to wait for.
      if (!isClientTerminal(alloc.status?.clientStatus) && node?.status?.status === "ready")
        waiting++;
    }
    if (waiting > 0) return { requeueAfterMs: 2_000 };
    ctx.log.info({ job: key }, "job deregistered");
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
