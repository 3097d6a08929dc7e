// Nomad's `system reconcile summaries`: every job's summary recomputed from its
// allocations. Each job is touched (an annotation with the time), so the jobs
// controller reconciles it and writes its status afresh.
import { reconcileAnnotation } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import { mergePatch } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { ApiError, getJson } from "../../kube/rest.js";

/** Touches every job (of one namespace, when given); returns how many it touched. */
export async function reconcileSummaries(kc: KubeConfig, namespace?: string): Promise<number> {
  const jobs = caravanResource("NomadJob");
  const { items } = await getJson<{ items: NomadJob[] }>(kc, collectionPath(jobs, namespace));
  const stamp = new Date().toISOString();
  let touched = 0;
  for (const j of items) {
    try {
      await mergePatch(kc, jobs, j, {
        metadata: { annotations: { [reconcileAnnotation]: stamp } },
      });
      touched++;
    } catch (err) {
      // Deleted since the list (a garbage-collected child job): nothing to reconcile.
      if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
    }
  }
  return touched;
}
