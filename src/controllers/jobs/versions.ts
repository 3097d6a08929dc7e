// Job versions, Nomad's `job history`: each spec change the job controller
// sees becomes a ControllerRevision "<job>-v<version>" owned by the job, so
// `kubectl get controllerrevisions -l caravan.dev/job=<job>` lists them and
// deleting the job purges them. Names are deterministic, so a retry after a
// crash finds the version it already wrote instead of writing another.
import { isDeepStrictEqual } from "node:util";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { ObjectMeta } from "../../crds/meta.js";
import type { NomadJob } from "../../crds/objects.js";

export const jobLabel = "caravan.dev/job";
/**
 * A ControllerRevision's data cannot change, so a version's stability (its
 * deployment succeeded) is this annotation, set to "true".
 */
export const stableAnnotation = "caravan.dev/stable";
/** Nomad keeps this many versions of a job (JobTrackedVersions). */
export const trackedVersions = 6;

export interface JobVersion {
  apiVersion: "apps/v1";
  kind: "ControllerRevision";
  metadata: ObjectMeta & { name: string; namespace: string; labels: Record<string, string> };
  revision: number;
  data: { spec: NomadJobSpec; stable?: boolean };
}

export function versionName(jobName: string, version: number): string {
  return `${jobName.slice(0, 240)}-v${version}`;
}

export function isStable(v: JobVersion | undefined): boolean {
  return v?.metadata.annotations?.[stableAnnotation] === "true" || v?.data.stable === true;
}

/** The newest stable version older than `before`, to roll back to. */
export function lastStableVersion(
  versions: readonly JobVersion[],
  before: number,
): JobVersion | undefined {
  let found: JobVersion | undefined;
  for (const v of versions)
    if (v.revision < before && isStable(v) && (!found || v.revision > found.revision)) found = v;
  return found;
}

export function latestVersion(versions: readonly JobVersion[]): JobVersion | undefined {
  let latest: JobVersion | undefined;
  for (const v of versions) if (!latest || v.revision > latest.revision) latest = v;
  return latest;
}

/** The version to record for the job's current spec, or undefined when it is unchanged. */
export function nextVersion(
  job: NomadJob,
  versions: readonly JobVersion[],
): JobVersion | undefined {
  const latest = latestVersion(versions);
  if (latest && isDeepStrictEqual(latest.data.spec, job.spec)) return undefined;
  const revision = latest ? latest.revision + 1 : 0;
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: versionName(job.metadata.name, revision),
      namespace: job.metadata.namespace ?? "default",
      labels: { [jobLabel]: job.metadata.name },
      ownerReferences: [
        {
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadJob",
          name: job.metadata.name,
          uid: job.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    revision,
    data: { spec: job.spec },
  };
}

/** Versions beyond the newest `trackedVersions`, to delete. */
export function expiredVersions(versions: readonly JobVersion[]): JobVersion[] {
  return [...versions].sort((a, b) => b.revision - a.revision).slice(trackedVersions);
}
