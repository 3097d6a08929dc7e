// What a scheduler worker hands the pure scheduler for one evaluation: the
// job as registered, its previous version, every node and the allocations
// that matter (all of this job's, and every other job's that still holds
// resources), read from the informer caches plus the plan applier's recent
// writes.
import { randomInt } from "node:crypto";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { NomadDeployment, NomadEvaluation, NomadNode } from "../../crds/objects.js";
import {
  allocFromResource,
  deploymentFromResource,
  nodeFromResource,
  type SchedulerAlloc,
  type SchedulerNode,
  type SchedulerSnapshot,
} from "../../scheduler/index.js";
import { byJob, jobKey, type SharedInformers } from "../informers.js";
import { latestVersion } from "../jobs/versions.js";
import type { AllocationView } from "../plans/view.js";

const terminal = new Set(["complete", "failed", "lost"]);

export class SnapshotBuilder {
  // Adapting a node hashes its computed class: do it once per node version.
  private readonly nodeCache = new Map<string, { rv: string | undefined; node: SchedulerNode }>();
  // Deployments a worker just wrote, until the informer delivers them: the
  // next evaluation of the job must find its deployment, not create another.
  private readonly written = new Map<string, NomadDeployment>();

  constructor(
    private readonly informers: SharedInformers,
    private readonly allocations: AllocationView,
  ) {}

  build(evaluation: NomadEvaluation, now: number): SchedulerSnapshot {
    const namespace = evaluation.metadata.namespace ?? "default";
    const key = jobKey(namespace, evaluation.spec.jobName);
    const job = this.informers.jobs.store.get(key);
    const versions = this.informers.versions.store.byIndex(byJob, key);
    const current = latestVersion(versions);
    const version = current?.revision ?? evaluation.spec.jobVersion ?? 0;
    const previous = versions.find((v) => v.revision === version - 1);
    // A job being deleted is scheduled as purged: everything stops.
    const spec = job && !job.metadata.deletionTimestamp ? job.spec : undefined;

    const jobInfo = new Map<string, { priority: number; type: SchedulerAlloc["jobType"] }>();
    const infoFor = (ns: string | undefined, name: string) => {
      const k = jobKey(ns, name);
      let info = jobInfo.get(k);
      if (!info) {
        const j = this.informers.jobs.store.get(k);
        info = { priority: j?.spec.priority ?? 50, type: j?.spec.type ?? "service" };
        jobInfo.set(k, info);
      }
      return info;
    };

    const deployment = this.latestDeployment(key);
    const canaries = new Set(
      Object.values(deployment?.status?.groups ?? {}).flatMap((g) => g.placedCanaries ?? []),
    );
    const olderJobs: Record<number, NomadJobSpec> = {};
    for (const v of versions) if (v.revision < version - 1) olderJobs[v.revision] = v.data.spec;

    const allocs: SchedulerAlloc[] = [];
    for (const a of this.allocations.all()) {
      const mine =
        a.spec.jobName === evaluation.spec.jobName &&
        (a.metadata.namespace ?? "default") === namespace;
      const holds =
        a.spec.desiredStatus === "run" && !terminal.has(a.status?.clientStatus ?? "pending");
      if (!mine && !holds) continue;
      const alloc = allocFromResource(a, infoFor(a.metadata.namespace, a.spec.jobName));
      // A canary is known from its deployment before its own flag is written.
      const canary =
        mine &&
        !alloc.canary &&
        canaries.has(a.metadata.name) &&
        a.spec.deploymentName !== undefined;
      allocs.push(canary ? { ...alloc, canary: true } : alloc);
    }

    return {
      evalId: evaluation.metadata.name,
      namespace,
      jobId: evaluation.spec.jobName,
      job: spec,
      jobVersion: version,
      ...(previous
        ? { previousJob: { spec: previous.data.spec, version: previous.revision } }
        : {}),
      olderJobs,
      ...(deployment ? { deployment: deploymentFromResource(deployment) } : {}),
      nodes: this.informers.nodes.store.list().map((n) => this.node(n)),
      allocs,
      now,
      seed: randomInt(2 ** 31),
    };
  }

  /** Records a deployment as the API server returned it after a write. */
  wroteDeployment(d: NomadDeployment): void {
    this.written.set(`${d.metadata.namespace ?? "default"}/${d.metadata.name}`, d);
  }

  /** The job's newest deployment: highest job version, then newest. */
  private latestDeployment(key: string): NomadDeployment | undefined {
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
    let latest: NomadDeployment | undefined;
    for (const d of all.values()) {
      if (
        !latest ||
        d.spec.jobVersion > latest.spec.jobVersion ||
        (d.spec.jobVersion === latest.spec.jobVersion &&
          (d.metadata.creationTimestamp ?? "") > (latest.metadata.creationTimestamp ?? ""))
      )
        latest = d;
    }
    return latest;
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
