// `caravan job history|revert|plan`: Nomad's job lifecycle commands against
// the cluster. The rules live in src/controllers/jobs (history, revert,
// plan); this file reads the cluster and prints.

import type { Command } from "commander";
import { formatHistory, jobHistory } from "../../controllers/jobs/history.js";
import { formatJobPlan, planJob } from "../../controllers/jobs/plan.js";
import { revertJob } from "../../controllers/jobs/revert.js";
import { periodicChild } from "../../controllers/periodic/child.js";
import { defaultJob } from "../../crds/job/defaults.js";
import type { NomadJobSpec } from "../../crds/job/index.js";
import type { JobVersion } from "../../crds/job-version.js";
import { jobLabel } from "../../crds/names.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadJob,
  NomadNode,
  NomadNodePool,
  NomadSchedulerConfiguration,
} from "../../crds/objects.js";
import { schedulerConfigurationName } from "../../crds/scheduler-config.js";
import { toResource } from "../../jobspec/index.js";
import { createObject } from "../../kube/apply.js";
import { fieldManager, loadKubeConfig } from "../../kube/client.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import {
  caravanResource,
  collectionPath,
  controllerRevisionResource,
} from "../../kube/resources.js";
import { ApiError, getJson, getObject, requestJson } from "../../kube/rest.js";
import { UsageError } from "../options.js";
import { type ClusterFlags, table, withClusterFlags } from "./deployment.js";

const jobs = caravanResource("NomadJob");

async function getJob(kc: KubeConfig, ns: string, name: string): Promise<NomadJob | undefined> {
  try {
    return await getJson<NomadJob>(kc, `${collectionPath(jobs, ns)}/${name}`);
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** The cluster's scheduler configuration; undefined (Nomad's defaults) when none is stored. */
async function schedulerConfiguration(
  kc: KubeConfig,
): Promise<NomadSchedulerConfiguration | undefined> {
  try {
    return await getObject<NomadSchedulerConfiguration>(
      kc,
      caravanResource("NomadSchedulerConfiguration"),
      schedulerConfigurationName,
    );
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) return undefined;
    throw err;
  }
}

async function versionsOf(kc: KubeConfig, ns: string, name: string): Promise<JobVersion[]> {
  const list = await getJson<{ items: JobVersion[] }>(
    kc,
    collectionPath(controllerRevisionResource, ns),
    { labelSelector: `${jobLabel}=${name}` },
  );
  return list.items;
}

function resolveJobName(arg: string): string {
  // The job ID as Nomad users type it; the resource name is its DNS-safe form.
  return toResource({ id: arg, name: arg } as NomadJobSpec).metadata.name;
}

/**
 * A job by its Nomad ID: the resource named after it, or (children, whose
 * names are "<parent>-periodic-<time>") the one whose spec.id it is.
 */
export async function findJob(kc: KubeConfig, ns: string, id: string): Promise<NomadJob> {
  const direct = await getJob(kc, ns, resolveJobName(id));
  if (direct) return direct;
  const all = await getJson<{ items: NomadJob[] }>(kc, collectionPath(jobs, ns));
  const found = all.items.find((j) => j.spec.id === id || j.metadata.name === id);
  if (!found) throw new UsageError(`no job "${id}" in namespace ${ns}`);
  return found;
}

