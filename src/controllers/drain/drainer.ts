// Nomad's node drainer as a reconcile loop over NomadNodes: spec.drain starts
// a drain (the node becomes ineligible, its jobs are evaluated so the
// scheduler migrates their allocations, migrate.max_parallel at a time); a
// replacement's health is judged with its group's migrate block, and each
// healthy replacement lets the next batch go; batch job allocations keep
// running (the scheduler leaves them be) and only move if the deadline comes
// first; past the deadline everything left moves at once; when nothing is
// left (finished batch work counts as gone) the drain completes and the node
// stays ineligible. spec.eligibility is mirrored in status.schedulingEligibility.

import { isDeepStrictEqual } from "node:util";
import { durationMs } from "../../common/duration.js";
import { defaultJob } from "../../crds/job/defaults.js";
import { newEvaluation } from "../../crds/new-evaluation.js";
import type { NomadAllocation } from "../../crds/objects.js";
import { isTerminal } from "../../crds/terminal.js";
import { applyStatus, createIfAbsent, mergePatch, mergePatchStatus } from "../../kube/apply.js";
import { type Controller, defineController, watch } from "../../kube/controller.js";
import { caravanResource } from "../../kube/resources.js";
import { objectKey } from "../../kube/store.js";
import type { ControllerContext } from "../context.js";
import { allocationHealth } from "../deployments/health.js";
import { byJob, byNode, jobKey } from "../informers.js";
import { migrateStrategy } from "./migrate.js";

/** The drainer owns only the drain fields of the node's status. */
const manager = "caravan-drainer";
const nodes = caravanResource("NomadNode");
const allocations = caravanResource("NomadAllocation");
const evaluations = caravanResource("NomadEvaluation");
/** Nomad's CLI default drain deadline. */
const defaultDeadlineMs = 3_600_000;

