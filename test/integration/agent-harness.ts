// What the agent's end-to-end tests share: a node agent in this process
// (registration with a raw_exec fingerprint, heartbeat and allocation loop),
// jobs applied with kubectl, and the host's processes looked up by a marker.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { AgentClient, type AgentClientOptions } from "../../src/agent/client.js";
import type { CniSettings } from "../../src/agent/network/conflist.js";
import { agentFieldManager, NodeRegistration } from "../../src/agent/registration.js";
import type { Logger } from "../../src/common/log.js";
import type { DriverFactory } from "../../src/drivers/driver.js";
import { rawExecDriver } from "../../src/drivers/raw_exec/index.js";
import type { KubeConfig } from "../../src/kube/kubeconfig.js";
import { kubectlOk } from "../support/kubectl.js";

export interface TestAgent {
  name: string;
  dataDir: string;
  client: AgentClient;
  stop(killTasks?: boolean): Promise<void>;
}

export async function startTestAgent(
  kc: KubeConfig,
  log: Logger,
  node: {
    name: string;
    datacenter: string;
    nodeClass?: string;
    meta?: Record<string, string>;
    /** Drivers besides raw_exec the node offers (exec, docker…). */
    drivers?: DriverFactory[];
    /** CNI settings: the node offers bridge and cni/<name> modes and runs such groups. */
    cni?: CniSettings;
    /** The client's host_network blocks. */
    hostNetworks?: Record<string, { cidr?: string; interface?: string }>;
    /** An earlier agent's data dir, to start as that agent again. */
    dataDir?: string;
  },
  options: Partial<AgentClientOptions> = {},
): Promise<TestAgent> {
  const dataDir = node.dataDir ?? mkdtempSync(path.join(os.tmpdir(), `caravan-${node.name}-`));
  const drivers = [rawExecDriver, ...(node.drivers ?? [])].map((factory) =>
    factory({ options: { "driver.raw_exec.enable": "1" }, pluginConfig: {}, dataDir, log }),
  );
  const registration = new NodeRegistration(
    kc,
    log,
    {
      name: node.name,
      datacenter: node.datacenter,
      ...(node.nodeClass ? { nodeClass: node.nodeClass } : {}),
      nodePool: "default",
      meta: node.meta ?? {},
      dataDir,
      reserved: {},
      version: "0.1.0",
      ...(node.cni ? { cni: node.cni } : {}),
      ...(node.hostNetworks ? { hostNetworks: node.hostNetworks } : {}),
    },
    async () =>
      Object.fromEntries(
        await Promise.all(drivers.map(async (d) => [d.name, await d.fingerprint()])),
      ),
  );
  await registration.start();
  const client = new AgentClient({
    kc,
    log,
    nodeName: node.name,
    dataDir,
    region: "global",
    drivers: new Map(drivers.map((d) => [d.name, d])),
    fieldManager: agentFieldManager,
    ...(node.cni ? { cni: node.cni } : {}),
    ...options,
  });
  client.start();
  return {
    name: node.name,
    dataDir,
    client,
    async stop(killTasks = true) {
      registration.stop();
      await client.stop(killTasks);
    },
  };
}

export async function applyJob(
  kubeconfig: string,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await kubectlOk(
    kubeconfig,
    ["apply", "-f", "-"],
    stringify({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name, namespace: ns },
      spec,
    }),
  );
}

/** A raw_exec task running a shell script. */
export function shTask(name: string, script: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    driver: "raw_exec",
    config: { command: "/bin/sh", args: ["-c", script] },
    resources: { cpu: 50, memory: 32 },
    ...extra,
  };
}

/** Live (not zombie) processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (cmdline.includes(marker) && !/\) Z /.test(stat) && !cmdline.includes("logmon"))
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** `sleep <marker>` processes: the tasks themselves, not the shells around them. */
export function sleepers(marker: string): number[] {
  return processesWith(marker).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8") === `/bin/sleep\0${marker}\0`;
    } catch {
      return false;
    }
  });
}

export function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const eq = kv.indexOf("=");
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

/** A fresh marker: a sleep length no other test uses. */
export function marker(): string {
  return `7${Math.floor(Math.random() * 1e7)}`;
}

// biome-ignore lint/suspicious/noExplicitAny: task states read back from kubectl JSON
export function eventTypes(alloc: any, task: string): string[] {
  return ((alloc?.status?.taskStates?.[task]?.events ?? []) as { type: string }[]).map(
    (e) => e.type,
  );
}
