// A simulated node's fingerprint (pure): what a real agent on a modest Linux
// host would report, with the mock driver as its only driver.
import type { NomadNodeStatus } from "../../crds/node.js";

export interface SimulatedNodeSpec {
  name: string;
  index: number;
  datacenter: string;
  nodeClass?: string;
  nodePool: string;
  meta: Record<string, string>;
  cpuMHz: number;
  memoryMB: number;
  diskMB: number;
  version: string;
}

export function simulatedNodeStatus(node: SimulatedNodeSpec, now: Date): NomadNodeStatus {
  const cores = Math.max(1, Math.round(node.cpuMHz / 1000));
  // 10.x.y.z addresses, distinct per node.
  const address = `10.${(node.index >> 16) & 255}.${(node.index >> 8) & 255}.${node.index & 255}`;
  return {
    status: "ready",
    statusDescription: "node is ready",
    statusUpdatedAt: now.toISOString(),
    name: node.name,
    datacenter: node.datacenter,
    nodePool: node.nodePool,
    ...(node.nodeClass ? { nodeClass: node.nodeClass } : {}),
    attributes: {
      "cpu.arch": "amd64",
      "cpu.numcores": String(cores),
      "cpu.totalcompute": String(node.cpuMHz),
      "cpu.frequency": String(Math.round(node.cpuMHz / cores)),
      "cpu.modelname": "Simulated CPU",
      "memory.totalbytes": String(node.memoryMB * 1024 * 1024),
      "kernel.name": "linux",
      "kernel.version": "6.1.0-simulated",
      "kernel.arch": "x86_64",
      "os.name": "debian",
      "os.version": "12",
      "os.cgroups.version": "v2",
      "unique.hostname": node.name,
      "unique.network.ip-address": address,
      "unique.storage.volume": "/var/lib/caravan",
      "unique.storage.bytestotal": String(node.diskMB * 1024 * 1024),
      "unique.storage.bytesfree": String(node.diskMB * 1024 * 1024),
      "nomad.version": node.version,
      "caravan.version": node.version,
      "driver.mock": "1",
    },
    meta: node.meta,
    resources: {
      cpu: {
        cpuShares: node.cpuMHz,
        totalCores: cores,
        reservableCores: Array.from({ length: cores }, (_, i) => i),
      },
      memory: { memoryMB: node.memoryMB },
      disk: { diskMB: node.diskMB },
      networks: [
        {
          mode: "host",
          device: "eth0",
          addresses: [{ family: "ipv4", alias: "default", address }],
        },
      ],
      minDynamicPort: 20000,
      maxDynamicPort: 32000,
    },
    reserved: { cpuShares: 0, memoryMB: 0, diskMB: 0 },
    drivers: {
      mock: {
        detected: true,
        healthy: true,
        healthDescription: "Healthy",
        updateTime: now.toISOString(),
      },
    },
    agentVersion: node.version,
  };
}
