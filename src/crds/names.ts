// The names Caravan writes on objects besides their kinds: labels,
// annotations, finalizers and well-known namespaces. Controllers, the API,
// the node agent and the CLI all read and write these; each is spelled here
// once.

/** Label: metadata.name of the NomadJob an object belongs to (evaluations, allocations, deployments, job versions). */
export const jobLabel = "caravan.dev/job";
/** Label: the task group of an allocation. */
export const groupLabel = "caravan.dev/group";
/** Label: metadata.name of the NomadNode an allocation is placed on (node agents watch by it). */
export const nodeLabel = "caravan.dev/node";
/** Label: metadata.name of the NomadAllocation a service registration belongs to. */
export const allocationLabel = "caravan.dev/allocation";
/**
 * Job meta key: "true" mirrors the job's Nomad services as Kubernetes
 * Services and EndpointSlices, so pods reach its tasks by cluster DNS name.
 */
export const kubernetesServiceMeta = "caravan_kubernetes_service";
/**
 * Namespace label: "true" mirrors the Nomad services of every job in the
 * namespace, as if each set kubernetesServiceMeta; a job's own meta
 * ("true" or "false") wins over it.
 */
export const kubernetesServicesNamespaceLabel = "caravan.dev/kubernetes-services";
/** Label on a mirrored Kubernetes Service and its EndpointSlices: the Nomad service it mirrors. */
export const nomadServiceLabel = "caravan.dev/nomad-service";
/** Label: the datacenter of a NomadNode. */
export const datacenterLabel = "caravan.dev/datacenter";
/** Label: metadata.name of the periodic or parameterized job a child job was launched from. */
export const parentLabel = "caravan.dev/parent";

/**
 * Annotation on a job version: a ControllerRevision's data cannot change, so a
 * version's stability (its deployment succeeded) is this annotation, set to "true".
 */
export const stableAnnotation = "caravan.dev/stable";
/** Annotation on a job: set to ask the jobs controller to recompute its summary (`nomad system reconcile summaries`). */
export const reconcileAnnotation = "caravan.dev/reconcile-summaries";
/** Annotation on a periodic job: the scheduled time (RFC 3339) of its last launch or skipped launch. */
export const lastLaunchAnnotation = "caravan.dev/periodic-last-launch";
/** Annotation on a periodic job: when it launches next (RFC 3339), for people (`nomad job status`'s Next Periodic Launch). */
export const nextLaunchAnnotation = "caravan.dev/periodic-next-launch";

/**
 * Annotation on an ACL role, whose Nomad ID is otherwise its UID: the ID it
 * keeps. A snapshot restore sets it, so a restored role keeps its ID.
 */
export const nomadIDAnnotation = "caravan.dev/nomad-id";

/**
 * Annotation on an object a snapshot restore made again: when the original
 * was created (RFC 3339), the time Nomad's create and submit times report
 * (`createdAt` in meta.ts).
 */
export const createdAtAnnotation = "caravan.dev/created-at";

/**
 * Label on a Kubernetes Namespace Caravan created for a Nomad namespace
 * (`nomad namespace apply`), set to "caravan": only these does `nomad namespace
 * delete` delete.
 */
export const managedByLabel = "app.kubernetes.io/managed-by";
/** Label on a namespace Caravan keeps for itself (node leases), set to "caravan": not a Nomad namespace. */
export const partOfLabel = "app.kubernetes.io/part-of";
/** Annotation on a Kubernetes Namespace: its Nomad namespace's description. */
export const descriptionAnnotation = "caravan.dev/description";
/** Annotation on a Kubernetes Namespace: its Nomad namespace's meta, as a JSON object of strings. */
export const metaAnnotation = "caravan.dev/meta";

/** Finalizer on a job: its allocations are stopped before the job goes. */
export const deregisterFinalizer = "caravan.dev/deregister";

/** Where node agents renew their heartbeat Leases (like kubelets' kube-node-lease). */
export const nodeLeaseNamespace = "caravan-node-lease";

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Whether Kubernetes takes `value` as a label value (63 characters at most). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && labelValue.test(value);
}

/**
 * Annotation on a job, written in the same write as a spec change the API
 * makes for a reason other than a registration: "<trigger>@<generation>"
 * (e.g. "job-scaling@7"). The jobs controller, which may create the
 * generation's evaluation before the API does, gives it that trigger.
 */
export const specTriggerAnnotation = "caravan.dev/spec-trigger";
