// NomadEvaluation → api.Evaluation.

import { goDurationMs } from "../../common/duration.js";
import type { AllocationMetric } from "../../crds/evaluation.js";
import { createdAt } from "../../crds/meta.js";
import type { NomadEvaluation } from "../../crds/objects.js";
import type { ObjectIndexes } from "../state.js";
import { nanos } from "./time.js";

type Obj = Record<string, unknown>;

export function evalOut(e: NomadEvaluation, idx: ObjectIndexes, jobID: string): Obj {
  const s = e.status ?? {};
  return {
    ID: e.metadata.name,
    Priority: e.spec.priority,
    Type: e.spec.type,
    TriggeredBy: e.spec.triggeredBy,
    Namespace: e.metadata.namespace ?? "default",
    JobID: jobID,
    JobModifyIndex: 0,
    NodeID: e.spec.nodeName ?? "",
    DeploymentID: e.spec.deploymentName ?? e.status?.deploymentName ?? "",
    Status: s.status ?? "pending",
    StatusDescription: s.statusDescription ?? "",
    Wait: Math.round((goDurationMs(e.spec.wait ?? "0s") ?? 0) * 1e6),
    WaitUntil: e.spec.waitUntil ?? "0001-01-01T00:00:00Z",
    NextEval: s.nextEval ?? "",
    PreviousEval: e.spec.previousEval ?? "",
    BlockedEval: s.blockedEval ?? "",
    FailedTGAllocs: s.failedTGAllocs ? metricsOut(s.failedTGAllocs) : null,
    ClassEligibility: s.classEligibility ?? null,
    EscapedComputedClass: s.escapedComputedClass ?? false,
    QueuedAllocations: s.queuedAllocations ?? null,
    SnapshotIndex: 0,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
    CreateTime: nanos(s.createTime ?? createdAt(e.metadata)),
    ModifyTime: nanos(s.modifyTime ?? s.createTime ?? createdAt(e.metadata)),
  };
}

/** api.AllocationMetric: why placements failed, per node class, constraint and dimension. */
export function metricOut(m: AllocationMetric): Obj {
  const exhausted: Record<string, Obj> = {};
  for (const [k, r] of Object.entries(m.resourcesExhausted ?? {}))
    exhausted[k] = {
      CPU: r.cpu ?? 0,
      Cores: r.cores ?? 0,
      MemoryMB: r.memoryMB ?? 0,
      DiskMB: r.diskMB ?? 0,
    };
  return {
    NodesEvaluated: m.nodesEvaluated ?? 0,
    NodesFiltered: m.nodesFiltered ?? 0,
    NodesInPool: m.nodesInPool ?? 0,
    NodePool: m.nodePool ?? "",
    NodesAvailable: m.nodesAvailable ?? null,
    ClassFiltered: m.classFiltered ?? null,
    ConstraintFiltered: m.constraintFiltered ?? null,
    NodesExhausted: m.nodesExhausted ?? 0,
    ClassExhausted: m.classExhausted ?? null,
    DimensionExhausted: m.dimensionExhausted ?? null,
    QuotaExhausted: m.quotaExhausted ?? null,
    ResourcesExhausted: m.resourcesExhausted ? exhausted : null,
    ScoreMetaData: (m.scoreMetaData ?? []).map((s) => ({
      NodeID: s.nodeName,
      Scores: s.scores ?? null,
      NormScore: s.normScore ?? 0,
    })),
    AllocationTime: Math.round((goDurationMs(m.allocationTime ?? "0s") ?? 0) * 1e6),
    CoalescedFailures: m.coalescedFailures ?? 0,
  };
}

export function metricsOut(byGroup: Record<string, AllocationMetric>): Record<string, Obj> {
  return Object.fromEntries(Object.entries(byGroup).map(([g, m]) => [g, metricOut(m)]));
}
