// Simulated client nodes for control-loop tests: a NomadNode with the status
// an agent's fingerprint would write (through the status subresource).
import { stringify } from "yaml";
import { kubectlOk } from "./kubectl.js";

export interface SimulatedNode {
  name: string;
  datacenter?: string;
  cpuMHz?: number;
  memoryMB?: number;
  diskMB?: number;
  meta?: Record<string, string>;
}

export async function registerNode(kubeconfig: string, node: SimulatedNode): Promise<void> {
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
    nodePool: "default",
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
}
