// What the API reads from: one informer per kind it serves, each with an
// index tracker. Reads are answered from these caches; X-Nomad-Index is the
// Kubernetes resourceVersion (etcd's revision, so it only grows), and a
// blocking query waits until a watched collection passes the index it holds.
import type { Logger } from "../common/log.js";
import type { SharedInformers } from "../controllers/informers.js";
import type { JobVersion } from "../crds/job-version.js";
import type { ApiObject } from "../crds/meta.js";
import { jobLabel } from "../crds/names.js";
import type {
  NomadACLPolicy,
  NomadACLRole,
  NomadACLToken,
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
  NomadNodePool,
  NomadSchedulerConfiguration,
  NomadServiceRegistration,
} from "../crds/objects.js";
import {
  type NomadSchedulerConfigurationSpec,
  schedulerConfigurationName,
} from "../crds/scheduler-config.js";
import { type VariableSecret, variableLabel } from "../crds/variable.js";
import type { Kind } from "../http/context.js";
import { Informer } from "../kube/informer.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { caravanResource, controllerRevisionResource, secretResource } from "../kube/resources.js";

/** Index name: objects by metadata.name across namespaces (Nomad IDs are global). */
export const byName = "name";
/** Index name: objects of one job, by "namespace/jobName". */
export const byJob = "job";
export const byNode = "node";
export const byAccessor = "accessor";
/** Index name: jobs by "namespace/Nomad job ID" (spec.id, else metadata.name). */
export const byJobID = "jobID";

/** The highest index a collection has seen, and who is waiting for it to move. */
export class IndexTracker {
  index = 0;
  private readonly waiters = new Set<() => void>();

  bump(rv: string | undefined): void {
    const n = Number(rv);
    // A deletion reports the object's last version; the delete itself happened after it.
    this.index = Number.isFinite(n) && n > this.index ? n : this.index + 1;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** Resolves on the next change, or false when the time is up or the client left. */
  changed(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        signal.removeEventListener("abort", abort);
        resolve(v);
      };
      const wake = () => done(true);
      const abort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(wake);
      signal.addEventListener("abort", abort, { once: true });
    });
  }
}

/** Nomad's per-object indexes, derived from resourceVersions as the API sees them. */
export interface ObjectIndexes {
  create: number;
  modify: number;
  /** The index of the last spec change (Nomad's JobModifyIndex / AllocModifyIndex). */
  specModify: number;
}

export class ApiState {
  readonly jobs: Informer<NomadJob>;
  readonly evaluations: Informer<NomadEvaluation>;
  readonly allocations: Informer<NomadAllocation>;
  readonly nodes: Informer<NomadNode>;
  readonly nodePools: Informer<NomadNodePool>;
  readonly schedulerConfigurations: Informer<NomadSchedulerConfiguration>;
  readonly deployments: Informer<NomadDeployment>;
  readonly versions: Informer<JobVersion>;
  readonly policies: Informer<NomadACLPolicy>;
  readonly tokens: Informer<NomadACLToken>;
  readonly roles: Informer<NomadACLRole>;
  readonly services: Informer<NomadServiceRegistration>;
  /** Nomad Variables: the Secrets labelled caravan.dev/variable. */
  readonly variables: Informer<VariableSecret>;
  readonly trackers: Record<Kind, IndexTracker>;
  private readonly indexes = new Map<string, ObjectIndexes & { generation: number }>();
  private readonly all: Informer<ApiObject>[];

