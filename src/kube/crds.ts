// Installs Caravan's CRDs (the checked-in YAML under charts/caravan/crds) with
// server-side apply and waits until the API server serves them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  ApiextensionsV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { fieldManager } from "./client.js";

// loadYaml maps wire names onto the client's typed model ("x-kubernetes-validations"
// → x_kubernetes_validations, "enum" → _enum); a plain YAML object would lose
// those fields when the client serializes it back.
export function readCrdManifests(crdDir: string): V1CustomResourceDefinition[] {
  return readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => loadYaml<V1CustomResourceDefinition>(readFileSync(path.join(crdDir, f), "utf8")));
}

export async function installCrds(
  kc: KubeConfig,
  crdDir: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const crds = readCrdManifests(crdDir);
  for (const crd of crds) {
    await objects.patch(
      crd,
      undefined,
      undefined,
      fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const names = crds.map((c) => c.metadata?.name ?? "");
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === "Established" && c.status === "True",
      );
      if (established) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} not established after ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return names;
}
