// NomadJob → Nomad's API shapes: the full api.Job, the JobListStub of
// GET /v1/jobs, the JobSummary. The job is canonicalized on the way out, so a
// NomadJob applied with kubectl (defaults left out) reads like one Nomad stored.
import { defaultJob } from "../../crds/job/defaults.js";
import { createdAt } from "../../crds/meta.js";
import type { NomadJob } from "../../crds/objects.js";
import { canonicalize } from "../../jobspec/canonicalize.js";
import { toNomadApi } from "../../jobspec/nomad-api.js";
import type { ObjectIndexes } from "../state.js";
import { nanos } from "./time.js";

type Obj = Record<string, unknown>;

export function jobID(job: NomadJob): string {
  return job.spec.id ?? job.metadata.name;
}

export function jobNamespace(job: { metadata: { namespace?: string } }): string {
  return job.metadata.namespace ?? "default";
}

function jobStatus(job: NomadJob): string {
  return job.status?.status ?? "pending";
}

const canonical = new WeakMap<NomadJob, Obj>();

/** The full job as GET /v1/job/:id answers; cached per object version (objects are replaced on update). */
export function jobOut(job: NomadJob, idx: ObjectIndexes): Obj {
  let base = canonical.get(job);
  if (!base) {
    base = toNomadApi(canonicalize(job.spec), jobNamespace(job)).Job;
    canonical.set(job, base);
  }
  return {
    ...base,
    ID: jobID(job),
    Region: job.spec.region ?? defaultJob.region,
    Stop: job.spec.stop ?? false,
    Status: jobStatus(job),
    StatusDescription: job.status?.statusDescription ?? "",
    Version: job.status?.version ?? 0,
    Stable: job.status?.stable ?? false,
    SubmitTime: nanos(job.status?.submitTime ?? createdAt(job.metadata)),
    Dispatched: job.spec.dispatched ?? false,
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
    JobModifyIndex: idx.specModify,
  };
}

/** Every field of Nomad's stored job (structs.Job) at Go's zero value: nil lists, maps and pointers are null. */
const zeroJob: Obj = {
  Stop: false,
  Region: "",
  Namespace: "",
  ID: "",
  ParentID: "",
  Name: "",
  Type: "",
  Priority: 0,
  AllAtOnce: false,
  Datacenters: null,
  NodePool: "",
  Constraints: null,
  Affinities: null,
  Spreads: null,
  TaskGroups: null,
  Update: {},
  Multiregion: null,
  Periodic: null,
  ParameterizedJob: null,
  Dispatched: false,
  DispatchIdempotencyToken: "",
  Payload: null,
  Meta: null,
  ConsulNamespace: "",
  VaultNamespace: "",
  NomadTokenID: "",
  Status: "",
  StatusDescription: "",
  Stable: false,
  Version: 0,
  SubmitTime: 0,
  CreateIndex: 0,
  ModifyIndex: 0,
  JobModifyIndex: 0,
  UI: null,
  VersionTag: null,
};

/**
 * What a `filter` on GET /v1/jobs sees of a job: Nomad evaluates it against the
 * stored job, not the list stub, with every field present (`ParameterizedJob is
 * not nil`, as `nomad job dispatch` asks, needs the field even when unset).
 */
export function jobFilterView(job: NomadJob, idx: ObjectIndexes): Obj {
  return { ...zeroJob, ...jobOut(job, idx) };
}

export function jobSummary(job: NomadJob, idx: ObjectIndexes): Obj {
  const summary: Record<string, Obj> = {};
  for (const g of job.spec.groups ?? []) {
    const s = job.status?.summary?.[g.name] ?? {};
    summary[g.name] = {
      Queued: s.queued ?? 0,
      Complete: s.complete ?? 0,
      Failed: s.failed ?? 0,
      Running: s.running ?? 0,
      Starting: s.starting ?? 0,
      Lost: s.lost ?? 0,
      Unknown: s.unknown ?? 0,
    };
  }
  const c = job.status?.children;
  return {
    JobID: jobID(job),
    Namespace: jobNamespace(job),
    Summary: summary,
    Children: { Pending: c?.pending ?? 0, Running: c?.running ?? 0, Dead: c?.dead ?? 0 },
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
  };
}

/** One entry of GET /v1/jobs. */
export function jobStub(job: NomadJob, idx: ObjectIndexes): Obj {
  const spec = job.spec;
  return {
    ID: jobID(job),
    ParentID: spec.parentId ?? "",
    Name: spec.name ?? jobID(job),
    Namespace: jobNamespace(job),
    Datacenters: spec.datacenters ?? ["*"],
    NodePool: spec.nodePool ?? "default",
    Multiregion: null,
    Type: spec.type ?? defaultJob.type,
    Priority: spec.priority ?? defaultJob.priority,
    Periodic: !!spec.periodic,
    ParameterizedJob: !!spec.parameterized,
    Stop: spec.stop ?? false,
    Status: jobStatus(job),
    StatusDescription: job.status?.statusDescription ?? "",
    JobSummary: jobSummary(job, idx),
    CreateIndex: idx.create,
    ModifyIndex: idx.modify,
    JobModifyIndex: idx.specModify,
    SubmitTime: nanos(job.status?.submitTime ?? createdAt(job.metadata)),
    Meta: spec.meta ?? null,
    Version: job.status?.version ?? 0,
  };
}
