// What Nomad's core garbage collector removes, decided from the objects and
// the clock: terminal evaluations and allocations, terminal deployments and
// dead or stopped jobs older than their thresholds (the server block's
// eval_gc_threshold, batch_eval_gc_threshold, deployment_gc_threshold,
// job_gc_threshold), and nodes down for longer than node_gc_threshold with
// nothing left on them; ACL tokens expired for longer than Nomad's
// acl_token_gc_threshold. `caravan system gc` uses zero thresholds. Pure.

import { tokenExpiry } from "../../acl/expiration.js";
import { durationMs } from "../../common/duration.js";
import type { ServerConfig } from "../../config/agent-config.js";
import { activeDeploymentStatuses } from "../../crds/deployment.js";
import type {
  NomadACLToken,
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
} from "../../crds/objects.js";
import { isEvaluationTerminal } from "../../crds/terminal.js";

export interface GcThresholds {
  jobMs: number;
  evalMs: number;
  batchEvalMs: number;
  deploymentMs: number;
  nodeMs: number;
  /** How long a token stays after it expired (Nomad's acl_token_gc_threshold). */
  tokenMs: number;
}

/** Nomad's server defaults. */
export const defaultThresholds: GcThresholds = {
  jobMs: 4 * 3_600_000,
  evalMs: 3_600_000,
  batchEvalMs: 24 * 3_600_000,
  deploymentMs: 3_600_000,
  nodeMs: 24 * 3_600_000,
  tokenMs: 3_600_000,
};

/** Thresholds from the server block's Go durations; absent or bad values keep Nomad's defaults. */
export function thresholdsFrom(
  config: Pick<
    ServerConfig,
    | "jobGcThreshold"
    | "evalGcThreshold"
    | "batchEvalGcThreshold"
    | "deploymentGcThreshold"
    | "nodeGcThreshold"
    | "aclTokenGcThreshold"
  >,
): GcThresholds {
  const d = defaultThresholds;
  return {
    jobMs: durationMs(config.jobGcThreshold, d.jobMs),
    evalMs: durationMs(config.evalGcThreshold, d.evalMs),
    batchEvalMs: durationMs(config.batchEvalGcThreshold, d.batchEvalMs),
    deploymentMs: durationMs(config.deploymentGcThreshold, d.deploymentMs),
    nodeMs: durationMs(config.nodeGcThreshold, d.nodeMs),
    tokenMs: durationMs(config.aclTokenGcThreshold, d.tokenMs),
  };
}

export const forceThresholds: GcThresholds = {
  jobMs: 0,
  evalMs: 0,
  batchEvalMs: 0,
  deploymentMs: 0,
  nodeMs: 0,
  tokenMs: 0,
};

export interface GcState {
  jobs: readonly NomadJob[];
  evaluations: readonly NomadEvaluation[];
  allocations: readonly NomadAllocation[];
  deployments: readonly NomadDeployment[];
  nodes: readonly NomadNode[];
  /** ACL tokens; absent when the caller does not collect them. */
  tokens?: readonly NomadACLToken[];
}

export interface Garbage {
  jobs: NomadJob[];
  evaluations: NomadEvaluation[];
  allocations: NomadAllocation[];
  deployments: NomadDeployment[];
  nodes: NomadNode[];
  tokens: NomadACLToken[];
}

const time = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};
const key = (ns: string | undefined, name: string) => `${ns ?? "default"}/${name}`;

/** The allocation no longer runs and nothing waits on it. */
function allocDone(a: NomadAllocation, replaced: ReadonlySet<string>): boolean {
  const client = a.status?.clientStatus ?? "pending";
  if (client === "complete" || client === "lost") return true;
  // A failed allocation may still be rescheduled: done once replaced or told to stop.
  if (client === "failed")
    return (
      replaced.has(key(a.metadata.namespace, a.metadata.name)) || a.spec.desiredStatus !== "run"
    );
  return false;
}

function lastChange(a: NomadAllocation): number {
  return time(a.status?.modifyTime) ?? time(a.metadata.creationTimestamp) ?? 0;
}

