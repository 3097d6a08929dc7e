// Kubernetes object metadata as the API server sends it over the wire (JSON:
// timestamps are strings). Informers and writers in src/kube work on this
// shape, not on @kubernetes/client-node's typed models.
import { createdAtAnnotation } from "./names.js";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** RFC 3339. */
  creationTimestamp?: string;
  /** RFC 3339; set while finalizers hold a deleted object. */
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

/**
 * When the object was created as Nomad reports it (a job version's submit
 * time, an allocation's create time): its creationTimestamp, or the original's
 * when a snapshot restore made it again. Liveness and GC ages keep reading
 * creationTimestamp: a restored object is new to the cluster's clocks.
 */
export function createdAt(meta: ObjectMeta): string | undefined {
  return meta.annotations?.[createdAtAnnotation] ?? meta.creationTimestamp;
}

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}
