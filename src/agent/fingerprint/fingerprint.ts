// The node's fingerprint, as Nomad's client builds it: attributes under Nomad's
// names (cpu.*, memory.*, kernel.*, os.*, unique.*, driver.*), and the
// resources the scheduler may hand out.
import { readFileSync, statfsSync } from "node:fs";
import os from "node:os";
import type { NodeDriverInfo, NomadNodeStatus } from "../../crds/node.js";
import type { DriverFingerprint } from "../../drivers/driver.js";
import { mountOf, readMounts } from "../mounts.js";
import type { CniSettings } from "../network/conflist.js";
import { fingerprintNetworkModes } from "./cni.js";
import { findHostNetworks, type HostNetworkConfig } from "./hostnetworks.js";
import { fingerprintNvidia } from "./nvidia.js";
import { parseCpuInfo, parseMemTotal, parseOsRelease, totalCompute } from "./parse.js";
import type { Fingerprinter } from "./select.js";

export interface FingerprintInput {
  name: string;
  datacenter: string;
  nodeClass?: string;
  nodePool: string;
  meta: Record<string, string>;
  dataDir: string;
  reserved: Record<string, string | number>;
  version: string;
  /** The client's host_volume blocks, offered to jobs' `volume` requests. */
  hostVolumes?: Record<string, { path: string; readOnly: boolean }>;
  /** cpu_total_compute, memory_total_mb, disk_total_mb, disk_free_mb: what the client says instead of what it finds. */
  overrides?: {
    cpuTotalCompute?: number;
    memoryTotalMB?: number;
    diskTotalMB?: number;
    diskFreeMB?: number;
  };
  /** network_interface: the interface whose address the node offers, instead of the default route's. */
  networkInterface?: string;
  /** The client's host_network blocks, by name: ports may ask to be placed on their addresses. */
  hostNetworks?: Record<string, HostNetworkConfig>;
  /** The client's CNI settings: the bridge and cni/<name> modes are offered from them; none when unset. */
  cni?: CniSettings;
  /** Told why a network mode is not offered. */
  warn?: (message: string) => void;
  /** Which fingerprinters run (the client's fingerprint.allowlist and denylist options); all when unset. */
  fingerprinters?: (name: Fingerprinter) => boolean;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function fingerprintNode(
  input: FingerprintInput,
  driverFingerprints: Record<string, DriverFingerprint>,
): NomadNodeStatus {
  const cpu = parseCpuInfo(read("/proc/cpuinfo"));
  const cores = cpu.cores || os.cpus().length;
  const overrides = input.overrides ?? {};
  const compute = overrides.cpuTotalCompute || totalCompute({ ...cpu, cores });
  const mb = 1024 * 1024;
  const memoryBytes = overrides.memoryTotalMB
    ? overrides.memoryTotalMB * mb
    : parseMemTotal(read("/proc/meminfo")) || os.totalmem();
  const osRelease = parseOsRelease(read("/etc/os-release"));
  let diskBytes = 0;
  let diskFree = 0;
  try {
    const fs = statfsSync(input.dataDir);
    diskBytes = fs.blocks * fs.bsize;
    diskFree = fs.bavail * fs.bsize;
  } catch {
    // The data dir does not exist yet: no disk to offer.
  }
  if (overrides.diskTotalMB) diskBytes = overrides.diskTotalMB * mb;
  if (overrides.diskFreeMB) diskFree = overrides.diskFreeMB * mb;
  const device = input.networkInterface ?? defaultInterface();
  const address = input.networkInterface
    ? interfaceAddress(input.networkInterface)
    : defaultAddress();
  const drivers = driverInfo(driverFingerprints);
  const devices = fingerprintNvidia();

  const runs = input.fingerprinters ?? (() => true);
  const modes = input.cni
    ? fingerprintNetworkModes(input.cni)
    : { networks: [], attributes: {}, warnings: [] };
  for (const w of modes.warnings) input.warn?.(w);
  const hostNets = findHostNetworks(input.hostNetworks ?? {}, os.networkInterfaces());
  for (const name of hostNets.missing)
    input.warn?.(
      `host_network "${name}" has no address on this host: ports cannot be placed on it`,
    );
  const modeNetworks = modes.networks.filter((n) => runs(n.mode === "bridge" ? "bridge" : "cni"));
  // Each fingerprinter's attributes, kept when it runs.
  const found: Record<Fingerprinter, Record<string, string>> = {
    arch: { "cpu.arch": os.arch() === "x64" ? "amd64" : os.arch() },
    cpu: {
      "cpu.numcores": String(cores),
      "cpu.totalcompute": String(compute),
      "cpu.frequency": String(cpu.mhz),
      "cpu.modelname": cpu.modelName,
    },
    memory: { "memory.totalbytes": String(memoryBytes) },
    host: {
      "kernel.name": os.platform(),
      "kernel.version": os.release(),
      "kernel.arch": os.machine(),
      "os.name": osRelease.ID ?? os.platform(),
      "os.version": osRelease.VERSION_ID ?? "",
      "unique.hostname": os.hostname(),
    },
    cgroup: { "os.cgroups.version": cgroupVersion() },
    storage: {
      // Nomad's: the device holding the data dir (`nomad node status` matches it in host disk stats).
      "unique.storage.volume": mountOf(readMounts(), input.dataDir)?.device ?? input.dataDir,
      "unique.storage.bytestotal": String(diskBytes),
      "unique.storage.bytesfree": String(diskFree),
    },
    network: address ? { "unique.network.ip-address": address } : {},
    nomad: { "nomad.version": input.version, "caravan.version": input.version },
    bridge: modeNetworks.some((n) => n.mode === "bridge")
      ? { "nomad.bridge.hairpin_mode": modes.attributes["nomad.bridge.hairpin_mode"] ?? "false" }
      : {},
    cni: {},
    plugins_cni: Object.fromEntries(
      Object.entries(modes.attributes).filter(([k]) => k.startsWith("plugins.cni.")),
    ),
  };
  const attributes: Record<string, string> = Object.assign(
    {},
    ...Object.entries(found)
      .filter(([name]) => runs(name as Fingerprinter))
      .map(([, attrs]) => attrs),
  );
  for (const [name, d] of Object.entries(driverFingerprints)) {
    if (!d.detected) continue;
    attributes[`driver.${name}`] = "1";
    for (const [key, value] of Object.entries(d.attributes))
      attributes[`driver.${name}.${key}`] = value;
  }

  const reservedPorts = input.reserved.reserved_ports;
  return {
    name: input.name,
    datacenter: input.datacenter,
    nodePool: input.nodePool,
    ...(input.nodeClass ? { nodeClass: input.nodeClass } : {}),
    attributes,
    meta: input.meta,
    resources: {
      cpu: runs("cpu")
        ? {
            cpuShares: compute,
            totalCores: cores,
            reservableCores: Array.from({ length: cores }, (_, i) => i),
          }
        : { cpuShares: 0, totalCores: 0, reservableCores: [] },
      memory: { memoryMB: runs("memory") ? Math.floor(memoryBytes / 1024 / 1024) : 0 },
      disk: { diskMB: runs("storage") ? Math.floor(diskFree / 1024 / 1024) : 0 },
      ...((address && runs("network")) || modeNetworks.length > 0 || hostNets.networks.length > 0
        ? {
            networks: [
              ...(address && runs("network")
                ? [
                    {
                      mode: "host" as const,
                      device: device ?? "",
                      addresses: [{ family: "ipv4" as const, alias: "default", address }],
                    },
                  ]
                : []),
              ...(runs("network") ? hostNets.networks : []),
              ...modeNetworks,
            ],
          }
        : {}),
      ...(devices.length > 0 ? { devices } : {}),
      minDynamicPort: 20000,
      maxDynamicPort: 32000,
    },
    reserved: {
      cpuShares: Number(input.reserved.cpu ?? 0),
      memoryMB: Number(input.reserved.memory ?? 0),
      diskMB: Number(input.reserved.disk ?? 0),
      ...(reservedPorts !== undefined ? { reservedHostPorts: String(reservedPorts) } : {}),
    },
    drivers,
    ...(input.hostVolumes && Object.keys(input.hostVolumes).length > 0
      ? {
          hostVolumes: Object.fromEntries(
            Object.entries(input.hostVolumes).map(([name, v]) => [
              name,
              { path: v.path, readOnly: v.readOnly },
            ]),
          ),
        }
      : {}),
    ...(runs("network") && Object.keys(hostNets.hostNetworks).length > 0
      ? { hostNetworks: hostNets.hostNetworks }
      : {}),
    agentVersion: input.version,
  };
}

/** The node status' view of each driver's fingerprint. */
export function driverInfo(
  fingerprints: Record<string, DriverFingerprint>,
): Record<string, NodeDriverInfo> {
  const now = new Date().toISOString();
  return Object.fromEntries(
    Object.entries(fingerprints).map(([name, d]) => [
      name,
      {
        detected: d.detected,
        healthy: d.healthy,
        healthDescription: d.healthDescription,
        ...(Object.keys(d.attributes).length ? { attributes: d.attributes } : {}),
        updateTime: now,
      },
    ]),
  );
}

function cgroupVersion(): string {
  return read("/sys/fs/cgroup/cgroup.controllers") ? "v2" : read("/proc/cgroups") ? "v1" : "";
}

function defaultInterface(): string | undefined {
  // The interface of the default route (/proc/net/route, destination 00000000).
  for (const line of read("/proc/net/route").split("\n").slice(1)) {
    const [iface, destination] = line.trim().split(/\s+/);
    if (destination === "00000000" && iface) return iface;
  }
  return undefined;
}

/** The first IPv4 address of a named interface (loopback too: it was asked for). */
function interfaceAddress(name: string): string | undefined {
  return os.networkInterfaces()[name]?.find((a) => a.family === "IPv4")?.address;
}

function defaultAddress(): string | undefined {
  const interfaces = os.networkInterfaces();
  const preferred = defaultInterface();
  const candidates = [
    ...(preferred ? (interfaces[preferred] ?? []) : []),
    ...Object.values(interfaces).flat(),
  ];
  return candidates.find((a) => a && a.family === "IPv4" && !a.internal)?.address ?? "127.0.0.1";
}
