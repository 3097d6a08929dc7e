// `caravan agent`: Nomad's client. It registers the node, reports its
// fingerprint, heartbeats, and runs the allocations placed on it.
import { Command } from "commander";
import { startAgent } from "../../agent/agent.js";
import { startSimulation } from "../../agent/simulate/index.js";
import { Shutdown } from "../../common/shutdown.js";
import { version } from "../../common/version.js";
import { loadKubeConfig } from "../../kube/client.js";
import {
  addCommonFlags,
  type CommonFlags,
  configFromFlags,
  loggerFor,
  UsageError,
} from "../options.js";

export function agentCommand(): Command {
  const cmd = new Command("agent").description(
    "run a node agent (Nomad's client): register this host as a NomadNode and run its allocations",
  );
  addCommonFlags(cmd)
    .option(
      "--simulate <n>",
      "run N simulated nodes (mock driver) instead of this host, for scale tests",
    )
    .option("--simulate-prefix <prefix>", "simulated node names are <prefix>-<i>", "sim")
    .option("--simulate-cpu <mhz>", "CPU of each simulated node, in MHz", "4000")
    .option("--simulate-memory <mb>", "memory of each simulated node, in MB", "8192");
  return cmd.action(async (flags: AgentFlags) => {
    const config = await configFromFlags(flags);
    const log = loggerFor(config);
    const shutdown = new Shutdown(log);
    shutdown.listen();
    if (flags.simulate !== undefined) {
      const number = (name: string, value: string | undefined) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1)
          throw new UsageError(`${name}: expected a positive whole number, got "${value}"`);
        return n;
      };
      const simulation = await startSimulation(loadKubeConfig(config.kubeconfig), {
        count: number("--simulate", flags.simulate),
        prefix: flags.simulatePrefix ?? "sim",
        cpuMHz: number("--simulate-cpu", flags.simulateCpu),
        memoryMB: number("--simulate-memory", flags.simulateMemory),
        datacenter: config.datacenter,
        ...(config.client.nodeClass ? { nodeClass: config.client.nodeClass } : {}),
        nodePool: config.client.nodePool ?? "default",
        meta: config.client.meta,
        version: version(),
        log,
      });
      shutdown.add("simulation", () => simulation.stop());
      await shutdown.waitForSignal();
      await shutdown.stop();
      return;
    }
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

interface AgentFlags extends CommonFlags {
  simulate?: string;
  simulatePrefix?: string;
  simulateCpu?: string;
  simulateMemory?: string;
}
