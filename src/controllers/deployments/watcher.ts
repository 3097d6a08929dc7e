// The deployment watcher, Nomad's deploymentwatcher as a reconcile loop over
// NomadDeployments: it judges the health of the allocations placed in a
// deployment (written on the allocation, as Nomad's client reports it),
// promotes canaries, fails a deployment that stalls or has an unhealthy
// allocation (rolling the job back with auto_revert), marks the job version
// stable when the deployment succeeds, and asks the scheduler for the next
// batch with an evaluation whenever the deployment made progress.

import { isDeepStrictEqual } from "node:util";
import { activeDeploymentStatuses, deploymentDescriptions } from "../../crds/deployment.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { isStable } from "../../crds/job-version.js";
import { jobLabel, stableAnnotation } from "../../crds/names.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadAllocation, NomadDeployment } from "../../crds/objects.js";
import { applyStatus, createIfAbsent, mergePatch, mergePatchStatus } from "../../kube/apply.js";
import { type Controller, defineController, owned, watch } from "../../kube/controller.js";
import { caravanResource, controllerRevisionResource } from "../../kube/resources.js";
import { objectKey } from "../../kube/store.js";
import type { ControllerContext } from "../context.js";
import { byJob, jobKey } from "../informers.js";
import { revertJob } from "../jobs/revert.js";
import { lastStableVersion, latestVersion } from "../jobs/versions.js";
import { allocationHealth, type HealthStrategy, strategyFor } from "./health.js";
import { deploymentProgress } from "./progress.js";

const deployments = caravanResource("NomadDeployment");
const allocations = caravanResource("NomadAllocation");
const evaluations = caravanResource("NomadEvaluation");

