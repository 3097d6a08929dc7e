// The NomadJob CRD's schema, for pruning what the API writes (see
// convert/prune.ts): as the cluster has it installed, or, when the service
// account may not read CRDs, the one this build of Caravan was generated with.
import { jobSpecSchema } from "../../crds/schema/job-schema.generated.js";
import type { SchemaNode } from "../../crds/schema/prune-schema.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { crdResource } from "../../kube/resources.js";
import { getObject } from "../../kube/rest.js";

interface Crd {
  spec: { versions: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
}

/** The installed NomadJob CRD's spec schema for `version`, else the compiled-in one. */
export function jobSchema(kc: KubeConfig, crdName: string, version: string) {
  let cached: Promise<SchemaNode> | undefined;
  const pick = (crd: Crd) =>
    crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema?.properties?.spec;
  return (): Promise<SchemaNode> => {
    cached ??= getObject<Crd>(kc, crdResource, crdName)
      .then((crd) => pick(crd) ?? jobSpecSchema)
      .catch(() => jobSpecSchema);
    return cached;
  };
}
