// A scheduler worker (Nomad's num_schedulers of them run at once): take an
// evaluation from the broker, snapshot the informer caches, run the pure
// scheduler, submit the plan, and re-plan when the applier refuses part of it.
// The evaluation's status is written last, so a worker that dies leaves it
// pending and the broker hands it out again.

import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../common/log.js";
import type { AllocationMetric, NomadEvaluationStatus } from "../../crds/evaluation.js";
import { type EvaluationJob, newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadEvaluation, NomadSchedulerConfiguration } from "../../crds/objects.js";
import { schedulerConfigurationName } from "../../crds/scheduler-config.js";
import { applyStatus, createIfAbsent } from "../../kube/apply.js";
import type { EventRecorder } from "../../kube/events.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { aborted, type Runnable } from "../../kube/manager.js";
import { caravanResource } from "../../kube/resources.js";
import type { ControllerMetrics } from "../../metrics/registry.js";
import { type Plan, type SchedulerSnapshot, schedule } from "../../scheduler/index.js";
import { commitDeployment } from "../deployments/commit.js";
import { byJob, jobKey, type SharedInformers } from "../informers.js";
import { versionRecorded } from "../jobs/evaluation.js";
import { describePlacementFailure } from "../jobs/placement-failure.js";
import type { PlanApplier } from "../plans/applier.js";
import type { Delivery, EvalBroker } from "./broker.js";
import type { SnapshotBuilder } from "./snapshot.js";

/** Nomad re-plans a partly refused plan a few times before giving up for now. */
const maxPlanAttempts = 5;
/** How long an evaluation waits for the jobs controller to record its job version, and how often it looks. */
const versionWaitMs = 30_000;
const versionPollMs = 20;

export interface WorkerDeps {
  kc: KubeConfig;
  broker: EvalBroker;
  snapshots: SnapshotBuilder;
  applier: PlanApplier;
  informers: SharedInformers;
  events: EventRecorder;
  log: Logger;
  metrics?: ControllerMetrics;
  now?: () => number;
}

/**
 * Nomad's scheduler workers: `count` loops taking evaluations from the broker,
 * which the evaluation informer feeds. Stopping closes the broker and waits
 * for the evaluations in flight.
 */
export function schedulerWorkers(count: number, deps: WorkerDeps): Runnable {
  return {
    name: "scheduler-workers",
    run: async (signal) => {
      const { broker } = deps;
      const detach = deps.informers.evaluations.addHandlers({
        onAdd: (e) => broker.observe(e),
        onUpdate: (_o, e) => broker.observe(e),
        onDelete: (e) => broker.observe(e, true),
      });
      // The scheduler configuration's PauseEvalBroker holds every evaluation pending.
      const pause = (c: NomadSchedulerConfiguration, deleted = false) => {
        if (c.metadata.name !== schedulerConfigurationName) return;
        const paused = !deleted && c.spec.pauseEvalBroker === true;
        if (paused !== broker.isPaused)
          deps.log.info({ paused }, paused ? "eval broker paused" : "eval broker resumed");
        broker.setPaused(paused);
      };
      const detachConfig = deps.informers.schedulerConfigurations.addHandlers({
        onAdd: (c) => pause(c),
        onUpdate: (_o, c) => pause(c),
        onDelete: (c) => pause(c, true),
      });
      const loops = Array.from({ length: count }, (_, i) => workerLoop(i, deps));
      await aborted(signal);
      broker.close();
      detach();
      detachConfig();
      await Promise.all(loops);
    },
  };
}

async function workerLoop(id: number, deps: WorkerDeps): Promise<void> {
  const log = deps.log.child({ worker: id });
  for (;;) {
    const waitStarted = performance.now();
    const delivery = await deps.broker.dequeue();
    if (!delivery) return;
    deps.metrics?.workerDequeue.observe(performance.now() - waitStarted);
    try {
      await processEvaluation(delivery, deps);
      deps.broker.ack(delivery);
      deps.metrics?.evaluations.inc({
        triggered_by: delivery.evaluation.spec.triggeredBy,
        outcome: "complete",
      });
    } catch (err) {
      log.warn({ evaluation: delivery.key, attempt: delivery.attempt, err }, "evaluation failed");
      if (!deps.broker.nack(delivery)) {
        deps.metrics?.evaluations.inc({
          triggered_by: delivery.evaluation.spec.triggeredBy,
          outcome: "failed",
        });
        await failEvaluation(delivery, deps, err).catch((e: unknown) =>
          log.error({ err: e }, "could not fail evaluation"),
        );
        deps.broker.ack(delivery);
      }
    }
  }
}

