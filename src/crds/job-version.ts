// Job versions, Nomad's `job history`: each spec change the jobs controller
// sees becomes a ControllerRevision "<job>-v<version>" owned by the job, so
// `kubectl get controllerrevisions -l caravan.dev/job=<job>` lists them and
// deleting the job purges them. Names are deterministic, so a retry after a
// crash finds the version it already wrote instead of writing another.
import type { NomadJobSpec } from "./job/index.js";
import type { ObjectMeta } from "./meta.js";
import { stableAnnotation } from "./names.js";
import { derivedName } from "./object-name.js";

export interface JobVersion {
  apiVersion: "apps/v1";
  kind: "ControllerRevision";
  metadata: ObjectMeta & { name: string; namespace: string; labels: Record<string, string> };
  revision: number;
  data: { spec: NomadJobSpec; stable?: boolean };
}

/** The ControllerRevision name of a job's version. */
export function versionName(jobName: string, version: number): string {
  return derivedName(jobName, `v${version}`);
}

export function isStable(v: JobVersion | undefined): boolean {
  return v?.metadata.annotations?.[stableAnnotation] === "true" || v?.data.stable === true;
}