/** Nodes: their own changes, and those of a draining node's allocations and their replacements. */
export function drainer(ctx: ControllerContext): Controller {
  const { kc, informers, events, now } = ctx;
  const completing = new Set<string>();
  const drainedNodes = (a: NomadAllocation) => {
    const previous = a.spec.previousAllocation
      ? informers.allocations.store.get(
          `${a.metadata.namespace ?? "default"}/${a.spec.previousAllocation}`,
        )
      : undefined;
    return [a.spec.nodeName, previous?.spec.nodeName].filter(
      (n) => !!n && !!informers.nodes.store.get(n)?.spec.drain,
    );
  };

  return defineController({
    name: "drainer",
    for: informers.nodes,
    when: (_n, change) => change.type !== "delete",
    watches: [watch(informers.allocations, drainedNodes)],
    concurrency: 2,
    reconcile: async (name, { signal }) => {
      const node = informers.nodes.store.get(name);
      if (!node) return undefined;
      const t = now();
      const st = node.status ?? {};
      const drain = node.spec.drain;
      const eligibility = drain ? "ineligible" : (node.spec.eligibility ?? "eligible");

      if (!drain) {
        // Not draining: mirror eligibility; a drain removed before it finished was canceled.
        completing.delete(name);
        const canceled = st.drainStrategy !== undefined;
        const desired = {
          schedulingEligibility: eligibility,
          ...(st.lastDrain
            ? {
                lastDrain: canceled
                  ? { ...st.lastDrain, status: "canceled" as const, updatedAt: iso(t) }
                  : st.lastDrain,
              }
            : {}),
        };
        if (st.schedulingEligibility !== eligibility || canceled) {
          await applyStatus(kc, nodes, node, desired, manager);
          if (canceled) void events.record(node, "Normal", "DrainCanceled", "node drain canceled");
        }
        return undefined;
      }

      // A drain this drainer just completed, seen before its removal from the spec.
      if (completing.has(name)) {
        await mergePatch(kc, nodes, node, { spec: { drain: null, eligibility: "ineligible" } });
        return undefined;
      }
      // Start (or keep) the drain strategy.
      const deadlineMs = drain.force ? 0 : durationMs(drain.deadline, defaultDeadlineMs);
      const startedAt = st.drainStrategy?.startedAt ?? iso(t);
      const started = Date.parse(startedAt);
      const strategy = {
        deadline: drain.deadline ?? "1h",
        ignoreSystemJobs: drain.ignoreSystemJobs ?? false,
        force: drain.force ?? false,
        ...(deadlineMs > 0 ? { forceDeadline: iso(started + deadlineMs) } : {}),
        startedAt,
      };
      const lastDrain = {
        status: "draining" as const,
        startedAt,
        updatedAt: st.lastDrain?.updatedAt ?? iso(t),
        ...(drain.meta ? { meta: drain.meta } : {}),
      };
      if (
        !isDeepStrictEqual(st.drainStrategy, strategy) ||
        st.schedulingEligibility !== "ineligible" ||
        st.lastDrain?.status !== "draining"
      ) {
        await applyStatus(
          kc,
          nodes,
          node,
          { schedulingEligibility: "ineligible", drainStrategy: strategy, lastDrain },
          manager,
        );
        if (!st.drainStrategy)
          void events.record(
            node,
            "Normal",
            "DrainStarted",
            `node drain started (deadline ${strategy.deadline})`,
          );
      }

      const onNode = informers.allocations.store.byIndex(byNode, name);
      const remaining = onNode.filter((a) => {
        if (isTerminal(a)) return false;
        const type = jobOf(a)?.spec.type ?? defaultJob.type;
        return !(strategy.ignoreSystemJobs && (type === "system" || type === "sysbatch"));
      });
      if (remaining.length === 0) {
        // Done: the status first, so any copy of the node without the drain in
        // its spec already says complete (not cancelled); then the drain goes
        // from the spec and the node stays ineligible. Until the cache shows
        // that, this node is left alone.
        completing.add(name);
        await applyStatus(
          kc,
          nodes,
          node,
          {
            schedulingEligibility: "ineligible",
            lastDrain: { ...lastDrain, status: "complete", updatedAt: iso(t) },
          },
          manager,
        );
        await mergePatch(kc, nodes, node, { spec: { drain: null, eligibility: "ineligible" } });
        void events.record(node, "Normal", "DrainComplete", "node drain complete");
        return undefined;
      }

      // Judge the health of replacements of this node's allocations.
      const ids = new Set(onNode.map((a) => a.metadata.name));
      let recheckAt: number | undefined;
      const replacements = new Map<string, { healthy: number }>();
      const jobsTouched = new Set(remaining.map((a) => a.spec.jobName));
      for (const jobName of new Set(onNode.map((a) => a.spec.jobName))) {
        const key = jobKey(
          onNode.find((a) => a.spec.jobName === jobName)?.metadata.namespace,
          jobName,
        );
        const job = informers.jobs.store.get(key);
        let healthy = 0;
        for (const r of informers.allocations.store.byIndex(byJob, key)) {
          signal.throwIfAborted();
          if (!r.spec.previousAllocation || !ids.has(r.spec.previousAllocation)) continue;
          if (r.spec.deploymentName || r.spec.desiredStatus !== "run") continue;
          const known = r.status?.deploymentStatus?.healthy;
          if (known === true) healthy++;
          if (known !== undefined) continue;
          const verdict = allocationHealth(r, migrateStrategy(job?.spec, r.spec.group), t);
          if (verdict.kind === "pending") {
            if (Number.isFinite(verdict.recheckAt))
              recheckAt = Math.min(recheckAt ?? verdict.recheckAt, verdict.recheckAt);
            continue;
          }
          await mergePatchStatus(kc, allocations, r, {
            deploymentStatus: {
              healthy: verdict.kind === "healthy",
              timestamp: iso(verdict.kind === "healthy" ? verdict.at : t),
            },
          });
        }
        replacements.set(key, { healthy });
      }

      // One evaluation per job and state of progress (healthy replacements, deadline).
      const forced = deadlineMs === 0 || t >= started + deadlineMs;
      // System jobs go last, as Nomad drains them: once nothing else is left on the node.
      const systemLike = (t: string | undefined) => t === "system" || t === "sysbatch";
      const othersLeft = remaining.some((a) => !systemLike(jobOf(a)?.spec.type));
      for (const [key, { healthy }] of replacements) {
        const job = informers.jobs.store.get(key);
        if (!job || !jobsTouched.has(job.metadata.name)) continue;
        if (othersLeft && systemLike(job.spec.type)) continue;
        await evaluate(job, name, `${startedAt}|${healthy}|${forced}`);
      }
      if (!forced) recheckAt = Math.min(recheckAt ?? started + deadlineMs, started + deadlineMs);
      return { requeueAfterMs: Math.max(500, (recheckAt ?? t + 5_000) - t + 50) };
    },
  });

  function jobOf(a: NomadAllocation) {
    return informers.jobs.store.get(jobKey(a.metadata.namespace, a.spec.jobName));
  }

  async function evaluate(
    job: NonNullable<ReturnType<typeof jobOf>>,
    nodeName: string,
    progress: string,
  ): Promise<void> {
    const evaluation = newEvaluation({
      job,
      trigger: "node-drain",
      cause: { kind: "node-drain", node: nodeName, progress },
      jobVersion: job.status?.version ?? 0,
    });
    if (informers.evaluations.store.get(objectKey(evaluation))) return;
    await createIfAbsent(kc, evaluations, evaluation);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
