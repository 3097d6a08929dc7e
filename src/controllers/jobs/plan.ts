// Nomad's `job plan`: what registering a job spec would do, computed by the
// same pure scheduler the workers run, on the same kind of snapshot, and
// committed nowhere. The caller reads the state (the CLI from the API
// server, the HTTP API from its informers); this file does no I/O.

import type { EvaluationDesiredUpdates } from "../../crds/evaluation.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { JobVersion } from "../../crds/job-version.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadJob,
  NomadNode,
  NomadNodePool,
} from "../../crds/objects.js";
import type { NomadSchedulerConfigurationSpec } from "../../crds/scheduler-config.js";
import {
  type JobInfo,
  nodeFromResource,
  type Plan,
  type SchedulerSnapshot,
  schedule,
  snapshotOf,
} from "../../scheduler/index.js";
import { diffSpecs, type FieldDiff, formatDiff } from "./diff.js";
import { describePlacementFailure } from "./placement-failure.js";
import { expiredVersions, latestVersion, nextVersion } from "./versions.js";

export interface PlanInput {
  namespace: string;
  /** metadata.name of the job. */
  jobName: string;
  /** The spec to plan, as the API server would store it. */
  spec: NomadJobSpec;
  /** The job as registered now, if it is. */
  current?: NomadJob;
  /** The job's versions (ControllerRevisions). */
  versions: readonly JobVersion[];
  nodes: readonly NomadNode[];
  /** Every allocation (other jobs' hold node resources). */
  allocations: readonly NomadAllocation[];
  /** The job's deployments. */
  deployments: readonly NomadDeployment[];
  /** Priority and type of other jobs, for preemption; defaults when unknown. */
  jobInfo?: (namespace: string, name: string) => JobInfo;
  /** The cluster's scheduler configuration (Nomad's defaults when absent). */
  schedulerConfiguration?: NomadSchedulerConfigurationSpec;
  /** The node pools; the job's pool's scheduler configuration applies. */
  nodePools?: readonly NomadNodePool[];
  now: number;
  seed?: number;
}

export interface JobPlan {
  /** Added (new job), Edited (spec differs from the latest version) or None. */
  diffType: "Added" | "Edited" | "None";
  /** The version registering the spec would create (or the current one when unchanged). */
  version: number;
  plan: Plan;
  /** Per group, what the scheduler would do. */
  desiredTGUpdates: Record<string, Required<EvaluationDesiredUpdates>>;
  /** Per group, why placements would fail, in words. */
  failures: string[];
  /** Fields that differ from the latest version. */
  diff: FieldDiff[];
}

/**
 * The snapshot the scheduler would see once the spec is registered: as
 * Nomad's Plan endpoint, the spec goes into the state as the job's newest
 * version when it changed (and versions past the tracked ones go, as the job
 * controller deletes them), then the snapshot is built as a worker builds it.
 */
export function planSnapshot(input: PlanInput): {
  snapshot: SchedulerSnapshot;
  next: JobVersion | undefined;
} {
  const { namespace, jobName } = input;
  const planned: NomadJob = {
    ...(input.current ?? { metadata: { name: jobName, namespace } }),
    spec: input.spec,
  };
  const next = nextVersion(planned, input.versions);
  const recorded = next ? [...input.versions, next] : input.versions;
  const expired = new Set(expiredVersions(recorded));
  const snapshot = snapshotOf(
    {
      job: input.spec,
      versions: recorded
        .filter((v) => !expired.has(v))
        .map((v) => ({ version: v.revision, spec: v.data.spec })),
      nodes: input.nodes.map(nodeFromResource),
      allocations: input.allocations,
      deployments: input.deployments,
      jobInfo: input.jobInfo ?? (() => ({ priority: 50, type: "service" })),
      ...(input.schedulerConfiguration
        ? { schedulerConfiguration: input.schedulerConfiguration }
        : {}),
      nodePool: (name) => input.nodePools?.find((p) => (p.spec.name ?? p.metadata.name) === name),
    },
    { metadata: { name: `plan-${jobName}`, namespace }, spec: { jobName } },
    { now: input.now, seed: input.seed ?? 1 },
  );
  return { snapshot, next };
}

export function planJob(input: PlanInput): JobPlan {
  const latest = latestVersion(input.versions);
  const { snapshot, next } = planSnapshot(input);
  const plan = schedule(snapshot);
  const failures = Object.entries(plan.failedTGAllocs).map(([group, metric]) =>
    describePlacementFailure(group, plan.queuedAllocs[group] ?? 1, metric),
  );
  return {
    diffType: !input.current && !latest ? "Added" : next ? "Edited" : "None",
    version: snapshot.jobVersion,
    plan,
    desiredTGUpdates: plan.annotations.desiredTGUpdates,
    failures,
    diff: latest ? diffSpecs(latest.data.spec, input.spec) : [],
  };
}

const words: [keyof EvaluationDesiredUpdates, string][] = [
  ["place", "create"],
  ["stop", "destroy"],
  ["migrate", "migrate"],
  ["inPlaceUpdate", "in-place update"],
  ["destructiveUpdate", "create/destroy update"],
  ["canary", "canary"],
  ["ignore", "ignore"],
];

/** One group's changes in `nomad job plan`'s words ("create", "in-place update"…), those with a count. */
export function namedGroupUpdates(u: EvaluationDesiredUpdates): Record<string, number> {
  const named: Record<string, number> = {};
  for (const [k, w] of words) if ((u[k] ?? 0) > 0) named[w] = u[k] ?? 0;
  return named;
}

/** One group's annotation as `nomad job plan` prints it: "(2 create, 1 in-place update)". */
export function describeGroupUpdates(u: EvaluationDesiredUpdates): string {
  const parts = Object.entries(namedGroupUpdates(u)).map(([w, n]) => `${n} ${w}`);
  return parts.length > 0 ? `(${parts.join(", ")})` : "";
}

/** The whole plan in Nomad's words. */
export function formatJobPlan(jobId: string, p: JobPlan): string {
  const mark = p.diffType === "Added" ? "+" : p.diffType === "Edited" ? "+/-" : "";
  const lines = [`${mark ? `${mark} ` : ""}Job: "${jobId}"`];
  if (p.diff.length > 0) lines.push(formatDiff(p.diff));
  for (const [group, u] of Object.entries(p.desiredTGUpdates).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const changes = (u.place ?? 0) + (u.stop ?? 0) + (u.destructiveUpdate ?? 0) + (u.canary ?? 0);
    const gm = changes > 0 || (u.inPlaceUpdate ?? 0) > 0 ? "+/- " : "";
    lines.push(`${gm}Task Group: "${group}" ${describeGroupUpdates(u)}`.trimEnd());
  }
  lines.push("", "Scheduler dry-run:");
  if (p.failures.length === 0) lines.push("- All tasks successfully allocated.");
  else {
    lines.push("- WARNING: Failed to place all allocations.");
    for (const f of p.failures) lines.push(`  ${f}`);
  }
  return `${lines.join("\n")}\n`;
}
