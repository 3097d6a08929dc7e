// Which job version comes next, which is the latest or the last stable one,
// and which are old enough to go (the JobVersion object and its name are in
// src/crds/job-version.ts).
import { isDeepStrictEqual } from "node:util";
import { isStable, type JobVersion, versionName } from "../../crds/job-version.js";
import { jobLabel } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";

/** Nomad keeps this many versions of a job (JobTrackedVersions). */
export const trackedVersions = 6;

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
