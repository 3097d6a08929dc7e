// `caravan controller`: Nomad's servers as Kubernetes controllers, leader-elected.
import { Command } from "commander";
import { Shutdown } from "../../common/shutdown.js";
import { controllerNamespace, loadKubeConfig } from "../../kube/client.js";
import { runServer } from "../../server/server.js";
import { addCommonFlags, type CommonFlags, configFromFlags, loggerFor } from "../options.js";

interface ControllerFlags extends CommonFlags {
  namespace?: string;
}

export function controllerCommand(): Command {
  const cmd = new Command("controller")
    .description("run Caravan's controllers (Nomad's servers); replicas elect a leader on a Lease")
    .option("--namespace <namespace>", "act on this namespace only (default: every namespace)");
  return addCommonFlags(cmd).action(async (flags: ControllerFlags) => {
    const config = await configFromFlags(flags);
    const log = loggerFor(config);
    const shutdown = new Shutdown(log);
    shutdown.listen();
    // Without --kubeconfig: in-cluster credentials, or the user's default kubeconfig.
    const kc = loadKubeConfig(config.kubeconfig);
    const leaseNamespace = flags.namespace ?? controllerNamespace();
    const { httpAddress } = await runServer(kc, config, log, shutdown, {
      leaseNamespace,
      ...(flags.namespace ? { watchNamespace: flags.namespace } : {}),
    });
    log.info(
      { server: kc.getCurrentCluster()?.server, leaseNamespace, http: httpAddress },
      "controller started",
    );
    await shutdown.waitForSignal();
    await shutdown.stop();
  });
}
