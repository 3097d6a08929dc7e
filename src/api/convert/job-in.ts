// Nomad's API JSON for a job (what `nomad job run`, the Go client and
// Terraform send) → the NomadJob spec in camelCase: the inverse of
// src/jobspec/nomad-api.ts, read from the same field table
// (src/jobspec/nomad-fields.ts). Durations arrive as nanoseconds and become Go
// duration strings; nulls (Go's unset pointers) are dropped; fields the server
// owns (indexes, status, submit time) are ignored, as Nomad ignores them.
import type { NomadJobSpec } from "../../crds/job/index.js";
import { convertJob } from "../../jobspec/nomad-fields.js";

type Obj = Record<string, unknown>;

// Other API routes read Nomad's nanosecond durations too.

export type JobIn =
  | { ok: true; spec: NomadJobSpec; namespace?: string }
  | { ok: false; error: string };

/** Reads a Nomad API job; the error names the first field that cannot be a job. */
export function fromNomadApi(value: unknown): JobIn {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: "Job must be an object" };
  const input = value as Obj;
  for (const [field, kind] of [
    ["ID", "string"],
    ["Name", "string"],
    ["Type", "string"],
    ["Namespace", "string"],
    ["Region", "string"],
    ["Priority", "number"],
  ] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && typeof v !== kind)
      return { ok: false, error: `Job.${field} must be a ${kind}, got ${JSON.stringify(v)}` };
  }
  for (const field of ["TaskGroups", "Datacenters", "Constraints", "Affinities", "Spreads"]) {
    const v = input[field];
    if (v !== undefined && v !== null && !Array.isArray(v))
      return { ok: false, error: `Job.${field} must be a list` };
  }
  const spec = convertJob(input, "fromNomad") as unknown as NomadJobSpec;
  spec.groups ??= [];
  const namespace =
    typeof input.Namespace === "string" && input.Namespace ? input.Namespace : undefined;
  return { ok: true, spec, ...(namespace ? { namespace } : {}) };
}
