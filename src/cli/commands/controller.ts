// `caravan controller`: Nomad's servers as Kubernetes controllers, leader-elected.
import { Command } from "commander";
import { createLogger } from "../../common/log.js";
import { Shutdown } from "../../common/shutdown.js";
import { runControllersWhenLeader } from "../../controllers/leader.js";
import { controllerNamespace, loadKubeConfig } from "../../kube/client.js";
import { addCommonFlags, type CommonFlags, configFromFlags } from "../options.js";

export function controllerCommand(): Command {
  const cmd = new Command("controller").description(
    "run Caravan's controllers (Nomad's servers); replicas elect a leader on a Lease",
  );
  return addCommonFlags(cmd).action(async (flags: CommonFlags) => {
    const config = await configFromFlags(flags);
    const log = createLogger({ level: config.logLevel, json: config.logJson });
    const shutdown = new Shutdown(log);
    shutdown.listen();
    // Without --kubeconfig: in-cluster credentials, or the user's default kubeconfig.
    const kc = loadKubeConfig(config.kubeconfig);
    const namespace = controllerNamespace();
    log.info(
      { server: kc.getCurrentCluster()?.server, leaseNamespace: namespace },
      "starting controller",
    );
    runControllersWhenLeader(kc, log, shutdown, namespace, {
      ...(config.server.numSchedulers ? { numSchedulers: config.server.numSchedulers } : {}),
    });
    await shutdown.waitForSignal();
    await shutdown.stop();
  });
}
