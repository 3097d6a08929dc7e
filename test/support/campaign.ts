// A process that campaigns for a leader lease and says when it leads, so a
// test can kill it with SIGKILL the way a crashed controller dies.
//   node --import tsx test/support/campaign.ts KUBECONFIG NAMESPACE LEASE
import { createLogger } from "../../src/common/log.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { LeaderElector } from "../../src/kube/leaderelection.js";

const [kubeconfig, namespace, name] = process.argv.slice(2);
if (!kubeconfig || !namespace || !name)
  throw new Error("usage: campaign KUBECONFIG NAMESPACE LEASE");
const elector = new LeaderElector(loadKubeConfig(kubeconfig), {
  namespace,
  name,
  leaseDurationMs: 3_000,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 300,
  log: createLogger({ level: "warn", json: false }),
  onStartedLeading: () => process.stdout.write(`leading ${elector.identity}\n`),
  onStoppedLeading: () => process.exit(1),
});
elector.start();