export function collectGarbage(state: GcState, th: GcThresholds, now: number): Garbage {
  const out: Garbage = {
    jobs: [],
    evaluations: [],
    allocations: [],
    deployments: [],
    nodes: [],
    tokens: [],
  };
  const jobs = new Map(state.jobs.map((j) => [key(j.metadata.namespace, j.metadata.name), j]));
  const replaced = new Set<string>();
  for (const a of state.allocations)
    if (a.spec.previousAllocation)
      replaced.add(key(a.metadata.namespace, a.spec.previousAllocation));
  const batchLike = (jobName: string, ns: string | undefined) => {
    const type = jobs.get(key(ns, jobName))?.spec.type;
    return type === "batch" || type === "sysbatch";
  };

  // Allocations: terminal ones past the (batch) evaluation threshold.
  const liveByJob = new Map<string, number>();
  for (const a of state.allocations) {
    const k = key(a.metadata.namespace, a.spec.jobName);
    if (!allocDone(a, replaced)) {
      liveByJob.set(k, (liveByJob.get(k) ?? 0) + 1);
      continue;
    }
    // A batch job's finished allocations are its record of work done (the
    // scheduler would run them again without them): they go with the job.
    if (batchLike(a.spec.jobName, a.metadata.namespace)) continue;
    if (now - lastChange(a) >= th.evalMs) out.allocations.push(a);
  }

  // Evaluations: terminal ones past the threshold (blocked and pending stay).
  const pendingByJob = new Map<string, number>();
  for (const e of state.evaluations) {
    const k = key(e.metadata.namespace, e.spec.jobName);
    if (!isEvaluationTerminal(e.status?.status ?? "pending")) {
      pendingByJob.set(k, (pendingByJob.get(k) ?? 0) + 1);
      continue;
    }
    const at = time(e.status?.modifyTime) ?? time(e.metadata.creationTimestamp) ?? 0;
    const limit = batchLike(e.spec.jobName, e.metadata.namespace) ? th.batchEvalMs : th.evalMs;
    if (now - at >= limit) out.evaluations.push(e);
  }

  // Deployments: terminal ones past the threshold, except each job's latest.
  const latest = new Map<string, NomadDeployment>();
  for (const d of state.deployments) {
    const k = key(d.metadata.namespace, d.spec.jobName);
    const cur = latest.get(k);
    if (!cur || d.spec.jobVersion > cur.spec.jobVersion) latest.set(k, d);
  }
  for (const d of state.deployments) {
    const k = key(d.metadata.namespace, d.spec.jobName);
    const status = d.status?.status;
    if (!status || activeDeploymentStatuses.has(status)) continue;
    if (latest.get(k) === d && jobs.has(k)) continue;
    const at = time(d.status?.modifyTime) ?? time(d.metadata.creationTimestamp) ?? 0;
    if (now - at >= th.deploymentMs) out.deployments.push(d);
  }

  // Jobs: stopped, or dead batch jobs (children included), with nothing live, past the threshold.
  for (const j of state.jobs) {
    const k = key(j.metadata.namespace, j.metadata.name);
    if (j.metadata.deletionTimestamp) continue;
    if (j.spec.periodic || j.spec.parameterized) {
      if (!j.spec.stop) continue; // parents live until stopped
    }
    const dead = j.spec.stop === true || j.status?.status === "dead";
    if (!dead || (liveByJob.get(k) ?? 0) > 0 || (pendingByJob.get(k) ?? 0) > 0) continue;
    let at = time(j.status?.submitTime) ?? time(j.metadata.creationTimestamp) ?? 0;
    for (const a of state.allocations)
      if (key(a.metadata.namespace, a.spec.jobName) === k) at = Math.max(at, lastChange(a));
    if (now - at >= th.jobMs) out.jobs.push(j);
  }

  // Nodes: down past the threshold with no allocation still on them.
  const onNode = new Set<string>();
  for (const a of state.allocations) if (!allocDone(a, replaced)) onNode.add(a.spec.nodeName);
  for (const n of state.nodes) {
    if (n.status?.status !== "down" || onNode.has(n.metadata.name)) continue;
    const at = time(n.status.statusUpdatedAt) ?? 0;
    if (now - at >= th.nodeMs) out.nodes.push(n);
  }

  // ACL tokens: expired for longer than the threshold.
  for (const t of state.tokens ?? []) {
    const at = tokenExpiry(t);
    if (at !== undefined && now - at >= th.tokenMs) out.tokens.push(t);
  }
  return out;
}
