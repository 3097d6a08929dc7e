// The child jobs periodic and parameterized parents launch, as Nomad derives
// them: the parent's spec without its periodic/parameterized block, ID
// "<parent>/periodic-<unix>" or "<parent>/dispatch-<unix>-<id>", parentId set,
// named "<parent>-periodic-<unix>" / "<parent>-dispatch-<unix>-<id>",
// labelled with the parent's name. Children are jobs of their own, as in
// Nomad: stopping or purging the parent leaves them running, so they carry no
// ownerReference the garbage collector would delete them through. Pure.

import type { NomadJobSpec } from "../../crds/job/index.js";
import { parentLabel } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";

export function jobId(job: NomadJob): string {
  return job.spec.id ?? job.metadata.name;
}

export function childJob(
  parent: NomadJob,
  suffix: string,
  changes: Partial<NomadJobSpec> = {},
): NomadJob {
  const { periodic: _p, parameterized: _q, ...spec } = parent.spec;
  const id = `${jobId(parent)}/${suffix}`;
  return {
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: {
      name: `${parent.metadata.name.slice(0, 200)}-${suffix}`,
      namespace: parent.metadata.namespace ?? "default",
      labels: { [parentLabel]: parent.metadata.name },
    },
    spec: { ...spec, id, name: id, parentId: jobId(parent), ...changes },
  };
}

/** The child a periodic parent launches for the scheduled time `at` (ms). */
export function periodicChild(parent: NomadJob, at: number): NomadJob {
  return childJob(parent, `periodic-${Math.floor(at / 1000)}`);
}

/** A child is finished when stopped, or dead once it has run. */
export function childRunning(child: NomadJob): boolean {
  if (child.spec.stop) return false;
  return child.status?.status !== "dead";
}

/** Nomad's children summary: a parent's children by status. */
export function childrenSummary(children: readonly NomadJob[]): {
  pending: number;
  running: number;
  dead: number;
} {
  const out = { pending: 0, running: 0, dead: 0 };
  for (const c of children) {
    const s = c.status?.status ?? "pending";
    out[s === "dead" ? "dead" : s === "running" ? "running" : "pending"]++;
  }
  return out;
}
