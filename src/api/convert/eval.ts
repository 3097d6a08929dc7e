// NomadEvaluation → api.Evaluation.
import type { NomadEvaluation } from "../../crds/objects.js";
import { goDurationMs } from "../../jobspec/functions/index.js";
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
    DeploymentID: e.spec.deploymentName ?? "",
    Status: s.status ?? "pending",
    StatusDescription: s.statusDescription ?? "",
    Wait: Math.round((goDurationMs(e.spec.wait ?? "0s") ?? 0) * 1e6),
    WaitUntil: e.spec.waitUntil ?? "0001-01-01T00:00:00Z",
    NextEval: s.nextEval ?? "",
    PreviousEval: e.spec.previousEval ?? "",
    BlockedEval: s.blockedEval ?? "",
    FailedTGAllocs: s.failedTGAllocs ?? null,
    ClassEligibility: s.classEligibility ?? null,
    EscapedComputedClass: s.escapedComputedClass ?? false,
    QueuedAllocations: s.queuedAllocations ?? null,
    SnapshotIndex: 0,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
    CreateTime: nanos(s.createTime ?? e.metadata.creationTimestamp),
    ModifyTime: nanos(s.modifyTime ?? s.createTime ?? e.metadata.creationTimestamp),
  };
}
