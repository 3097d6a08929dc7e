// Nomad's `job plan`: what registering a job spec would do, computed by the
// same pure scheduler the workers run, on the same kind of snapshot, and
// committed nowhere. The caller reads the state (the CLI from the API
// server, the HTTP API from its informers); this file does no I/O.
import { isDeepStrictEqual } from "node:util";
import type { EvaluationDesiredUpdates } from "../../crds/evaluation.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { NomadAllocation, NomadDeployment, NomadJob, NomadNode } from "../../crds/objects.js";
import {
  allocFromResource,
  deploymentFromResource,
  nodeFromResource,
  type Plan,
  type SchedulerAlloc,
  schedule,
} from "../../scheduler/index.js";
import { diffSpecs, type FieldDiff, formatDiff } from "./diff.js";
import { describePlacementFailure } from "./placement-failure.js";
import { type JobVersion, latestVersion } from "./versions.js";

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
  jobInfo?: (
    namespace: string,
    name: string,
  ) => { priority: number; type: SchedulerAlloc["jobType"] };
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

const terminal = new Set(["complete", "failed", "lost"]);

export function planJob(input: PlanInput): JobPlan {
  const { namespace, jobName } = input;
  const latest = latestVersion(input.versions);
  const unchanged = latest !== undefined && isDeepStrictEqual(latest.data.spec, input.spec);
  const version = unchanged ? latest.revision : latest ? latest.revision + 1 : 0;
  const previous = unchanged ? input.versions.find((v) => v.revision === version - 1) : latest;
  const olderJobs: Record<number, NomadJobSpec> = {};
  for (const v of input.versions)
    if (v.revision !== previous?.revision && v.revision !== version)
      olderJobs[v.revision] = v.data.spec;

  const info =
    input.jobInfo ?? (() => ({ priority: 50, type: "service" as SchedulerAlloc["jobType"] }));
  const allocs: SchedulerAlloc[] = [];
  for (const a of input.allocations) {
    const ns = a.metadata.namespace ?? "default";
    const mine = a.spec.jobName === jobName && ns === namespace;
    const holds =
      a.spec.desiredStatus === "run" && !terminal.has(a.status?.clientStatus ?? "pending");
    if (!mine && !holds) continue;
    const jobInfo = mine
      ? { priority: input.spec.priority ?? 50, type: input.spec.type ?? "service" }
      : info(ns, a.spec.jobName);
    allocs.push(allocFromResource(a, jobInfo));
  }
  let deployment: NomadDeployment | undefined;
  for (const d of input.deployments)
    if (!deployment || d.spec.jobVersion > deployment.spec.jobVersion) deployment = d;

  const plan = schedule({
    evalId: `plan-${jobName}`,
    namespace,
    jobId: jobName,
    job: input.spec,
    jobVersion: version,
    ...(previous ? { previousJob: { spec: previous.data.spec, version: previous.revision } } : {}),
    olderJobs,
    ...(deployment ? { deployment: deploymentFromResource(deployment) } : {}),
    nodes: input.nodes.map(nodeFromResource),
    allocs,
    now: input.now,
    seed: input.seed ?? 1,
  });
  const failures = Object.entries(plan.failedTGAllocs).map(([group, metric]) =>
    describePlacementFailure(group, plan.queuedAllocs[group] ?? 1, metric),
  );
  return {
    diffType: !input.current && !latest ? "Added" : unchanged ? "None" : "Edited",
    version,
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

/** One group's annotation as `nomad job plan` prints it: "(2 create, 1 in-place update)". */
export function describeGroupUpdates(u: EvaluationDesiredUpdates): string {
  const parts = words.filter(([k]) => (u[k] ?? 0) > 0).map(([k, w]) => `${u[k]} ${w}`);
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