const evaluations = caravanResource("NomadEvaluation");

async function processEvaluation(delivery: Delivery, deps: WorkerDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const evaluation = delivery.evaluation;
  const started = now();
  for (const old of delivery.superseded) {
    await setStatus(deps, old, {
      status: "canceled",
      statusDescription: `superseded by evaluation ${evaluation.metadata.name}`,
    });
  }

  const key = jobKey(evaluation.metadata.namespace, evaluation.spec.jobName);
  // Stopping: the evaluation stays pending for the next leader.
  if (!(await untilVersionRecorded(deps, evaluation, key))) return;
  let plan: Plan | undefined;
  let refusedBy: Record<string, number> = {};
  let deploymentName: string | undefined;
  const placementMetrics: Record<string, AllocationMetric> = {};
  for (let attempt = 1; attempt <= maxPlanAttempts; attempt++) {
    const snapshot = deps.snapshots.build(evaluation, now());
    const scheduling = performance.now();
    plan = schedule(snapshot);
    // A purged job's deployments go with it (owned by the NomadJob), so its
    // evaluation names none: there would be nothing left to monitor.
    deploymentName = plan.deployment?.id ?? (snapshot.job ? latestDeployment(snapshot) : undefined);
    deps.metrics?.workerInvokeScheduler.observe(
      { type: evaluation.spec.type },
      performance.now() - scheduling,
    );
    const result = await deps.applier.submit(plan, {
      evaluation,
      job: deps.informers.jobs.store.get(key),
      jobVersion: snapshot.jobVersion,
    });
    const refused = new Set(result.rejected);
    // Per group, the metrics of its last placement committed.
    for (const p of plan.placements) if (!refused.has(p)) placementMetrics[p.group] = p.metrics;
    const created = await commitDeployment(plan, {
      kc: deps.kc,
      evaluation,
      job: deps.informers.jobs.store.get(key),
      jobVersion: snapshot.jobVersion,
      placed: plan.placements.filter((p) => !refused.has(p)),
      existing: (name) =>
        deps.informers.deployments.store.get(
          `${evaluation.metadata.namespace ?? "default"}/${name}`,
        ),
    });
    if (created) deps.snapshots.wroteDeployment(created);
    if (result.rejected.length === 0) break;
    refusedBy = result.rejectedBy;
  }
  if (!plan) return;

  for (const f of plan.followupEvals) {
    await createEvaluation(
      deps,
      newEvaluation({
        job: jobOf(deps, evaluation),
        trigger: f.triggeredBy,
        cause: { kind: "scheduler-followup", id: f.id },
        previousEval: evaluation.metadata.name,
        waitUntil: new Date(f.waitUntil).toISOString(),
      }),
    );
  }

  const queued = Object.values(plan.queuedAllocs).reduce((n, q) => n + q, 0);
  const status: NomadEvaluationStatus = {
    status: "complete",
    statusDescription: queued > 0 ? `${queued} allocations could not be placed` : "",
    placementMetrics,
    queuedAllocations: plan.queuedAllocs,
    failedTGAllocs: withRefusals(plan, refusedBy),
    classEligibility: plan.classEligibility,
    escapedComputedClass: plan.escapedComputedClass,
    annotations: plan.annotations,
    deliveryCount: delivery.attempt,
    modifyTime: new Date(now()).toISOString(),
    deploymentName,
  };
  if (queued > 0) {
    const job = deps.informers.jobs.store.get(key);
    // The event says why, as the job's Reconciling condition does.
    const why = Object.entries(status.failedTGAllocs ?? {}).map(([group, metric]) =>
      describePlacementFailure(group, plan?.queuedAllocs[group] ?? 1, metric),
    );
    if (job)
      void deps.events.record(
        job,
        "Warning",
        "AllocationsQueued",
        why.join("; ") || (status.statusDescription ?? ""),
      );
    const blocked = await blockedEvaluation(deps, evaluation, status);
    // The blocked evaluation itself stays blocked until capacity appears.
    if (blocked === evaluation.metadata.name) return;
    status.blockedEval = blocked;
  }
  await setStatus(deps, evaluation, status);
  deps.log.debug(
    { evaluation: delivery.key, placed: plan.placements.length, queued, ms: now() - started },
    "evaluation complete",
  );
}

/**
 * Waits until the caches hold the job version a spec change's evaluation is
 * for (versionRecorded); false when the workers stop meanwhile.
 */
