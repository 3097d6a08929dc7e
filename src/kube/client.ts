// The one place Caravan builds Kubernetes clients: from a kubeconfig file, the
// default kubeconfig, or in-cluster credentials.
import { KubeConfig } from "./kubeconfig.js";

/** Field manager name for server-side apply, so `kubectl get -o yaml --show-managed-fields` names us. */
export const fieldManager = "caravan";

export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

/** Where the controller keeps its Lease: its own namespace in a cluster, else "default". */
export function controllerNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAMESPACE || env.CARAVAN_NAMESPACE || "default";
}
