// What a scheduler worker reads for one evaluation: the job as registered,
// its versions and deployments, every node and every allocation, from the
// informer caches plus the plan applier's (and workers') recent writes. The
// scheduler's snapshotOf turns it into the snapshot, as it does for `job plan`.
import { randomInt } from "node:crypto";
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadDeployment, NomadEvaluation, NomadNode } from "../../crds/objects.js";
import { schedulerConfigurationName } from "../../crds/scheduler-config.js";
import {
  nodeFromResource,
  type SchedulerNode,
  type SchedulerSnapshot,
  snapshotOf,
} from "../../scheduler/index.js";
import { byJob, jobKey, type SharedInformers } from "../informers.js";
import type { AllocationView } from "../plans/view.js";

/** The informer caches a snapshot is read from. */
export type SnapshotCaches = {
  readonly [K in
    | "jobs"
    | "versions"
    | "nodes"
    | "deployments"
    | "nodePools"
    | "schedulerConfigurations"]: Pick<SharedInformers[K], "store">;
};

export class SnapshotBuilder {
  // Adapting a node hashes its computed class: do it once per node version.
  private readonly nodeCache = new Map<string, { rv: string | undefined; node: SchedulerNode }>();
  // Deployments a worker just wrote, until the informer delivers them: the
  // next evaluation of the job must find its deployment, not create another.
  private readonly written = new Map<string, NomadDeployment>();

  constructor(
    private readonly informers: SnapshotCaches,
    private readonly allocations: Pick<AllocationView, "all">,
  ) {}

  build(evaluation: NomadEvaluation, now: number): SchedulerSnapshot {
    const key = jobKey(evaluation.metadata.namespace, evaluation.spec.jobName);
    const job = this.informers.jobs.store.get(key);
    const jobs = this.informers.jobs.store;
    return snapshotOf(
      {
        // A job being deleted is scheduled as purged: everything stops.
        job: job && !job.metadata.deletionTimestamp ? job.spec : undefined,
        versions: this.informers.versions.store
          .byIndex(byJob, key)
          .map((v) => ({ version: v.revision, spec: v.data.spec })),
        nodes: this.informers.nodes.store.list().map((n) => this.node(n)),
        allocations: this.allocations.all(),
        deployments: this.deploymentsOf(key),
        jobInfo: (namespace, name) => {
          const j = jobs.get(jobKey(namespace, name));
          return {
            priority: j?.spec.priority ?? defaultJob.priority,
            type: j?.spec.type ?? defaultJob.type,
          };
        },
        schedulerConfiguration: this.informers.schedulerConfigurations.store.get(
          schedulerConfigurationName,
        )?.spec,
        nodePool: (name) =>
          this.informers.nodePools.store
            .list()
            .find((p) => (p.spec.name ?? p.metadata.name) === name),
      },
      evaluation,
      { now, seed: randomInt(2 ** 31) },
    );
  }

  /** Records a deployment as the API server returned it after a write. */
  wroteDeployment(d: NomadDeployment): void {
    this.written.set(`${d.metadata.namespace ?? "default"}/${d.metadata.name}`, d);
  }

  /** The job's deployments: the cache's, and those written since that it has not delivered. */
  private deploymentsOf(key: string): NomadDeployment[] {
    const all = new Map<string, NomadDeployment>();
    for (const d of this.informers.deployments.store.byIndex(byJob, key))
      all.set(d.metadata.name, d);
    for (const [k, d] of this.written) {
      const cached = this.informers.deployments.store.get(k);
      if (cached && !olderThan(cached, d)) {
        this.written.delete(k);
        continue;
      }
      if (jobKey(d.metadata.namespace, d.spec.jobName) === key) all.set(d.metadata.name, d);
    }
    return [...all.values()];
  }

  private node(obj: NomadNode): SchedulerNode {
    const cached = this.nodeCache.get(obj.metadata.name);
    if (cached && cached.rv === obj.metadata.resourceVersion) return cached.node;
    const node = nodeFromResource(obj);
    this.nodeCache.set(obj.metadata.name, { rv: obj.metadata.resourceVersion, node });
    return node;
  }
}

function olderThan(a: NomadDeployment, b: NomadDeployment): boolean {
  try {
    return BigInt(a.metadata.resourceVersion ?? "0") < BigInt(b.metadata.resourceVersion ?? "0");
  } catch {
    return false;
  }
}