/** Deployments: their own changes, their allocations', their job's and its new versions'. */
export function deploymentWatcher(ctx: ControllerContext): Controller {
  const { kc, informers, events, now } = ctx;
  const ofJob = (namespace: string | undefined, jobName: string | undefined) =>
    jobName
      ? informers.deployments.store.byIndex(byJob, jobKey(namespace, jobName)).map(objectKey)
      : undefined;
  // When an allocation was first seen running, for agents that report no start times.
  const firstSeenRunning = new Map<string, number>();
  // Deployments this watcher ended, until the cache shows it: a reconcile on a
  // stale copy must not turn a failed deployment into a cancelled one.
  const ended = new Set<string>();

  return defineController({
    name: "deployment-watcher",
    for: informers.deployments,
    when: (_d, change) => change.type !== "delete",
    owns: [
      owned(informers.allocations, (a) =>
        a.spec.deploymentName
          ? `${a.metadata.namespace ?? "default"}/${a.spec.deploymentName}`
          : undefined,
      ),
    ],
    watches: [
      watch(informers.jobs, (j, change) =>
        change.type === "update" ? ofJob(j.metadata.namespace, j.metadata.name) : undefined,
      ),
      watch(informers.versions, (v, change) =>
        change.type === "add"
          ? ofJob(v.metadata.namespace, v.metadata.labels[jobLabel])
          : undefined,
      ),
    ],
    concurrency: 2,
    reconcile: async (key, { signal }) => {
      const dep = informers.deployments.store.get(key);
      if (!dep) return undefined;
      const current = dep.status?.status;
      // No status yet: the worker that created it has not written its groups.
      if (!current || !activeDeploymentStatuses.has(current)) {
        ended.delete(key);
        return undefined;
      }
      if (ended.has(key)) return undefined;
      const t = now();
      const namespace = dep.metadata.namespace ?? "default";
      const jk = jobKey(namespace, dep.spec.jobName);
      const job = informers.jobs.store.get(jk);
      const versions = informers.versions.store.byIndex(byJob, jk);
      const version = versions.find((v) => v.revision === dep.spec.jobVersion);
      const spec = version?.data.spec ?? job?.spec;
      const latest = latestVersion(versions);
      const cancel =
        !job || job.metadata.deletionTimestamp || job.spec.stop
          ? deploymentDescriptions.stopped
          : latest && latest.revision > dep.spec.jobVersion
            ? deploymentDescriptions.newerVersion
            : undefined;

      const mine = informers.allocations.store
        .byIndex(byJob, jk)
        .filter((a) => a.spec.deploymentName === dep.metadata.name);
      const strategies: Record<string, HealthStrategy> = {};
      for (const g of Object.keys(dep.status?.groups ?? {})) strategies[g] = strategyFor(spec, g);

      // Health of allocations not judged yet; the counts follow once the
      // informer delivers what was written, so the evaluation asked for below
      // sees the same health the counts do.
      let recheckAt: number | undefined;
      const canaries = new Set(
        Object.values(dep.status?.groups ?? {}).flatMap((g) => g.placedCanaries ?? []),
      );
      if (!cancel && !dep.spec.fail) {
        for (const a of mine) {
          signal.throwIfAborted();
          const ds = a.status?.deploymentStatus;
          const canary = canaries.has(a.metadata.name) && ds?.canary !== true;
          if (ds?.healthy !== undefined || a.spec.desiredStatus !== "run") {
            if (canary) await flag(a, { canary: true });
            continue;
          }
          const strategy = strategies[a.spec.group];
          if (!strategy) continue;
          const ak = objectKey(a);
          if (a.status?.clientStatus === "running" && !firstSeenRunning.has(ak))
            firstSeenRunning.set(ak, t);
          const verdict = allocationHealth(a, strategy, t, firstSeenRunning.get(ak));
          if (verdict.kind === "pending") {
            if (Number.isFinite(verdict.recheckAt))
              recheckAt = Math.min(recheckAt ?? verdict.recheckAt, verdict.recheckAt);
            if (canary) await flag(a, { canary: true });
            continue;
          }
          firstSeenRunning.delete(ak);
          await flag(a, {
            healthy: verdict.kind === "healthy",
            timestamp: new Date(verdict.kind === "healthy" ? verdict.at : t).toISOString(),
            ...(canary || ds?.canary ? { canary: true } : {}),
          });
          if (verdict.kind === "unhealthy")
            void events.record(
              dep,
              "Warning",
              "AllocationUnhealthy",
              `allocation ${a.metadata.name} unhealthy: ${verdict.reason}`,
            );
        }
      }

      const stable = lastStableVersion(versions, dep.spec.jobVersion);
      const progress = deploymentProgress({
        deployment: dep,
        allocs: mine,
        strategies,
        ...(cancel ? { cancel } : {}),
        ...(stable ? { stableVersion: stable.revision } : {}),
        now: t,
      });
      const next = progress.status;
      const status = next.status ?? "running";

      // Side effects of the outcome come before the status that records it, so
      // a crash in between repeats them instead of losing them.
      if (status === "successful" && version && !isStable(version)) {
        await mergePatch(kc, controllerRevisionResource, version, {
          metadata: { annotations: { [stableAnnotation]: "true" } },
        });
      }
      if (
        progress.revertTo !== undefined &&
        stable &&
        job &&
        latest?.revision === dep.spec.jobVersion
      ) {
        if (await revertJob(kc, job, stable))
          void events.record(
            job,
            "Warning",
            "Reverted",
            `deployment ${dep.metadata.name} failed; job reverted to version ${stable.revision}`,
          );
      }
      const old = dep.status ?? {};
      const { modifyTime: _a, ...a } = old;
      const { modifyTime: _b, ...b } = next;
      if (!isDeepStrictEqual(a, b)) {
        await applyStatus(kc, deployments, dep, next);
        if (!activeDeploymentStatuses.has(status)) ended.add(key);
        if (status !== current)
          void events.record(
            dep,
            status === "failed" ? "Warning" : "Normal",
            `Deployment${status[0]?.toUpperCase()}${status.slice(1)}`,
            next.statusDescription ?? status,
          );
      }
      // Each state of progress (healthy counts, promotions, a resume) asks the
      // scheduler once for the next step; the status is written first so the
      // scheduler sees the promotion.
      if (activeDeploymentStatuses.has(status) && status !== "paused" && hasProgress(next)) {
        await evaluate(dep, next);
      }
      const at = [recheckAt, progress.recheckAt].filter((x): x is number => x !== undefined);
      if (at.length === 0) return undefined;
      return { requeueAfterMs: Math.max(100, Math.min(...at) - t + 50) };
    },
  });

  async function flag(a: NomadAllocation, ds: Record<string, unknown>): Promise<void> {
    await mergePatchStatus(kc, allocations, a, { deploymentStatus: ds });
  }

  /** An evaluation for the deployment's next step, named by the progress (and spec generation) that asked for it. */
  async function evaluate(dep: NomadDeployment, next: NomadDeployment["status"]): Promise<void> {
    const namespace = dep.metadata.namespace ?? "default";
    const job = informers.jobs.store.get(jobKey(namespace, dep.spec.jobName));
    const progress = JSON.stringify([
      next?.status,
      Object.entries(next?.groups ?? {}).map(([g, s]) => [
        g,
        s.healthyAllocs,
        s.unhealthyAllocs,
        s.promoted,
      ]),
    ]);
    const evaluation = newEvaluation({
      job: job ?? {
        name: dep.spec.jobName,
        namespace,
        type: defaultJob.type,
        priority: defaultJob.priority,
      },
      trigger: "deployment-watcher",
      cause: {
        kind: "deployment",
        deployment: dep.metadata.name,
        // A user's change (pause then resume, promote) asks again even where the
        // counts are those of an evaluation that ran while the rollout was paused.
        generation: dep.metadata.generation ?? 0,
        progress,
      },
      jobVersion: dep.spec.jobVersion,
      ...(dep.spec.evalPriority !== undefined ? { priority: dep.spec.evalPriority } : {}),
    });
    if (informers.evaluations.store.get(objectKey(evaluation))) return;
    await createIfAbsent(kc, evaluations, evaluation);
  }
}

/** Something healthy or promoted: there may be a next batch to place. */
function hasProgress(next: NonNullable<NomadDeployment["status"]>): boolean {
  return Object.values(next.groups ?? {}).some((g) => (g.healthyAllocs ?? 0) > 0 || g.promoted);
}
