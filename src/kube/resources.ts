// Where each kind lives in the API: list, watch and object paths for Caravan's
// custom resources (from the CRD registry) and the Kubernetes kinds Caravan
// reads and writes. The one place that spells the API server's paths.
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

/** A kind of the core group ("/api/v1"). */
function coreResource(kind: string, plural: string, namespaced: boolean): ResourceRef {
  return { apiVersion: "v1", kind, basePath: "/api/v1", plural, namespaced };
}

/** ACL tokens' secret IDs, and the Secrets templates read. */
export const secretResource = coreResource("Secret", "secrets", true);
/** The ConfigMaps templates read. */
export const configMapResource = coreResource("ConfigMap", "configmaps", true);
/** Nomad's namespaces are Kubernetes namespaces. */
export const namespaceResource = coreResource("Namespace", "namespaces", false);

/** Kubernetes Services mirroring Nomad services (opt-in), so pods reach tasks by cluster DNS name. */
export const serviceResource = coreResource("Service", "services", true);

/** The EndpointSlices behind those Services: the registrations' addresses and ports. */
export const endpointSliceResource: ResourceRef = {
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  basePath: "/apis/discovery.k8s.io/v1",
  plural: "endpointslices",
  namespaced: true,
};

/** Kubernetes' own label saying which Service an EndpointSlice serves. */
export const serviceNameLabel = "kubernetes.io/service-name";

/** Caravan's CRDs, installed at start and read for the NomadJob schema. */
export const crdResource: ResourceRef = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  basePath: "/apis/apiextensions.k8s.io/v1",
  plural: "customresourcedefinitions",
  namespaced: false,
};

/** The Events controllers record on the objects they act on. */
export const eventResource: ResourceRef = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  basePath: "/apis/events.k8s.io/v1",
  plural: "events",
  namespaced: true,
};

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

/** One object's path; a namespace places a namespaced kind's object in it. */
export function objectPath(ref: ResourceRef, name: string, namespace?: string): string {
  return `${collectionPath(ref, namespace)}/${name}`;
}

/** Job versions are ControllerRevisions, Kubernetes' own object for a history of specs. */
export const controllerRevisionResource: ResourceRef = {
  apiVersion: "apps/v1",
  kind: "ControllerRevision",
  basePath: "/apis/apps/v1",
  plural: "controllerrevisions",
  namespaced: true,
};