export function addLifecycleCommands(
  job: Command,
  load: (
    file: string,
    flags: Record<string, unknown>,
  ) => { spec: NomadJobSpec; namespace?: string },
  addVarFlags: (cmd: Command) => Command,
): void {
  withClusterFlags(
    job
      .command("history")
      .description("list a job's versions, newest first")
      .argument("<job>", "job ID")
      .option("-p, --diffs", "show what each version changed"),
  ).action(async (arg: string, flags: ClusterFlags & { diffs?: boolean }) => {
    const kc = loadKubeConfig(flags.kubeconfig);
    const name = resolveJobName(arg);
    const versions = await versionsOf(kc, flags.namespace, name);
    if (versions.length === 0)
      throw new UsageError(`no job "${arg}" in namespace ${flags.namespace}`);
    process.stdout.write(formatHistory(jobHistory(versions), flags.diffs === true));
  });

  withClusterFlags(
    job
      .command("revert")
      .description("put the job back on an earlier version's spec (recorded as a new version)")
      .argument("<job>", "job ID")
      .argument("<version>", "version to revert to"),
  ).action(async (arg: string, versionArg: string, flags: ClusterFlags) => {
    const version = Number(versionArg);
    if (!Number.isInteger(version) || version < 0)
      throw new UsageError(`version: expected a job version number, got "${versionArg}"`);
    const kc = loadKubeConfig(flags.kubeconfig);
    const current = await findJob(kc, flags.namespace, arg);
    const name = current.metadata.name;
    const versions = await versionsOf(kc, flags.namespace, name);
    const to = versions.find((v) => v.revision === version);
    if (!to)
      throw new UsageError(
        `job "${arg}" has no version ${version} (kept: ${versions
          .map((v) => v.revision)
          .sort((a, b) => a - b)
          .join(", ")})`,
      );
    if (!(await revertJob(kc, current, to))) {
      process.stdout.write(`Job "${arg}" already has the spec of version ${version}\n`);
      return;
    }
    process.stdout.write(`Job "${arg}" reverted to the spec of version ${version}\n`);
  });

  const periodic = job.command("periodic").description("act on periodic jobs");
  withClusterFlags(
    periodic
      .command("force")
      .description("launch a periodic job's child now, whatever its schedule")
      .argument("<job>", "job ID"),
  ).action(async (arg: string, flags: ClusterFlags) => {
    const kc = loadKubeConfig(flags.kubeconfig);
    const parent = await findJob(kc, flags.namespace, arg);
    if (!parent.spec.periodic) throw new UsageError(`job "${arg}" is not periodic`);
    const child = periodicChild(parent, Date.now());
    await createObject(kc, jobs, child);
    process.stdout.write(`Job "${arg}" launched: ${child.spec.id} (${child.metadata.name})\n`);
  });

  addVarFlags(
    withClusterFlags(
      job
        .command("plan")
        .description("show what running a job file would change, without changing anything")
        .argument("<file>", "job file (.nomad.hcl or .nomad), or - for standard input"),
    ),
  ).action(async (file: string, flags: ClusterFlags & Record<string, unknown>) => {
    const kc = loadKubeConfig(flags.kubeconfig as string | undefined);
    const { spec, namespace: fileNs } = load(file, flags);
    const resource = toResource(spec, fileNs);
    const ns = fileNs && fileNs !== "default" ? fileNs : flags.namespace;
    const name = resource.metadata.name;
    // The spec as the API server would store it (defaults, pruning), and its
    // validation errors with field paths, from a dry-run apply.
    const stored = await requestJson<NomadJob>(kc, {
      method: "PATCH",
      path: `${collectionPath(jobs, ns)}/${name}`,
      query: { fieldManager, force: true, dryRun: "All" },
      body: { ...resource, metadata: { ...resource.metadata, namespace: ns } },
      contentType: "application/apply-patch+yaml",
    });
    const [current, versions, nodes, allocations, deployments, allJobs, config, pools] =
      await Promise.all([
        getJob(kc, ns, name),
        versionsOf(kc, ns, name),
        getJson<{ items: NomadNode[] }>(kc, collectionPath(caravanResource("NomadNode"))),
        getJson<{ items: NomadAllocation[] }>(
          kc,
          collectionPath(caravanResource("NomadAllocation")),
        ),
        getJson<{ items: NomadDeployment[] }>(
          kc,
          collectionPath(caravanResource("NomadDeployment"), ns),
          { labelSelector: `${jobLabel}=${name}` },
        ),
        getJson<{ items: NomadJob[] }>(kc, collectionPath(jobs)),
        schedulerConfiguration(kc),
        getJson<{ items: NomadNodePool[] }>(kc, collectionPath(caravanResource("NomadNodePool"))),
      ]);
    const byKey = new Map(
      allJobs.items.map((j) => [`${j.metadata.namespace ?? "default"}/${j.metadata.name}`, j]),
    );
    const p = planJob({
      namespace: ns,
      jobName: name,
      spec: stored.spec,
      ...(current ? { current } : {}),
      versions,
      nodes: nodes.items,
      allocations: allocations.items,
      deployments: deployments.items,
      jobInfo: (n, j) => {
        const other = byKey.get(`${n}/${j}`);
        return {
          priority: other?.spec.priority ?? defaultJob.priority,
          type: other?.spec.type ?? defaultJob.type,
        };
      },
      schedulerConfiguration: config?.spec,
      nodePools: pools.items,
      now: Date.now(),
    });
    process.stdout.write(formatJobPlan(spec.id ?? name, p));
    if (p.plan.deployment?.op === "create") {
      const canaries = Object.values(p.plan.deployment.groups).some((g) => g.desiredCanaries > 0);
      process.stdout.write(
        `\nA deployment of version ${p.version} would roll this out${canaries ? " with canaries" : ""}.\n`,
      );
    }
    const rows = [["Group", "Create", "Destroy", "In-place", "Destructive", "Canary", "Ignore"]];
    for (const [g, u] of Object.entries(p.desiredTGUpdates))
      rows.push([
        g,
        ...[u.place, u.stop, u.inPlaceUpdate, u.destructiveUpdate, u.canary, u.ignore].map(String),
      ]);
    process.stdout.write(`\n${table(rows)}\n`);
    // As `nomad job plan`: exit 1 when allocations would be created or destroyed.
    const changes = Object.values(p.desiredTGUpdates).some(
      (u) => u.place + u.stop + u.destructiveUpdate + u.canary + u.migrate > 0,
    );
    if (changes) process.exitCode = 1;
  });
}
