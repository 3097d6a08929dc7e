// `caravan agent`: Nomad's client. It registers the node, reports its
// fingerprint, heartbeats, and runs the allocations placed on it.
import { Command } from "commander";
import { startAgent } from "../../agent/agent.js";
import { createLogger } from "../../common/log.js";
import { Shutdown } from "../../common/shutdown.js";
import { loadKubeConfig } from "../../kube/client.js";
import { addCommonFlags, type CommonFlags, configFromFlags } from "../options.js";
import { version } from "../version.js";

export function agentCommand(): Command {
  const cmd = new Command("agent").description(
    "run a node agent (Nomad's client): register this host as a NomadNode and run its allocations",
  );
  return addCommonFlags(cmd).action(async (flags: CommonFlags) => {
    const config = await configFromFlags(flags);
    const log = createLogger({ level: config.logLevel, json: config.logJson });
    const shutdown = new Shutdown(log);
    shutdown.listen();
    const agent = await startAgent(
      loadKubeConfig(config.kubeconfig),
      config,
      log,
      version(),
      config.dataDir ?? "/var/lib/caravan",
    );
    shutdown.add("agent", () => agent.stop());
    await shutdown.waitForSignal();
    await shutdown.stop();
  });
}
