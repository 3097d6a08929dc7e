// `caravan system gc` and `caravan system reconcile summaries`, as Nomad's
// system commands: a forced garbage collection (everything terminal goes now),
// and every job's summary recomputed by the jobs controller.
import { Command } from "commander";
import { forceGarbageCollection } from "../../controllers/gc/controller.js";
import { reconcileSummaries } from "../../controllers/jobs/summaries.js";
import { loadKubeConfig } from "../../kube/client.js";

interface SystemFlags {
  kubeconfig?: string;
  namespace?: string;
}

export function systemCommand(): Command {
  const system = new Command("system").description("cluster-wide maintenance");
  system
    .command("gc")
    .description(
      "collect every terminal evaluation, allocation, deployment, dead job, down node and expired ACL token now",
    )
    .option(
      "--namespace <ns>",
      "only this namespace's objects, and no nodes or tokens; everything when unset",
    )
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig")
    .action(async (flags: SystemFlags) => {
      const c = await forceGarbageCollection(loadKubeConfig(flags.kubeconfig), flags.namespace);
      process.stdout.write(
        `Garbage collected: ${c.jobs} jobs, ${c.evaluations} evaluations, ${c.allocations} allocations, ${c.deployments} deployments, ${c.nodes} nodes, ${c.tokens} ACL tokens\n`,
      );
    });
  const reconcile = system.command("reconcile").description("recompute derived state");
  reconcile
    .command("summaries")
    .description("recompute every job's summary from its allocations")
    .option("--namespace <ns>", "only this namespace's jobs; all when unset")
    .option("--kubeconfig <file>", "cluster to use instead of the default kubeconfig")
    .action(async (flags: SystemFlags) => {
      const n = await reconcileSummaries(loadKubeConfig(flags.kubeconfig), flags.namespace);
      process.stdout.write(`Reconciled job summaries: ${n} jobs\n`);
    });
  return system;
}
