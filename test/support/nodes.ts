// Simulated client nodes for control-loop tests: a NomadNode with the status
// an agent's fingerprint would write (through the status subresource), and a
// heartbeat Lease renewed as an agent renews it, until the test stops it.
import { stringify } from "yaml";
import { renewNodeLease } from "../../src/agent/heartbeat.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { kubectlOk } from "./kubectl.js";

export interface SimulatedNode {
  name: string;
  datacenter?: string;
  /** Node pool; "default" when unset. */
  nodePool?: string;
  cpuMHz?: number;
  memoryMB?: number;
  diskMB?: number;
  meta?: Record<string, string>;
  /** Heartbeat lease duration; the node is marked down this long after its last renewal. */
  leaseSeconds?: number;
}

export interface NodeHandle {
  /** Stops renewing the lease, as a node that died or lost its network would. */
  stopHeartbeat(): void;
  resumeHeartbeat(): void;
}

export async function registerNode(kubeconfig: string, node: SimulatedNode): Promise<NodeHandle> {
  const kc = loadKubeConfig(kubeconfig);
  const leaseSeconds = node.leaseSeconds ?? 10;
  const renew = () => renewNodeLease(kc, node.name, leaseSeconds);
  await renew();
  await kubectlOk(
    kubeconfig,
    ["apply", "-f", "-"],
    stringify({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadNode",
      metadata: { name: node.name },
      spec: { eligibility: "eligible" },
    }),
  );
  const status = {
    status: "ready",
    name: node.name,
    datacenter: node.datacenter ?? "dc1",
    nodePool: node.nodePool ?? "default",
    attributes: { "kernel.name": "linux", "cpu.arch": "amd64", "driver.docker": "1" },
    meta: node.meta ?? {},
    drivers: { docker: { detected: true, healthy: true }, exec: { detected: true, healthy: true } },
    resources: {
      cpu: { cpuShares: node.cpuMHz ?? 4000, totalCores: 4 },
      memory: { memoryMB: node.memoryMB ?? 8192 },
      disk: { diskMB: node.diskMB ?? 50_000 },
    },
  };
  await kubectlOk(kubeconfig, [
    "patch",
    "nomadnode",
    node.name,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status }),
  ]);

  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    timer = setInterval(() => void renew().catch(() => undefined), (leaseSeconds * 1000) / 4);
    timer.unref();
  };
  start();
  return {
    stopHeartbeat: () => clearInterval(timer),
    resumeHeartbeat: () => {
      clearInterval(timer);
      void renew();
      start();
    },
  };
}
