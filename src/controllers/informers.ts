// The informers every controller shares: each kind is listed and watched once
// per process, with the indexes controllers look objects up by.

import type { Logger } from "../common/log.js";
import type { JobVersion } from "../crds/job-version.js";
import type { ObjectMeta } from "../crds/meta.js";
import {
  allocationLabel,
  jobLabel,
  kubernetesServicesNamespaceLabel,
  nodeLeaseNamespace,
} from "../crds/names.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
  NomadNodePool,
  NomadSchedulerConfiguration,
  NomadServiceRegistration,
} from "../crds/objects.js";
import { Informer } from "../kube/informer.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import {
  caravanResource,
  controllerRevisionResource,
  leaseResource,
  namespaceResource,
} from "../kube/resources.js";

export interface NodeLease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

/** Index name: objects of one job, by "namespace/jobName". */
export const byJob = "job";
/** Index name: allocations on one node, by node name. */
export const byNode = "node";
/** Index name: service registrations of one allocation, by "namespace/allocName". */
export const byAllocation = "allocation";

export interface SharedInformers {
  jobs: Informer<NomadJob>;
  evaluations: Informer<NomadEvaluation>;
  allocations: Informer<NomadAllocation>;
  nodes: Informer<NomadNode>;
  deployments: Informer<NomadDeployment>;
  versions: Informer<JobVersion>;
  nodePools: Informer<NomadNodePool>;
  /** The scheduler configuration (one object, named "cluster"). */
  schedulerConfigurations: Informer<NomadSchedulerConfiguration>;
  /** Node heartbeats: one Lease per node in the node lease namespace. */
  leases: Informer<NodeLease>;
  /** Nomad-native service registrations, written by the agents. */
  services: Informer<NomadServiceRegistration>;
  /** Namespaces that carry the Kubernetes service mirror label (whatever its value). */
  mirrorNamespaces: Informer<LabelledNamespace>;
  start(): void;
  waitForSync(): Promise<void>;
  stop(): void;
}

/** A Kubernetes Namespace, as far as its labels. */
export interface LabelledNamespace {
  metadata: ObjectMeta;
}

export function jobKey(namespace: string | undefined, jobName: string): string {
  return `${namespace ?? "default"}/${jobName}`;
}

/** A namespace limits the namespaced kinds to it (nodes are cluster-wide); unset watches all. */
export function createInformers(kc: KubeConfig, log: Logger, namespace?: string): SharedInformers {
  const scope = namespace ? { namespace } : {};
  const jobs = new Informer<NomadJob>(kc, caravanResource("NomadJob"), log, scope);
  const evaluations = new Informer<NomadEvaluation>(
    kc,
    caravanResource("NomadEvaluation"),
    log,
    scope,
  );
  const allocations = new Informer<NomadAllocation>(
    kc,
    caravanResource("NomadAllocation"),
    log,
    scope,
  );
  const nodes = new Informer<NomadNode>(kc, caravanResource("NomadNode"), log);
  const deployments = new Informer<NomadDeployment>(
    kc,
    caravanResource("NomadDeployment"),
    log,
    scope,
  );
  // Only the revisions Caravan writes: they carry the job label.
  const versions = new Informer<JobVersion>(kc, controllerRevisionResource, log, {
    ...scope,
    labelSelector: jobLabel,
  });

  evaluations.store.addIndex(byJob, (e) => [jobKey(e.metadata.namespace, e.spec.jobName)]);
  allocations.store.addIndex(byJob, (a) => [jobKey(a.metadata.namespace, a.spec.jobName)]);
  allocations.store.addIndex(byNode, (a) => [a.spec.nodeName]);
  deployments.store.addIndex(byJob, (d) => [jobKey(d.metadata.namespace, d.spec.jobName)]);
  versions.store.addIndex(byJob, (v) => [
    jobKey(v.metadata.namespace, v.metadata.labels[jobLabel] ?? ""),
  ]);

  const leases = new Informer<NodeLease>(kc, leaseResource, log, { namespace: nodeLeaseNamespace });
  const nodePools = new Informer<NomadNodePool>(kc, caravanResource("NomadNodePool"), log);
  const schedulerConfigurations = new Informer<NomadSchedulerConfiguration>(
    kc,
    caravanResource("NomadSchedulerConfiguration"),
    log,
  );

  const services = new Informer<NomadServiceRegistration>(
    kc,
    caravanResource("NomadServiceRegistration"),
    log,
    scope,
  );
  services.store.addIndex(byAllocation, (r) => [
    jobKey(r.metadata.namespace, r.metadata.labels?.[allocationLabel] ?? ""),
  ]);
  services.store.addIndex(byJob, (r) => [
    jobKey(r.metadata.namespace, r.metadata.labels?.[jobLabel] ?? ""),
  ]);

  // Cluster-scoped: when the controllers watch one namespace, only that one.
  const mirrorNamespaces = new Informer<LabelledNamespace>(kc, namespaceResource, log, {
    labelSelector: kubernetesServicesNamespaceLabel,
    ...(namespace ? { fieldSelector: `metadata.name=${namespace}` } : {}),
  });

  const all = [
    services,
    mirrorNamespaces,
    jobs,
    evaluations,
    allocations,
    nodes,
    deployments,
    versions,
    leases,
    nodePools,
    schedulerConfigurations,
  ];
  return {
    jobs,
    evaluations,
    allocations,
    nodes,
    deployments,
    versions,
    nodePools,
    schedulerConfigurations,
    leases,
    services,
    mirrorNamespaces,
    start: () => {
      for (const i of all) i.start();
    },
    waitForSync: async () => {
      await Promise.all(all.map((i) => i.waitForSync()));
    },
    stop: () => {
      for (const i of all) i.stop();
    },
  };
}
