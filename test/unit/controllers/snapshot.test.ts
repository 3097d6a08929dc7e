// `job plan` and the scheduler workers read the same state into the same
// snapshot: the plan of the registered spec sees what a worker evaluating the
// job sees, and the plan of a new spec sees what a worker sees once it is
// registered (the new version recorded, the oldest beyond the tracked ones gone).
import { describe, expect, it } from "vitest";
import { SnapshotBuilder } from "../../../src/controllers/evals/snapshot.js";
import { byJob, jobKey } from "../../../src/controllers/informers.js";
import { planSnapshot } from "../../../src/controllers/jobs/plan.js";
import { expiredVersions, nextVersion } from "../../../src/controllers/jobs/versions.js";
import type { NomadJobSpec } from "../../../src/crds/job/index.js";
import type { JobVersion } from "../../../src/crds/job-version.js";
import { jobLabel } from "../../../src/crds/names.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
  NomadNodePool,
  NomadSchedulerConfiguration,
} from "../../../src/crds/objects.js";
import { Store } from "../../../src/kube/store.js";
import type { SchedulerSnapshot } from "../../../src/scheduler/index.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

function spec(image: string, count = 3): NomadJobSpec {
  return {
    type: "service",
    datacenters: ["dc1"],
    update: { maxParallel: 1, canary: 1 },
    groups: [
      {
        name: "web",
        count,
        tasks: [
          { name: "app", driver: "docker", config: { image }, resources: { cpu: 100, memory: 64 } },
        ],
      },
    ],
  };
}

function nodeObj(name: string): NomadNode {
  return {
    metadata: { name, resourceVersion: "1" },
    spec: {},
    status: {
      status: "ready",
      datacenter: "dc1",
      attributes: { "kernel.name": "linux", "driver.docker": "1" },
      drivers: { docker: { detected: true, healthy: true } },
      resources: { cpu: { cpuShares: 4000 }, memory: { memoryMB: 8192 }, disk: { diskMB: 50_000 } },
    },
  } as NomadNode;
}

function allocObj(
  name: string,
  job: string,
  version: number,
  over: {
    index?: number;
    deployment?: string;
    clientStatus?: string;
    desired?: "run" | "stop";
  } = {},
): NomadAllocation {
  const index = over.index ?? 0;
  return {
    metadata: { name, namespace: "default", creationTimestamp: "2025-12-31T00:00:00Z" },
    spec: {
      jobName: job,
      jobVersion: version,
      group: "web",
      nodeName: `n${index % 2}`,
      desiredStatus: over.desired ?? "run",
      name: `${job}.web[${index}]`,
      index,
      evalName: "e",
      ...(over.deployment ? { deploymentName: over.deployment } : {}),
      resources: { shared: { diskMB: 300 }, tasks: { app: { cpu: 100, memoryMB: 64 } } },
    },
    status: { clientStatus: over.clientStatus ?? "running" },
  } as NomadAllocation;
}

function deploymentObj(name: string, version: number, canaries: string[]): NomadDeployment {
  return {
    metadata: { name, namespace: "default", creationTimestamp: `2025-12-31T0${version}:00:00Z` },
    spec: { jobName: "web", jobVersion: version },
    status: {
      status: canaries.length > 0 ? "running" : "successful",
      groups: {
        web: { desiredTotal: 3, desiredCanaries: canaries.length, placedCanaries: canaries },
      },
    },
  } as NomadDeployment;
}

/** The job "web" with one recorded version per spec, the last one registered. */
function registered(specs: NomadJobSpec[]): { job: NomadJob; versions: JobVersion[] } {
  let versions: JobVersion[] = [];
  let job = { metadata: { name: "web", namespace: "default", uid: "u1" } } as NomadJob;
  for (const s of specs) {
    job = { ...job, spec: s };
    const next = nextVersion(job, versions);
    if (next) versions = [...versions, next];
    const expired = new Set(expiredVersions(versions));
    versions = versions.filter((v) => !expired.has(v));
  }
  return { job, versions };
}

