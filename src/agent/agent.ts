// A node agent: registration and heartbeat, and the allocation loop with the
// drivers this node offers. Used by `caravan agent` and inside `caravan dev`.
import { mkdirSync } from "node:fs";
import { durationMs } from "../common/duration.js";
import type { Logger } from "../common/log.js";
import { type AgentConfig, agentName } from "../config/agent-config.js";
import { parseHostPort } from "../config/sockaddr.js";
import { loadDrivers } from "../drivers/registry.js";
import type { KubeConfig } from "../kube/kubeconfig.js";
import { AgentClient } from "./client.js";
import { fingerprinterFilter } from "./fingerprint/select.js";
import { agentAcl } from "./http/acl.js";
import { serveClient } from "./http/server.js";
import { agentSource } from "./http/source.js";
import { type CniSettings, defaultCniSettings } from "./network/conflist.js";
import { agentFieldManager, NodeRegistration } from "./registration.js";

export interface RunningAgent {
  nodeName: string;
  /** Where the agent serves Nomad's client endpoints (host:port). */
  httpAddr: string;
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
  const nodeName = agentName(config);
  const options = config.client.options;
  const drivers = await loadDrivers((name) => ({
    options,
    pluginConfig: config.plugins[name] ?? {},
    dataDir,
    ...(config.client.chrootEnv ? { chrootEnv: config.client.chrootEnv } : {}),
    log: log.child({ driver: name }),
  }));

  const cni = cniSettings(config);
  const client = new AgentClient({
    cni,
    kc,
    log,
    nodeName,
    dataDir,
    region: config.region,
    drivers: drivers.usable,
    fieldManager: agentFieldManager,
    ...(config.client.allocDir ? { allocDir: config.client.allocDir } : {}),
    ...(config.client.stateDir ? { stateDir: config.client.stateDir } : {}),
    gc: {
      ...(config.client.gc?.interval
        ? { intervalMs: durationMs(config.client.gc.interval, 60_000) }
        : {}),
      ...(config.client.gc?.maxAllocs ? { maxAllocs: config.client.gc.maxAllocs } : {}),
      ...(config.client.gc?.diskUsageThreshold !== undefined
        ? { diskUsageThreshold: config.client.gc.diskUsageThreshold }
        : {}),
      ...(config.client.gc?.inodeUsageThreshold !== undefined
        ? { inodeUsageThreshold: config.client.gc.inodeUsageThreshold }
        : {}),
      ...(config.client.gc?.parallelDestroys
        ? { parallelDestroys: config.client.gc.parallelDestroys }
        : {}),
    },
  });
  // Nomad's client endpoints on the agent's own address, recorded on its node
  // for the API server to forward to.
  const acl = await agentAcl(kc, log, config.acl?.enabled ?? false);
  const listenAddr = config.addresses?.http ?? config.bindAddr;
  const http = await serveClient(
    {
      source: agentSource(client),
      auth: acl.auth,
      log: log.child({ component: "client-http" }),
      ...(config.tls ? { tls: config.tls } : {}),
      ...(config.httpApiResponseHeaders ? { responseHeaders: config.httpApiResponseHeaders } : {}),
    },
    listenAddr,
    config.ports.http,
  ).catch((err: NodeJS.ErrnoException) => {
    acl.stop();
    throw new Error(
      err.code === "EADDRINUSE"
        ? `${listenAddr}:${config.ports.http} is in use; set another port with ports { http = N } (0 picks a free one)`
        : err.message,
    );
  });

  const httpAddr = advertisedAddr(config.advertise?.http, http.httpAddr);
  const registration = new NodeRegistration(
    kc,
    log,
    {
      name: nodeName,
      datacenter: config.datacenter,
      ...(config.client.nodeClass ? { nodeClass: config.client.nodeClass } : {}),
      nodePool: config.client.nodePool ?? "default",
      meta: config.client.meta,
      dataDir,
      reserved: config.client.reserved,
      version,
      hostVolumes: config.client.hostVolumes,
      ...(config.client.hostNetworks ? { hostNetworks: config.client.hostNetworks } : {}),
      fingerprinters: fingerprinterFilter(config.client.options),
      cni,
      warn: warnOnce(log),
      ...(config.client.networkInterface
        ? { networkInterface: config.client.networkInterface }
        : {}),
      overrides: {
        ...(config.client.cpuTotalCompute
          ? { cpuTotalCompute: config.client.cpuTotalCompute }
          : {}),
        ...(config.client.memoryTotalMB ? { memoryTotalMB: config.client.memoryTotalMB } : {}),
        ...(config.client.diskTotalMB ? { diskTotalMB: config.client.diskTotalMB } : {}),
        ...(config.client.diskFreeMB ? { diskFreeMB: config.client.diskFreeMB } : {}),
      },
    },
    drivers.refresh,
    { http: { httpAddr, tlsEnabled: http.tlsEnabled } },
  );
  await registration.start();
  client.start();
  return {
    nodeName,
    httpAddr,
    async stop(killTasks = false) {
      registration.stop();
      await http.close();
      acl.stop();
      await client.stop(killTasks);
    },
  };
}

/** The client's cni_path, cni_config_dir and bridge_network_* settings over Nomad's defaults. */
export function cniSettings(config: AgentConfig): CniSettings {
  const c = config.client;
  return {
    cniPath: c.cniPath ?? defaultCniSettings.cniPath,
    cniConfigDir: c.cniConfigDir ?? defaultCniSettings.cniConfigDir,
    bridgeName: c.bridgeNetworkName ?? defaultCniSettings.bridgeName,
    bridgeSubnet: c.bridgeNetworkSubnet ?? defaultCniSettings.bridgeSubnet,
    hairpinMode: c.bridgeNetworkHairpinMode ?? defaultCniSettings.hairpinMode,
  };
}

/** Logs each fingerprint warning the first time it is seen (fingerprints repeat). */
function warnOnce(log: Logger): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    log.warn(message);
  };
}

/**
 * advertise { http = "host[:port]" } over the address the listener reports:
 * without a port, the port it listens on (Nomad's ports.http).
 */
export function advertisedAddr(advertise: string | undefined, listening: string): string {
  const parsed = advertise ? parseHostPort(advertise) : undefined;
  if (!parsed) return listening;
  const port = parsed.port ?? Number(listening.slice(listening.lastIndexOf(":") + 1));
  return parsed.host.includes(":") ? `[${parsed.host}]:${port}` : `${parsed.host}:${port}`;
}
