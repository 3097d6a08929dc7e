// Runs the controllers only while this process holds the controller Lease, so
// two replicas can run and only one acts; a follower takes over within the
// lease duration when the leader dies, at once when it stops cleanly.

import type { Logger } from "../common/log.js";
import type { Shutdown } from "../common/shutdown.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { LeaderElector } from "../kube/leaderelection.js";
import { type ControllerOptions, type Controllers, startControllers } from "./run.js";

export const controllerLease = "caravan-controller";

export function runControllersWhenLeader(
  kc: KubeConfig,
  log: Logger,
  shutdown: Shutdown,
  namespace: string,
  options: ControllerOptions = {},
): void {
  let controllers: Promise<Controllers> | undefined;
  const elector = new LeaderElector(kc, {
    namespace,
    name: controllerLease,
    log,
    onStartedLeading: () => {
      controllers = startControllers(kc, log, options);
      controllers.catch((err: unknown) => {
        log.error({ err }, "controllers failed to start");
        void shutdown.stop().then(() => process.exit(1));
      });
    },
    onStoppedLeading: () => {
      // Another replica may already be acting: stop at once, as controller-runtime does.
      log.error("leadership lost; exiting");
      process.exit(1);
    },
  });
  shutdown.add("controllers", async () => {
    await (await controllers)?.stop();
    await elector.stop();
  });
  elector.start();
}
