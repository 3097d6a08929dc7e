// A node's heartbeat: renew (or create) its Lease in caravan-node-lease, as
// kubelets do in kube-node-lease. The controller marks the node down or
// disconnected when the lease lapses.

import { nodeLeaseNamespace } from "../crds/names.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { ensureNamespace } from "../kube/namespaces.js";
import { collectionPath, leaseResource, objectPath } from "../kube/resources.js";
import { ApiError, microTime, requestJson } from "../kube/rest.js";

export async function renewNodeLease(
  kc: KubeConfig,
  nodeName: string,
  leaseSeconds: number,
): Promise<void> {
  const path = collectionPath(leaseResource, nodeLeaseNamespace);
  const spec = {
    holderIdentity: nodeName,
    leaseDurationSeconds: leaseSeconds,
    renewTime: microTime(Date.now()),
  };
  try {
    await requestJson(kc, {
      method: "PATCH",
      path: objectPath(leaseResource, nodeName, nodeLeaseNamespace),
      contentType: "application/merge-patch+json",
      body: { spec },
    });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
    // The controller creates the lease namespace; an agent that starts first creates it if it may.
    await ensureNamespace(kc, nodeLeaseNamespace).catch(() => undefined);
    await requestJson(kc, {
      method: "POST",
      path,
      body: {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: nodeName, namespace: nodeLeaseNamespace },
        spec,
      },
    });
  }
}
