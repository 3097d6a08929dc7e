// `caravan deployment list|status|promote|pause|resume|fail`, as Nomad's
// deployment commands: the actions are fields of the NomadDeployment's spec
// that the deployment watcher acts on, so `kubectl patch` does the same.

import { Command } from "commander";
import { activeDeploymentStatuses } from "../../crds/deployment.js";
import type { NomadDeployment } from "../../crds/objects.js";
import { mergePatch } from "../../kube/apply.js";
import { loadKubeConfig } from "../../kube/client.js";
import type { KubeConfig } from "../../kube/kubeconfig.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { getJson } from "../../kube/rest.js";
import { UsageError } from "../options.js";

export interface ClusterFlags {
  namespace: string;
  kubeconfig?: string;
}

const deployments = caravanResource("NomadDeployment");

export function withClusterFlags(cmd: Command): Command {
  return cmd
    .option("--namespace <ns>", "the Nomad namespace (Kubernetes namespace)", "default")
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig");
}

/** Prints rows as Nomad's CLI does: columns padded to the widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** "key = value" lines, aligned, as Nomad's status commands print them. */
export function fields(pairs: readonly [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)} = ${v}`).join("\n");
}

async function listDeployments(kc: KubeConfig, ns: string): Promise<NomadDeployment[]> {
  const list = await getJson<{ items: NomadDeployment[] }>(kc, collectionPath(deployments, ns));
  return list.items;
}

/** A deployment by its full ID or a unique prefix. */
export async function findDeployment(
  kc: KubeConfig,
  ns: string,
  id: string,
): Promise<NomadDeployment> {
  const all = await listDeployments(kc, ns);
  const exact = all.find((d) => d.metadata.name === id);
  if (exact) return exact;
  const matches = all.filter((d) => d.metadata.name.startsWith(id));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new UsageError(`no deployment with ID prefix "${id}" in ${ns}`);
  throw new UsageError(
    `prefix "${id}" matches ${matches.length} deployments: ${matches.map((d) => d.metadata.name).join(", ")}`,
  );
}

export function describeDeployment(d: NomadDeployment): string {
  const st = d.status ?? {};
  const head = fields([
    ["ID", d.metadata.name],
    ["Job ID", d.spec.jobName],
    ["Job Version", String(d.spec.jobVersion)],
    ["Status", st.status ?? "pending"],
    ["Description", st.statusDescription ?? ""],
  ]);
  const groups = Object.entries(st.groups ?? {});
  const canaries = groups.some(([, g]) => (g.desiredCanaries ?? 0) > 0);
  const rows: string[][] = [
    [
      "Task Group",
      "Auto Revert",
      ...(canaries ? ["Promoted"] : []),
      "Desired",
      ...(canaries ? ["Canaries"] : []),
      "Placed",
      "Healthy",
      "Unhealthy",
      "Progress Deadline",
    ],
  ];
  for (const [name, g] of groups) {
    rows.push([
      name,
      String(g.autoRevert ?? false),
      ...(canaries ? [(g.desiredCanaries ?? 0) > 0 ? String(g.promoted ?? false) : "N/A"] : []),
      String(g.desiredTotal ?? 0),
      ...(canaries ? [String(g.desiredCanaries ?? 0)] : []),
      String(g.placedAllocs ?? 0),
      String(g.healthyAllocs ?? 0),
      String(g.unhealthyAllocs ?? 0),
      g.requireProgressBy ?? "N/A",
    ]);
  }
  return `${head}\n\nDeployed\n${table(rows)}\n`;
}

/** Groups whose canaries are not all healthy yet: promotion would be refused. */
export function unpromotable(d: NomadDeployment, only?: readonly string[]): string[] {
  const out: string[] = [];
  for (const [name, g] of Object.entries(d.status?.groups ?? {})) {
    if (only && only.length > 0 && !only.includes(name)) continue;
    const want = g.desiredCanaries ?? 0;
    if (want === 0 || g.promoted) continue;
    const placed = g.placedCanaries?.length ?? 0;
    if (placed < want || (g.healthyAllocs ?? 0) < want)
      out.push(
        `task group "${name}" has ${Math.min(g.healthyAllocs ?? 0, placed)}/${want} healthy canaries`,
      );
  }
  return out;
}

function active(d: NomadDeployment): void {
  const s = d.status?.status ?? "running";
  if (!activeDeploymentStatuses.has(s))
    throw new UsageError(`deployment ${d.metadata.name} is ${s}: it can no longer change`);
}

export function deploymentCommand(): Command {
  const cmd = new Command("deployment").description("inspect and act on deployments");
  withClusterFlags(cmd.command("list").description("list deployments")).action(
    async (flags: ClusterFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const all = await listDeployments(kc, flags.namespace);
      const rows = [["ID", "Job ID", "Job Version", "Status", "Description"]];
      for (const d of all)
        rows.push([
          d.metadata.name.slice(0, 8),
          d.spec.jobName,
          String(d.spec.jobVersion),
          d.status?.status ?? "pending",
          d.status?.statusDescription ?? "",
        ]);
      process.stdout.write(all.length === 0 ? "No deployments found\n" : `${table(rows)}\n`);
    },
  );
  withClusterFlags(
    cmd.command("status").description("show a deployment's progress").argument("<id>"),
  ).action(async (id: string, flags: ClusterFlags) => {
    const kc = loadKubeConfig(flags.kubeconfig);
    process.stdout.write(describeDeployment(await findDeployment(kc, flags.namespace, id)));
  });
  withClusterFlags(
    cmd
      .command("promote")
      .description("promote the canaries (of every group, or of the groups named)")
      .argument("<id>")
      .option("--group <name...>", "promote only these task groups"),
  ).action(async (id: string, flags: ClusterFlags & { group?: string[] }) => {
    const kc = loadKubeConfig(flags.kubeconfig);
    const d = await findDeployment(kc, flags.namespace, id);
    active(d);
    const refused = unpromotable(d, flags.group);
    if (refused.length > 0)
      throw new UsageError(`cannot promote deployment ${d.metadata.name}: ${refused.join("; ")}`);
    await mergePatch(kc, deployments, d, {
      spec: flags.group?.length ? { promoteGroups: flags.group } : { promote: true },
    });
    process.stdout.write(`Deployment "${d.metadata.name}" promoted\n`);
  });
  const toggle = (name: string, what: string, spec: Record<string, boolean>, done: string) =>
    withClusterFlags(cmd.command(name).description(what).argument("<id>")).action(
      async (id: string, flags: ClusterFlags) => {
        const kc = loadKubeConfig(flags.kubeconfig);
        const d = await findDeployment(kc, flags.namespace, id);
        active(d);
        await mergePatch(kc, deployments, d, { spec });
        process.stdout.write(`Deployment "${d.metadata.name}" ${done}\n`);
      },
    );
  toggle("pause", "pause a rollout", { paused: true }, "paused");
  toggle("resume", "resume a paused rollout", { paused: false }, "resumed");
  toggle(
    "fail",
    "mark a deployment failed (rolls back with auto_revert)",
    { fail: true },
    "marked failed",
  );
  return cmd;
}
