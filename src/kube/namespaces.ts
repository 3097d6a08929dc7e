// Namespaces Caravan needs, such as the one node agents keep their Leases in.
import { partOfLabel } from "../crds/names.js";
import { createObject } from "./apply.js";
import type { KubeConfig } from "./kubeconfig.js";
import { namespaceResource } from "./resources.js";
import { ApiError } from "./rest.js";

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await createObject(kc, namespaceResource, {
      metadata: { name, labels: { [partOfLabel]: "caravan" } },
    });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
  }
}
