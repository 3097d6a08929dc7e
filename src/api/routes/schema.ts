// The NomadJob CRD's schema, for pruning what the API writes (see
// convert/prune.ts): as the cluster has it installed, or, when the service
// account may not read CRDs, from the chart's manifest shipped with Caravan.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../controlplane/binary.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { getJson } from "../../kube/rest.js";
import type { SchemaNode } from "../convert/prune.js";

interface Crd {
  spec: { versions: { name: string; schema?: { openAPIV3Schema?: SchemaNode } }[] };
}

export function crdSchema(kc: KubeConfig, crdName: string, version: string) {
  let cached: Promise<SchemaNode | undefined> | undefined;
  const pick = (crd: Crd) =>
    crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  const fromChart = async () => {
    const file = path.join(
      repoRoot,
      "charts/caravan/crds",
      `caravan.dev_${crdName.split(".")[0]}.yaml`,
    );
    return pick(parse(await readFile(file, "utf8")) as Crd);
  };
  return (): Promise<SchemaNode | undefined> => {
    cached ??= getJson<Crd>(
      kc,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`,
    )
      .then(pick)
      .catch(fromChart)
      .catch(() => {
        // Neither: the write goes as it is, and the API server names any undeclared field.
        cached = undefined;
        return undefined;
      });
    return cached;
  };
}
