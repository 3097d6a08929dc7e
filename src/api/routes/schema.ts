// The NomadJob CRD's schema as the cluster has it installed, read once, for
// pruning what the API writes (see convert/prune.ts).
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { getJson } from "../../kube/rest.js";
import type { SchemaNode } from "../convert/prune.js";

interface Crd {
  spec: { versions: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
}

export function crdSchema(kc: KubeConfig, crdName: string, version: string) {
  let cached: Promise<SchemaNode | undefined> | undefined;
  return (): Promise<SchemaNode | undefined> => {
    cached ??= getJson<Crd>(
      kc,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`,
    )
      .then((crd) => crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema)
      .catch(() => {
        // Without read access to CRDs the write goes as it is; the API server will name any undeclared field.
        cached = undefined;
        return undefined;
      });
    return cached;
  };
}
