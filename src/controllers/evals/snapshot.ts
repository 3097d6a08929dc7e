// What a scheduler worker hands the pure scheduler for one evaluation: the
// job as registered, its previous version, every node and the allocations
// that matter (all of this job's, and every other job's that still holds
// resources), read from the informer caches plus the plan applier's recent
// writes.
import { randomInt } from "node:crypto";
import type { NomadEvaluation, NomadNode } from "../../crds/objects.js";
import {
  allocFromResource,
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

    const allocs: SchedulerAlloc[] = [];
    for (const a of this.allocations.all()) {
      const mine =
        a.spec.jobName === evaluation.spec.jobName &&
        (a.metadata.namespace ?? "default") === namespace;
      const holds =
        a.spec.desiredStatus === "run" && !terminal.has(a.status?.clientStatus ?? "pending");
      if (mine || holds)
        allocs.push(allocFromResource(a, infoFor(a.metadata.namespace, a.spec.jobName)));
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
      nodes: this.informers.nodes.store.list().map((n) => this.node(n)),
      allocs,
      now,
      seed: randomInt(2 ** 31),
    };
  }

  private node(obj: NomadNode): SchedulerNode {
    const cached = this.nodeCache.get(obj.metadata.name);
    if (cached && cached.rv === obj.metadata.resourceVersion) return cached.node;
    const node = nodeFromResource(obj);
    this.nodeCache.set(obj.metadata.name, { rv: obj.metadata.resourceVersion, node });
    return node;
  }
}