interface Cluster {
  job: NomadJob;
  versions: JobVersion[];
  nodes: NomadNode[];
  allocations: NomadAllocation[];
  deployments: NomadDeployment[];
  others: NomadJob[];
  pools?: NomadNodePool[];
  schedulerConfiguration?: NomadSchedulerConfiguration;
}

/** The worker's snapshot, read through the informer caches. */
function workerSnapshot(c: Cluster, evaluation: NomadEvaluation): SchedulerSnapshot {
  const store = <T extends { metadata: { name: string } }>(
    items: T[],
    index?: (o: T) => string[],
  ) => {
    const s = new Store<T>();
    if (index) s.addIndex(byJob, index);
    for (const o of items) s.upsert(o);
    return s;
  };
  const builder = new SnapshotBuilder(
    {
      jobs: { store: store([c.job, ...c.others]) },
      versions: {
        store: store(c.versions, (v) => [
          jobKey(v.metadata.namespace, v.metadata.labels[jobLabel] ?? ""),
        ]),
      },
      nodes: { store: store(c.nodes) },
      deployments: {
        store: store(c.deployments, (d) => [jobKey(d.metadata.namespace, d.spec.jobName)]),
      },
      nodePools: { store: store(c.pools ?? []) },
      schedulerConfigurations: {
        store: store(c.schedulerConfiguration ? [c.schedulerConfiguration] : []),
      },
    },
    { all: () => c.allocations },
  );
  return builder.build(evaluation, NOW);
}

/** What `job plan` of `planned` sees in the same cluster. */
function plannedSnapshot(c: Cluster, planned: NomadJobSpec, current: NomadJob | undefined) {
  const jobs = new Map(c.others.map((j) => [j.metadata.name, j]));
  return planSnapshot({
    namespace: "default",
    jobName: "web",
    spec: planned,
    ...(current ? { current } : {}),
    versions: c.versions,
    nodes: c.nodes,
    allocations: c.allocations,
    deployments: c.deployments,
    jobInfo: (_ns, name) => ({
      priority: jobs.get(name)?.spec.priority ?? 50,
      type: jobs.get(name)?.spec.type ?? "service",
    }),
    schedulerConfiguration: c.schedulerConfiguration?.spec,
    nodePools: c.pools ?? [],
    now: NOW,
  });
}

const evaluation = (version: number): NomadEvaluation =>
  ({
    metadata: { name: "web-g7", namespace: "default" },
    spec: {
      jobName: "web",
      jobVersion: version,
      type: "service",
      priority: 50,
      triggeredBy: "job-register",
    },
  }) as NomadEvaluation;

/** Everything but the evaluation's name and the seed. */
const comparable = (s: SchedulerSnapshot) => ({ ...s, evalId: "", seed: 0 });

function cluster(specs: NomadJobSpec[]): Cluster {
  const { job, versions } = registered(specs);
  const latest = versions.at(-1)?.revision ?? 0;
  const batch = {
    metadata: { name: "batch", namespace: "default" },
    spec: { type: "batch", priority: 20 },
  };
  return {
    job,
    versions,
    nodes: [nodeObj("n0"), nodeObj("n1")],
    allocations: [
      // Two of the previous version, one of an older one, one stopped long ago.
      allocObj("a-old-0", "web", latest - 1, { index: 0, deployment: "d-prev" }),
      allocObj("a-old-1", "web", latest - 1, { index: 1, deployment: "d-prev" }),
      allocObj("a-older-2", "web", latest - 3, { index: 2 }),
      allocObj("a-gone", "web", 0, { index: 2, desired: "stop", clientStatus: "complete" }),
      // The canary of the latest version: its deployment lists it before its own flag is written.
      allocObj("a-canary", "web", latest, { index: 0, deployment: "d-latest" }),
      // Another job's: running ones hold resources, terminal ones do not.
      allocObj("b-run", "batch", 0, { index: 1 }),
      allocObj("b-done", "batch", 0, { index: 0, clientStatus: "complete" }),
    ],
    deployments: [
      deploymentObj("d-prev", latest - 1, []),
      deploymentObj("d-latest", latest, ["a-canary"]),
    ],
    others: [batch as NomadJob],
  };
}

