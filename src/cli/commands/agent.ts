// `caravan agent`: Nomad's client. This release registers the node, reports
// its fingerprint and heartbeats; running allocations comes next.
import { mkdirSync } from "node:fs";
import os from "node:os";
import { Command } from "commander";
import { NodeRegistration } from "../../agent/registration.js";
import { createLogger } from "../../common/log.js";
import { Shutdown } from "../../common/shutdown.js";
import { loadKubeConfig } from "../../kube/client.js";
import { addCommonFlags, type CommonFlags, configFromFlags } from "../options.js";
import { version } from "../version.js";

export function agentCommand(): Command {
  const cmd = new Command("agent").description(
    "run a node agent (Nomad's client): register this host as a NomadNode and heartbeat",
  );
  return addCommonFlags(cmd).action(async (flags: CommonFlags) => {
    const config = await configFromFlags(flags);
    const log = createLogger({ level: config.logLevel, json: config.logJson });
    const shutdown = new Shutdown(log);
    shutdown.listen();
    const dataDir = config.dataDir ?? "/var/lib/caravan";
    mkdirSync(dataDir, { recursive: true });
    const registration = new NodeRegistration(loadKubeConfig(config.kubeconfig), log, {
      name: config.name ?? os.hostname(),
      datacenter: config.datacenter,
      ...(config.client.nodeClass ? { nodeClass: config.client.nodeClass } : {}),
      nodePool: config.client.nodePool ?? "default",
      meta: config.client.meta,
      dataDir,
      options: config.client.options,
      reserved: config.client.reserved,
      version: version(),
    });
    await registration.start();
    shutdown.add("heartbeat", () => registration.stop());
    await shutdown.waitForSignal();
    await shutdown.stop();
  });
}
