// A change the informers saw → the event Nomad's event stream would publish
// for it (nomad/state/events.go): its topic, type, key, filter keys and
// namespace. Nomad names an event's type after the Raft message that made the
// change; Caravan sees only the object before and after, so the type is read
// from what changed (a client status change is AllocationUpdated, a new
// allocation the scheduler placed is PlanResult, a drain set is NodeDrain).
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
  NomadServiceRegistration,
} from "../../crds/objects.js";
import { jobID, jobNamespace } from "./job-out.js";

export type Topic = "Job" | "Allocation" | "Evaluation" | "Deployment" | "Node" | "Service";
export const topics: readonly Topic[] = [
  "Job",
  "Allocation",
  "Evaluation",
  "Deployment",
  "Node",
  "Service",
];

/** The event's fields other than its index and payload. */
export interface EventHead {
  Topic: Topic;
  Type: string;
  Key: string;
  /** "" for cluster-wide objects (nodes): every namespace's subscribers see them. */
  Namespace: string;
  FilterKeys: string[] | null;
}

/** The Nomad job ID of a job named by its object name in a namespace. */
export type JobIDOf = (namespace: string, jobName: string) => string;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const generationChanged = (
  old: { metadata: { generation?: number } } | undefined,
  obj: { metadata: { generation?: number } },
) => old !== undefined && old.metadata.generation !== obj.metadata.generation;
/** Neither the spec (its generation) nor the status moved: no event. */
const unchanged = <T extends { metadata: { generation?: number }; status?: unknown }>(
  old: T | undefined,
  obj: T,
) => old !== undefined && !generationChanged(old, obj) && same(old.status, obj.status);

/** An object of a job (evaluation, allocation, deployment): keyed by its ID, filtered by its job's. */
function ofJob(
  topic: Topic,
  type: string,
  obj: { metadata: { name: string; namespace?: string }; spec: { jobName: string } },
  jobIDOf: JobIDOf,
  moreKeys: string[] = [],
): EventHead {
  const ns = jobNamespace(obj);
  return {
    Topic: topic,
    Type: type,
    Key: obj.metadata.name,
    Namespace: ns,
    FilterKeys: [jobIDOf(ns, obj.spec.jobName), ...moreKeys],
  };
}

/** `old` undefined: added; `deleted`: obj is the last version seen. Undefined: no event. */
export function jobEvent(
  old: NomadJob | undefined,
  obj: NomadJob,
  deleted: boolean,
): EventHead | undefined {
  const head = { Topic: "Job" as const, Key: jobID(obj), Namespace: jobNamespace(obj) };
  if (deleted) return { ...head, Type: "JobDeregistered", FilterKeys: null };
  if (!old || generationChanged(old, obj)) {
    // `nomad job stop` is a deregistration that keeps the job.
    const stopped = obj.spec.stop === true && old?.spec.stop !== true;
    return { ...head, Type: stopped ? "JobDeregistered" : "JobRegistered", FilterKeys: null };
  }
  // Status moves (pending → running → dead) come with placements in Nomad's plan applier.
  if (!same(old.status, obj.status)) return { ...head, Type: "PlanResult", FilterKeys: null };
  return undefined;
}

export function evalEvent(
  old: NomadEvaluation | undefined,
  obj: NomadEvaluation,
  deleted: boolean,
  jobIDOf: JobIDOf,
): EventHead | undefined {
  // Nomad publishes nothing when the garbage collector deletes evaluations.
  if (deleted || unchanged(old, obj)) return undefined;
  return ofJob("Evaluation", "EvaluationUpdated", obj, jobIDOf, [obj.spec.deploymentName ?? ""]);
}

export function allocEvent(
  old: NomadAllocation | undefined,
  obj: NomadAllocation,
  deleted: boolean,
  jobIDOf: JobIDOf,
): EventHead | undefined {
  if (deleted) return undefined;
  let type: string;
  if (!old) type = "PlanResult";
  else if (generationChanged(old, obj))
    type = same(
      { ...old.spec, desiredTransition: undefined },
      {
        ...obj.spec,
        desiredTransition: undefined,
      },
    )
      ? "AllocationUpdateDesiredStatus"
      : "PlanResult";
  else if (!same(old.status, obj.status)) type = "AllocationUpdated";
  else return undefined;
  return ofJob("Allocation", type, obj, jobIDOf, [obj.spec.deploymentName ?? ""]);
}

export function deploymentEvent(
  old: NomadDeployment | undefined,
  obj: NomadDeployment,
  deleted: boolean,
  jobIDOf: JobIDOf,
): EventHead | undefined {
  if (deleted || unchanged(old, obj)) return undefined;
  // The scheduler creates deployments with its plan; later changes are status updates.
  return ofJob("Deployment", old ? "DeploymentStatusUpdate" : "PlanResult", obj, jobIDOf);
}

export function nodeEvent(
  old: NomadNode | undefined,
  obj: NomadNode,
  deleted: boolean,
): EventHead | undefined {
  let type: string;
  if (deleted) type = "NodeDeregistration";
  else if (!old) type = "NodeRegistration";
  else if (!same(old.spec.drain, obj.spec.drain)) type = "NodeDrain";
  else if (old.spec.eligibility !== obj.spec.eligibility) type = "NodeEligibility";
  else if (!same(old.status, obj.status) || generationChanged(old, obj)) type = "NodeStreamEvent";
  else return undefined;
  return { Topic: "Node", Type: type, Key: obj.metadata.name, Namespace: "", FilterKeys: null };
}

/** A service registration written (ServiceRegistration) or deleted (ServiceDeregistration); its check status is no event. */
export function serviceEvent(
  old: NomadServiceRegistration | undefined,
  obj: NomadServiceRegistration,
  deleted: boolean,
): EventHead | undefined {
  let type: string;
  if (deleted) type = "ServiceDeregistration";
  else if (!old || generationChanged(old, obj)) type = "ServiceRegistration";
  else return undefined;
  return {
    Topic: "Service",
    Type: type,
    Key: obj.spec.id,
    Namespace: obj.metadata.namespace ?? "default",
    FilterKeys: [obj.spec.jobID, obj.spec.serviceName],
  };
}