async function untilVersionRecorded(
  deps: WorkerDeps,
  evaluation: NomadEvaluation,
  key: string,
): Promise<boolean> {
  const deadline = Date.now() + versionWaitMs;
  for (;;) {
    const job = deps.informers.jobs.store.get(key);
    const versions = deps.informers.versions.store.byIndex(byJob, key);
    if (versionRecorded(evaluation, job, versions)) return true;
    if (deps.broker.isClosed) return false;
    if (Date.now() >= deadline)
      throw new Error(
        `the jobs controller has not recorded a version for job generation ${evaluation.spec.jobGeneration} yet`,
      );
    await sleep(versionPollMs);
  }
}

/**
 * The job's latest deployment, whatever its version or status, as Nomad's
 * evaluation names it (s.deployment): `nomad job run`, `job stop` and
 * `alloc stop` then show that deployment once the evaluation completes.
 */
function latestDeployment(snapshot: SchedulerSnapshot): string | undefined {
  return snapshot.deployment?.id;
}

/** Placements the applier kept refusing count as exhausted nodes in the metrics. */
function withRefusals(
  plan: Plan,
  refusedBy: Record<string, number>,
): NomadEvaluationStatus["failedTGAllocs"] {
  const failed = { ...plan.failedTGAllocs };
  if (Object.keys(refusedBy).length === 0) return failed;
  for (const [group, queued] of Object.entries(plan.queuedAllocs)) {
    if (queued > 0 && !failed[group])
      failed[group] = { dimensionExhausted: refusedBy, coalescedFailures: queued - 1 };
  }
  return failed;
}

/**
 * One blocked evaluation per job, "<job>-blocked", waits for capacity with the
 * failure metrics; the blocked-evals tracker sets it pending again when a node
 * or allocation change could make room.
 */
async function blockedEvaluation(
  deps: WorkerDeps,
  evaluation: NomadEvaluation,
  outcome: NomadEvaluationStatus,
): Promise<string> {
  const blocked = newEvaluation({
    job: jobOf(deps, evaluation),
    trigger: "queued-allocs",
    cause: { kind: "blocked" },
    previousEval: evaluation.metadata.name,
  });
  const name = blocked.metadata.name;
  if (name !== evaluation.metadata.name) await createEvaluation(deps, blocked);
  await setStatus(deps, blocked, {
    status: "blocked",
    statusDescription: outcome.statusDescription ?? "",
    queuedAllocations: outcome.queuedAllocations ?? {},
    failedTGAllocs: outcome.failedTGAllocs ?? {},
    classEligibility: outcome.classEligibility ?? {},
    escapedComputedClass: outcome.escapedComputedClass ?? false,
    modifyTime: outcome.modifyTime ?? new Date().toISOString(),
  });
  return name;
}

async function failEvaluation(delivery: Delivery, deps: WorkerDeps, err: unknown): Promise<void> {
  const evaluation = delivery.evaluation;
  const followup = newEvaluation({
    job: jobOf(deps, evaluation),
    trigger: "failed-follow-up",
    cause: { kind: "retry", previous: evaluation.metadata.name, attempt: delivery.attempt },
    waitUntil: new Date(Date.now() + 60_000).toISOString(),
  });
  await createEvaluation(deps, followup);
  await setStatus(deps, evaluation, {
    status: "failed",
    statusDescription: `evaluation failed after ${delivery.attempt} deliveries: ${(err as Error).message ?? err}`,
    nextEval: followup.metadata.name,
    deliveryCount: delivery.attempt,
  });
}

async function setStatus(
  deps: WorkerDeps,
  evaluation: NomadEvaluation,
  status: NomadEvaluationStatus,
): Promise<void> {
  const clean = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
  await applyStatus(deps.kc, evaluations, evaluation, clean);
}

async function createEvaluation(deps: WorkerDeps, evaluation: NomadEvaluation): Promise<void> {
  await createIfAbsent(deps.kc, evaluations, evaluation);
}

/** The job an evaluation's follow-ups are for: its type and priority carry over. */
function jobOf(deps: WorkerDeps, evaluation: NomadEvaluation): EvaluationJob {
  const namespace = evaluation.metadata.namespace ?? "default";
  const uid = deps.informers.jobs.store.get(jobKey(namespace, evaluation.spec.jobName))?.metadata
    .uid;
  return {
    name: evaluation.spec.jobName,
    namespace,
    type: evaluation.spec.type,
    priority: evaluation.spec.priority,
    ...(uid ? { uid } : {}),
  };
}
