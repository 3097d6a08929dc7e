// Where each kind lives in the API: list and watch paths for Caravan's custom
// resources (from the CRD registry) and the core kinds controllers watch.
import { group, kindDefinition, version } from "../crds/registry.js";

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  /** e.g. "/apis/caravan.dev/v1alpha1" or "/apis/coordination.k8s.io/v1". */
  basePath: string;
  plural: string;
  namespaced: boolean;
}

export function caravanResource(kind: string): ResourceRef {
  const def = kindDefinition(kind);
  return {
    apiVersion: `${group}/${version}`,
    kind,
    basePath: `/apis/${group}/${version}`,
    plural: def.plural,
    namespaced: def.scope === "Namespaced",
  };
}

export const leaseResource: ResourceRef = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  basePath: "/apis/coordination.k8s.io/v1",
  plural: "leases",
  namespaced: true,
};

/** The collection path; a namespace narrows a namespaced kind to it. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  if (namespace && ref.namespaced) return `${ref.basePath}/namespaces/${namespace}/${ref.plural}`;
  return `${ref.basePath}/${ref.plural}`;
}

/** Job versions are ControllerRevisions, Kubernetes' own object for a history of specs. */
export const controllerRevisionResource: ResourceRef = {
  apiVersion: "apps/v1",
  kind: "ControllerRevision",
  basePath: "/apis/apps/v1",
  plural: "controllerrevisions",
  namespaced: true,
};
