// Namespaces Caravan needs, such as the one node agents keep their Leases in.
import type { KubeConfig } from "./kubeconfig.js";
import { ApiError, requestJson } from "./rest.js";

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await requestJson(kc, {
      method: "POST",
      path: "/api/v1/namespaces",
      body: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "app.kubernetes.io/part-of": "caravan" } },
      },
    });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
  }
}
