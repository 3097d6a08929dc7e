// NomadDeployment → api.Deployment.
import { durationMs } from "../../common/duration.js";
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadDeployment } from "../../crds/objects.js";
import type { ObjectIndexes } from "../state.js";

type Obj = Record<string, unknown>;

/**
 * `job`: the indexes of the deployment's job (ApiState.jobIndexesOf), which
 * Nomad copies into JobCreateIndex, JobModifyIndex and JobSpecModifyIndex;
 * at registration a job's ModifyIndex is its JobModifyIndex.
 */
export function deploymentOut(
  d: NomadDeployment,
  idx: ObjectIndexes,
  jobID: string,
  job: ObjectIndexes | undefined,
): Obj {
  const groups: Record<string, Obj> = {};
  for (const [name, g] of Object.entries(d.status?.groups ?? {}))
    groups[name] = {
      AutoRevert: g.autoRevert ?? false,
      AutoPromote: g.autoPromote ?? false,
      Promoted: g.promoted ?? false,
      PlacedCanaries: g.placedCanaries ?? null,
      DesiredCanaries: g.desiredCanaries ?? 0,
      DesiredTotal: g.desiredTotal ?? 0,
      PlacedAllocs: g.placedAllocs ?? 0,
      HealthyAllocs: g.healthyAllocs ?? 0,
      UnhealthyAllocs: g.unhealthyAllocs ?? 0,
      // Nanoseconds, as Go's time.Duration; `deployment status` shows the column when it is set.
      ProgressDeadline: Math.round(durationMs(g.progressDeadline, 0) * 1e6),
      RequireProgressBy: g.requireProgressBy ?? "0001-01-01T00:00:00Z",
    };
  return {
    ID: d.metadata.name,
    Namespace: d.metadata.namespace ?? "default",
    JobID: jobID,
    JobVersion: d.spec.jobVersion,
    JobModifyIndex: job?.specModify ?? 0,
    JobSpecModifyIndex: job?.specModify ?? 0,
    JobCreateIndex: job?.create ?? 0,
    IsMultiregion: d.spec.isMultiregion ?? false,
    TaskGroups: groups,
    Status: d.status?.status ?? "running",
    StatusDescription: d.status?.statusDescription ?? "",
    EvalPriority: d.spec.evalPriority ?? defaultJob.priority,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}
