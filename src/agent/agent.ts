// A node agent: registration and heartbeat, and the allocation loop with the
// drivers this node offers. Used by `caravan agent` and inside `caravan dev`.
import { mkdirSync } from "node:fs";
import os from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../common/log.js";
import type { AgentConfig } from "../config/agent-config.js";
import type { TaskDriver } from "../drivers/driver.js";
import { rawExecDriver } from "../drivers/raw_exec/index.js";
import { AgentClient } from "./client.js";
import { agentFieldManager, NodeRegistration } from "./registration.js";

export interface RunningAgent {
  nodeName: string;
  /** Stops the agent; `killTasks` also stops the tasks it runs (dev mode). */
  stop(killTasks?: boolean): Promise<void>;
}

export async function startAgent(
  kc: KubeConfig,
  config: AgentConfig,
  log: Logger,
  version: string,
  dataDir: string,
): Promise<RunningAgent> {
  mkdirSync(dataDir, { recursive: true });
  const nodeName = config.name ?? os.hostname();
  const options = config.client.options;
  const drivers = new Map<string, TaskDriver>();
  if (["1", "true"].includes((options["driver.raw_exec.enable"] ?? "").toLowerCase()))
    drivers.set("raw_exec", rawExecDriver);

  const registration = new NodeRegistration(kc, log, {
    name: nodeName,
    datacenter: config.datacenter,
    ...(config.client.nodeClass ? { nodeClass: config.client.nodeClass } : {}),
    nodePool: config.client.nodePool ?? "default",
    meta: config.client.meta,
    dataDir,
    options,
    reserved: config.client.reserved,
    version,
  });
  await registration.start();
  const client = new AgentClient({
    kc,
    log,
    nodeName,
    dataDir,
    region: config.region,
    drivers,
    fieldManager: agentFieldManager,
  });
  client.start();
  return {
    nodeName,
    async stop(killTasks = false) {
      registration.stop();
      await client.stop(killTasks);
    },
  };
}