  /**
   * `shared`: the controllers' informers of the same process (the leader's
   * cache of ten thousand allocations is then held once, not twice).
   */
  constructor(kc: KubeConfig, log: Logger, namespace?: string, shared?: SharedInformers) {
    const scope = namespace ? { namespace } : {};
    this.jobs = shared?.jobs ?? new Informer(kc, caravanResource("NomadJob"), log, scope);
    this.evaluations =
      shared?.evaluations ?? new Informer(kc, caravanResource("NomadEvaluation"), log, scope);
    this.allocations =
      shared?.allocations ?? new Informer(kc, caravanResource("NomadAllocation"), log, scope);
    this.deployments =
      shared?.deployments ?? new Informer(kc, caravanResource("NomadDeployment"), log, scope);
    this.nodes = shared?.nodes ?? new Informer(kc, caravanResource("NomadNode"), log);
    this.nodePools = shared?.nodePools ?? new Informer(kc, caravanResource("NomadNodePool"), log);
    this.schedulerConfigurations =
      shared?.schedulerConfigurations ??
      new Informer(kc, caravanResource("NomadSchedulerConfiguration"), log);
    this.versions =
      shared?.versions ??
      new Informer(kc, controllerRevisionResource, log, { ...scope, labelSelector: jobLabel });
    this.services =
      shared?.services ?? new Informer(kc, caravanResource("NomadServiceRegistration"), log, scope);
    this.variables = new Informer(kc, secretResource, log, {
      ...scope,
      labelSelector: `${variableLabel}=true`,
    });
    this.policies = new Informer(kc, caravanResource("NomadACLPolicy"), log);
    this.tokens = new Informer(kc, caravanResource("NomadACLToken"), log);
    this.roles = new Informer(kc, caravanResource("NomadACLRole"), log);

    const jobKey = (ns: string | undefined, job: string) => `${ns ?? "default"}/${job}`;
    const byJobOf = (o: { metadata: { namespace?: string }; spec: { jobName: string } }) => [
      jobKey(o.metadata.namespace, o.spec.jobName),
    ];
    const nameOf = (o: ApiObject) => [o.metadata.name];
    this.evaluations.store.addIndex(byName, nameOf);
    this.evaluations.store.addIndex(byJob, byJobOf);
    this.allocations.store.addIndex(byName, nameOf);
    this.allocations.store.addIndex(byJob, byJobOf);
    this.deployments.store.addIndex(byName, nameOf);
    this.deployments.store.addIndex(byJob, byJobOf);
    this.allocations.store.addIndex(byNode, (a) => [a.spec.nodeName]);
    this.jobs.store.addIndex(byJobID, (j) => [
      jobKey(j.metadata.namespace, j.spec.id ?? j.metadata.name),
    ]);
    this.versions.store.addIndex(byJob, (v) => [
      jobKey(v.metadata.namespace, v.metadata.labels[jobLabel] ?? ""),
    ]);
    this.tokens.store.addIndex(byAccessor, (t) =>
      t.status?.accessorID ? [t.status.accessorID] : [],
    );

    this.trackers = {
      jobs: new IndexTracker(),
      evaluations: new IndexTracker(),
      allocations: new IndexTracker(),
      nodes: new IndexTracker(),
      deployments: new IndexTracker(),
      versions: new IndexTracker(),
      policies: new IndexTracker(),
      tokens: new IndexTracker(),
      roles: new IndexTracker(),
      nodePools: new IndexTracker(),
      schedulerConfigurations: new IndexTracker(),
      services: new IndexTracker(),
      variables: new IndexTracker(),
    };
    // Informer<T> is invariant in T; the trackers only read metadata.
    const pairs = [
      ["jobs", this.jobs],
      ["evaluations", this.evaluations],
      ["allocations", this.allocations],
      ["nodes", this.nodes],
      ["deployments", this.deployments],
      ["versions", this.versions],
      ["policies", this.policies],
      ["tokens", this.tokens],
      ["roles", this.roles],
      ["nodePools", this.nodePools],
      ["schedulerConfigurations", this.schedulerConfigurations],
      ["services", this.services],
      ["variables", this.variables],
    ] as unknown as [Kind, Informer<ApiObject>][];
    for (const [kind, informer] of pairs) {
      const tracker = this.trackers[kind];
      informer.addHandlers({
        onAdd: (o) => {
          this.observe(o);
          tracker.bump(o.metadata.resourceVersion);
        },
        onUpdate: (_, o) => {
          this.observe(o);
          tracker.bump(o.metadata.resourceVersion);
        },
        onDelete: (o) => {
          if (o.metadata.uid) this.indexes.delete(o.metadata.uid);
          tracker.bump(undefined);
        },
      });
    }
    this.all = pairs.map(([, i]) => i);
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const i of this.all) i.stop();
  }

  /** The cluster's scheduler configuration object, if one was written. */
  schedulerConfigurationObject(): NomadSchedulerConfiguration | undefined {
    return this.schedulerConfigurations.store.get(schedulerConfigurationName);
  }

  /** The cluster's scheduler configuration; undefined means Nomad's defaults. */
  schedulerConfiguration(): NomadSchedulerConfigurationSpec | undefined {
    return this.schedulerConfigurationObject()?.spec;
  }

  /** Nomad's CreateIndex, ModifyIndex and spec-modify index of an object. */
  indexesOf(o: ApiObject): ObjectIndexes {
    const rv = Number(o.metadata.resourceVersion) || 0;
    const known = o.metadata.uid ? this.indexes.get(o.metadata.uid) : undefined;
    return known ?? { create: rv, modify: rv, specModify: rv };
  }

  /**
   * The indexes of the job a deployment rolls out, as the job's own JSON
   * shows them (Nomad copies the job's into the deployment); undefined when
   * the job is gone or was registered again after a purge.
   */
  jobIndexesOf(d: NomadDeployment): ObjectIndexes | undefined {
    const job = this.jobs.store.get(`${d.metadata.namespace ?? "default"}/${d.spec.jobName}`);
    if (!job) return undefined;
    const owner = d.metadata.ownerReferences?.find((r) => r.kind === "NomadJob")?.uid;
    if (owner && owner !== job.metadata.uid) return undefined;
    return this.indexesOf(job);
  }

  /** The highest index of the collections a reply depends on. */
  index(kinds: readonly Kind[]): number {
    let max = 1;
    for (const k of kinds) max = Math.max(max, this.trackers[k].index);
    return max;
  }

  private observe(o: ApiObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const rv = Number(o.metadata.resourceVersion) || 0;
    const generation = o.metadata.generation ?? 0;
    const known = this.indexes.get(uid);
    if (!known) {
      // First sight (a fresh object, or this process starting): creation is as old as we know.
      this.indexes.set(uid, { create: rv, modify: rv, specModify: rv, generation });
      return;
    }
    known.modify = rv;
    if (known.generation !== generation) {
      known.generation = generation;
      known.specModify = rv;
    }
  }
}
