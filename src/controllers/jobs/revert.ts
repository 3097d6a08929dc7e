// Nomad's `job revert`: the job's spec becomes that of an earlier version,
// which the jobs controller then records as a new version (history only
// grows) and evaluates. Used by auto_revert and `caravan job revert`.
import { isDeepStrictEqual } from "node:util";
import type { JobVersion } from "../../crds/job-version.js";
import type { NomadJob } from "../../crds/objects.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { requestJson } from "../../kube/rest.js";

/**
 * Replaces the job's spec with the version's (a JSON patch, so fields the
 * version lacks go too), guarded by the job's resourceVersion. Returns the job
 * as written, or undefined when it already has that spec.
 */
export async function revertJob(
  kc: KubeConfig,
  job: NomadJob,
  to: JobVersion,
): Promise<NomadJob | undefined> {
  if (isDeepStrictEqual(job.spec, to.data.spec)) return undefined;
  const ref = caravanResource("NomadJob");
  return requestJson<NomadJob>(kc, {
    method: "PATCH",
    path: `${collectionPath(ref, job.metadata.namespace ?? "default")}/${job.metadata.name}`,
    contentType: "application/json-patch+json",
    body: [
      { op: "test", path: "/metadata/resourceVersion", value: job.metadata.resourceVersion },
      { op: "replace", path: "/spec", value: to.data.spec },
    ],
  });
}
