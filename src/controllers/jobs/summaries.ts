// Nomad's `system reconcile summaries`: every job's summary recomputed from its
// allocations. Each job is touched (an annotation with the time), so the jobs
// controller reconciles it and writes its status afresh.
import { reconcileAnnotation } from "../../crds/names.js";
import type { NomadJob } from "../../crds/objects.js";
import { mergePatch } from "../../kube/apply.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { getJson } from "../../kube/rest.js";

/** Touches every job (of one namespace, when given); returns how many. */
export async function reconcileSummaries(kc: KubeConfig, namespace?: string): Promise<number> {
  const jobs = caravanResource("NomadJob");
  const { items } = await getJson<{ items: NomadJob[] }>(kc, collectionPath(jobs, namespace));
  const stamp = new Date().toISOString();
  for (const j of items)
    await mergePatch(kc, jobs, j, { metadata: { annotations: { [reconcileAnnotation]: stamp } } });
  return items.length;
}
