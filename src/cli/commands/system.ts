// `caravan system gc` and `caravan system reconcile summaries`, as Nomad's
// system commands: a garbage collection with zero thresholds (everything
// terminal goes now), and every job's summary recomputed by the jobs
// controller (each job is touched so it reconciles).
import { Command } from "commander";
import { collectGarbage, forceThresholds } from "../../controllers/gc/collect.js";
import { deleteGarbage } from "../../controllers/gc/controller.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
} from "../../crds/objects.js";
import { mergePatch } from "../../kube/apply.js";
import { loadKubeConfig } from "../../kube/client.js";
import { caravanResource, collectionPath } from "../../kube/resources.js";
import { getJson } from "../../kube/rest.js";

/** Set on each job by `system reconcile summaries` so the jobs controller recomputes its status. */
export const reconcileAnnotation = "caravan.dev/reconcile-summaries";

interface SystemFlags {
  kubeconfig?: string;
  namespace?: string;
}

const list = async <T>(kc: ReturnType<typeof loadKubeConfig>, kind: string, ns?: string) =>
  (await getJson<{ items: T[] }>(kc, collectionPath(caravanResource(kind), ns))).items;

export function systemCommand(): Command {
  const system = new Command("system").description("cluster-wide maintenance");
  system
    .command("gc")
    .description(
      "collect every terminal evaluation, allocation, deployment, dead job and down node now",
    )
    .option(
      "--namespace <ns>",
      "only this namespace's objects, and no nodes; everything when unset",
    )
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig")
    .action(async (flags: SystemFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const ns = flags.namespace;
      const [jobs, evaluations, allocations, deployments, nodes] = await Promise.all([
        list<NomadJob>(kc, "NomadJob", ns),
        list<NomadEvaluation>(kc, "NomadEvaluation", ns),
        list<NomadAllocation>(kc, "NomadAllocation", ns),
        list<NomadDeployment>(kc, "NomadDeployment", ns),
        // Nodes are cluster-wide: collected only by a gc of every namespace.
        ns ? Promise.resolve([] as NomadNode[]) : list<NomadNode>(kc, "NomadNode"),
      ]);
      const garbage = collectGarbage(
        { jobs, evaluations, allocations, deployments, nodes },
        forceThresholds,
        Date.now(),
      );
      const c = await deleteGarbage(kc, garbage);
      process.stdout.write(
        `Garbage collected: ${c.jobs} jobs, ${c.evaluations} evaluations, ${c.allocations} allocations, ${c.deployments} deployments, ${c.nodes} nodes\n`,
      );
    });
  const reconcile = system.command("reconcile").description("recompute derived state");
  reconcile
    .command("summaries")
    .description("recompute every job's summary from its allocations")
    .option("--namespace <ns>", "only this namespace's jobs; all when unset")
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig")
    .action(async (flags: SystemFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const jobs = await list<NomadJob>(kc, "NomadJob", flags.namespace);
      const stamp = new Date().toISOString();
      for (const j of jobs)
        await mergePatch(kc, caravanResource("NomadJob"), j, {
          metadata: { annotations: { [reconcileAnnotation]: stamp } },
        });
      process.stdout.write(`Reconciled job summaries: ${jobs.length} jobs\n`);
    });
  return system;
}
