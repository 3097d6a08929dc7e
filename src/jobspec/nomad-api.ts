// Nomad's API JSON for a job: api.Job's field names (PascalCase, Nomad's own
// acronyms), durations in nanoseconds, ports split into ReservedPorts and
// DynamicPorts — the document `nomad job run -output` prints. The HTTP API
// reuses this mapper; the field table itself is nomad-fields.ts.
import type { NomadJobSpec } from "../crds/job/index.js";
import { convertJob } from "./nomad-fields.js";
import { orderJob } from "./resource.js";

type Obj = Record<string, unknown>;

/** The job as Nomad's API returns and accepts it, wrapped as `nomad job run -output` prints it. */
export function toNomadApi(spec: NomadJobSpec, namespace = "default"): { Job: Obj } {
  const out = convertJob(orderJob(spec), "toNomad") as Obj;
  out.Namespace = namespace;
  return { Job: out };
}

/**
 * The job before Nomad's server defaults, as `nomad job run -output` prints it
 * (jobspec2's parse result in a `{"Job": …}` wrapper). Namespace only when the
 * file sets it. Fields the file leaves unset are left out rather than printed
 * as null: the API reads both the same way.
 */
export function toNomadRunOutput(parsed: NomadJobSpec, namespace?: string): { Job: Obj } {
  const out = convertJob(orderJob(parsed), "toNomad") as Obj;
  if (namespace) out.Namespace = namespace;
  return { Job: out };
}