const images = ["v0", "v1", "v2", "v3", "v4", "v5", "v6"].map((i) => spec(`app:${i}`));

describe("job plan and the scheduler workers see one snapshot", () => {
  it("the plan of the registered spec sees what a worker sees: canaries, previous and older versions", () => {
    const c = cluster(images.slice(0, 4)); // versions 0..3, 3 registered
    const worker = workerSnapshot(c, evaluation(3));
    const { snapshot: plan } = plannedSnapshot(c, c.job.spec, c.job);
    expect(comparable(plan)).toEqual(comparable(worker));

    expect(worker.jobVersion).toBe(3);
    expect(worker.previousJob?.version).toBe(2);
    expect(Object.keys(worker.olderJobs ?? {})).toEqual(["0", "1"]);
    expect(worker.deployment?.id).toBe("d-latest");
    const byId = new Map(worker.allocs.map((a) => [a.id, a]));
    expect(byId.get("a-canary")?.canary).toBe(true);
    expect(byId.get("a-old-0")?.canary).toBeUndefined();
    expect([...byId.keys()].sort()).toEqual(
      ["a-canary", "a-gone", "a-old-0", "a-old-1", "a-older-2", "b-run"].sort(),
    );
    expect(byId.get("b-run")).toMatchObject({ jobPriority: 20, jobType: "batch" });
  });

  it("the plan of a new spec sees what a worker sees once it is registered, oldest version dropped", () => {
    const before = cluster(images.slice(0, 6)); // versions 0..5, the most that are kept
    const { snapshot: plan, next } = plannedSnapshot(before, images[6] as NomadJobSpec, before.job);
    expect(next?.revision).toBe(6);

    const after = registered(images);
    expect(after.versions.map((v) => v.revision)).toEqual([1, 2, 3, 4, 5, 6]);
    const worker = workerSnapshot({ ...before, ...after }, evaluation(6));
    expect(comparable(plan)).toEqual(comparable(worker));
    expect(plan.jobVersion).toBe(6);
    expect(plan.previousJob?.version).toBe(5);
    expect(Object.keys(plan.olderJobs ?? {})).toEqual(["1", "2", "3", "4"]);
  });

  it("both apply the cluster's scheduler configuration and the job's node pool's overrides", () => {
    const c: Cluster = {
      ...cluster(images.slice(0, 2)),
      schedulerConfiguration: {
        metadata: { name: "cluster" },
        spec: {
          schedulerAlgorithm: "spread",
          preemptionConfig: { serviceSchedulerEnabled: true },
          nodeLimitForFeasibilityChecks: 20,
        },
      },
      pools: [
        {
          metadata: { name: "other" },
          spec: { schedulerConfiguration: { schedulerAlgorithm: "binpack" } },
        },
        {
          metadata: { name: "default" },
          spec: { schedulerConfiguration: { memoryOversubscriptionEnabled: true } },
        },
      ],
    };
    const worker = workerSnapshot(c, evaluation(1));
    const { snapshot: plan } = plannedSnapshot(c, c.job.spec, c.job);
    expect(comparable(plan)).toEqual(comparable(worker));
    expect(worker.config).toEqual({
      algorithm: "spread",
      memoryOversubscription: true,
      preemption: { system: true, sysbatch: false, batch: false, service: true },
      nodeLimitForFeasibilityChecks: 20,
    });

    const inOther = { ...c, job: { ...c.job, spec: { ...c.job.spec, nodePool: "other" } } };
    expect(workerSnapshot(inOther, evaluation(1)).config).toMatchObject({
      algorithm: "binpack",
      memoryOversubscription: false,
    });
  });
});
