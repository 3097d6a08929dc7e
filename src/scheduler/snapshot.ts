// What one evaluation of a job looks at, built the same way for a scheduler
// worker and for `job plan`. Both hand over the cluster state as plain data
// read from their caches; `job plan` first puts the planned spec in it as the
// job's newest version, as Nomad's Plan endpoint upserts the job into its
// state snapshot before running the same scheduler.

import { defaultJob } from "../crds/job/defaults.js";
import type { NomadJobSpec } from "../crds/job/index.js";
import type { NomadNodePoolSpec } from "../crds/nodepool.js";
import type { NomadAllocation, NomadDeployment } from "../crds/objects.js";
import type { NomadSchedulerConfigurationSpec } from "../crds/scheduler-config.js";
import { isActive } from "../crds/terminal.js";
import {
  allocFromResource,
  deploymentFromResource,
  type ObjectWithMeta,
  schedulerConfigFor,
  schedulerConfigFromResource,
} from "./adapters.js";
import type { SchedulerAlloc, SchedulerNode, SchedulerSnapshot } from "./types.js";

/** What preemption compares of an allocation's job. */
export interface JobInfo {
  readonly priority: number;
  readonly type: SchedulerAlloc["jobType"];
}

/** One recorded version of the job (Nomad's job_version table). */
export interface JobVersionSpec {
  readonly version: number;
  readonly spec: NomadJobSpec;
}

/** The cluster as an evaluation reads it. */
export interface SchedulingState {
  /** The job as registered; undefined when it is purged or being deleted (everything stops). */
  readonly job: NomadJobSpec | undefined;
  /** The job's recorded versions; the newest is the one scheduled. */
  readonly versions: readonly JobVersionSpec[];
  readonly nodes: readonly SchedulerNode[];
  /** Every allocation: this job's, and other jobs' (those holding resources count). */
  readonly allocations: readonly NomadAllocation[];
  /** The job's deployments. */
  readonly deployments: readonly NomadDeployment[];
  /** Priority and type of any job (defaults when it is unknown). */
  readonly jobInfo: (namespace: string, name: string) => JobInfo;
  /** The cluster's scheduler configuration; Nomad's defaults when there is none. */
  readonly schedulerConfiguration?: NomadSchedulerConfigurationSpec;
  /** The node pool object of this name, if there is one (its scheduler configuration applies). */
  readonly nodePool?: (name: string) => ObjectWithMeta<NomadNodePoolSpec, unknown> | undefined;
}

/** The evaluation: which job, and the version it was created for. */
export interface EvaluationRef {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: { readonly jobName: string; readonly jobVersion?: number };
}

export function snapshotOf(
  state: SchedulingState,
  evaluation: EvaluationRef,
  at: { readonly now: number; readonly seed: number },
): SchedulerSnapshot {
  const namespace = evaluation.metadata.namespace ?? "default";
  const jobId = evaluation.spec.jobName;
  let latest: JobVersionSpec | undefined;
  for (const v of state.versions) if (!latest || v.version > latest.version) latest = v;
  const version = latest?.version ?? evaluation.spec.jobVersion ?? 0;
  // The previous version tells in-place from destructive updates; older ones
  // are kept so an allocation of any recorded version is compared with its own spec.
  const previous = state.versions.find((v) => v.version === version - 1);
  const olderJobs: Record<number, NomadJobSpec> = {};
  for (const v of state.versions) if (v.version < version - 1) olderJobs[v.version] = v.spec;

  const deployment = latestDeployment(state.deployments);
  const canaries = new Set(
    Object.values(deployment?.status?.groups ?? {}).flatMap((g) => g.placedCanaries ?? []),
  );

  const own: JobInfo | undefined = state.job && {
    priority: state.job.priority ?? defaultJob.priority,
    type: state.job.type ?? defaultJob.type,
  };
  const infos = new Map<string, JobInfo>();
  const infoOf = (ns: string, name: string): JobInfo => {
    const key = `${ns}/${name}`;
    let info = infos.get(key);
    if (!info) {
      info = state.jobInfo(ns, name);
      infos.set(key, info);
    }
    return info;
  };

  const allocs: SchedulerAlloc[] = [];
  for (const a of state.allocations) {
    const ns = a.metadata.namespace ?? "default";
    const mine = a.spec.jobName === jobId && ns === namespace;
    if (!mine && !isActive(a)) continue;
    const alloc = allocFromResource(
      a,
      mine ? (own ?? infoOf(ns, a.spec.jobName)) : infoOf(ns, a.spec.jobName),
    );
    // A canary is known from its deployment before its own flag is written.
    const canary =
      mine && !alloc.canary && canaries.has(a.metadata.name) && a.spec.deploymentName !== undefined;
    allocs.push(canary ? { ...alloc, canary: true } : alloc);
  }

  return {
    evalId: evaluation.metadata.name,
    namespace,
    jobId,
    job: state.job,
    jobVersion: version,
    ...(previous ? { previousJob: { spec: previous.spec, version: previous.version } } : {}),
    olderJobs,
    ...(deployment ? { deployment: deploymentFromResource(deployment) } : {}),
    nodes: state.nodes,
    allocs,
    // Nomad's setJob: the global configuration with the job's node pool's overrides.
    config: schedulerConfigFor(
      schedulerConfigFromResource(state.schedulerConfiguration),
      state.nodePool?.(state.job?.nodePool ?? defaultJob.nodePool),
    ),
    now: at.now,
    seed: at.seed,
  };
}

/** The job's newest deployment: highest job version, then newest. */
function latestDeployment(deployments: readonly NomadDeployment[]): NomadDeployment | undefined {
  let latest: NomadDeployment | undefined;
  for (const d of deployments) {
    if (
      !latest ||
      d.spec.jobVersion > latest.spec.jobVersion ||
      (d.spec.jobVersion === latest.spec.jobVersion &&
        (d.metadata.creationTimestamp ?? "") > (latest.metadata.creationTimestamp ?? ""))
    )
      latest = d;
  }
  return latest;
}
