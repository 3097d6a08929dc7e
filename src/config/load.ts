// One configuration loader for every caravan command: defaults, then Nomad-style
// agent configuration files (HCL1 or its JSON form, as Nomad reads them; a directory means its *.hcl and *.json
// files in lexical order, as Nomad reads -config), then CARAVAN_* environment
// variables, then command-line flags. Later sources win; maps merge.
import { readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AgentConfig, defaultAgentConfig, defaultLogRotation } from "./agent-config.js";
import { checkMerged, decodeAgentFile, type PartialAgentConfig, parseLogLevel } from "./decode.js";
import { type Hcl1Object, parseHcl1 } from "./hcl1/parser.js";
import { type Interfaces, isTemplate, parseHostPort, resolveAddrTemplate } from "./sockaddr.js";

/**
 * The configuration, or every error found; either way the warnings, one line
 * each, for settings that were read but do nothing here.
 */
export type ConfigResult =
  | { ok: true; config: AgentConfig; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

export interface ConfigSources {
  /** Files or directories given with -config, in order. */
  files?: readonly string[];
  env?: NodeJS.ProcessEnv;
  flags?: PartialAgentConfig;
  /** The host's network interfaces, for address templates; os.networkInterfaces() by default. */
  interfaces?: Interfaces;
}

export async function loadAgentConfig(sources: ConfigSources): Promise<ConfigResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const layers: PartialAgentConfig[] = [];
  for (const file of expandConfigPaths(sources.files ?? [], errors)) {
    const parsed = parseConfigFile(file);
    if (!parsed.ok) {
      errors.push(parsed.error);
      continue;
    }
    const decoded = decodeAgentFile(file, parsed.body);
    warnings.push(...decoded.warnings);
    if (decoded.ok) layers.push(decoded.config);
    else errors.push(...decoded.errors);
  }
  const env = fromEnv(sources.env ?? {}, errors);
  if (errors.length > 0) return { ok: false, errors, warnings };
  layers.push(env);
  if (sources.flags) layers.push(sources.flags);
  const config = layers.reduce(merge, defaultAgentConfig());
  errors.push(...checkMerged(config));
  const interfaces = sources.interfaces ?? os.networkInterfaces();
  resolveTemplates(config, interfaces, errors);
  // As Nomad's network fingerprint, which cannot start without it.
  const nic = config.client.networkInterface;
  if (nic !== undefined && !interfaces[nic])
    errors.push(`client.network_interface: no interface ${JSON.stringify(nic)} on this host`);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, config, warnings };
}

/** go-sockaddr templates in bind_addr, addresses and advertise, resolved once at start, as Nomad does. */
function resolveTemplates(config: AgentConfig, interfaces: Interfaces, errors: string[]): void {
  const resolve = (setting: string, value: string | undefined, set: (v: string) => void) => {
    if (value === undefined || !isTemplate(value)) return;
    const r = resolveAddrTemplate(setting, value, interfaces);
    if (r.ok) set(r.value);
    else errors.push(r.error);
  };
  resolve("bind_addr", config.bindAddr, (v) => {
    config.bindAddr = v;
  });
  const { addresses, advertise } = config;
  if (addresses) resolve("addresses.http", addresses.http, (v) => (addresses.http = v));
  if (advertise) resolve("advertise.http", advertise.http, (v) => (advertise.http = v));
}

function expandConfigPaths(paths: readonly string[], errors: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      errors.push(`${p}: no such configuration file or directory`);
      continue;
    }
    if (!isDir) files.push(p);
    else {
      for (const name of readdirSync(p).sort()) {
        if (name.endsWith(".hcl") || name.endsWith(".json")) files.push(path.join(p, name));
      }
    }
  }
  return files;
}

/** A file read as Nomad reads agent files: HCL1, or its JSON form when it starts with "{". */
function parseConfigFile(
  file: string,
): { ok: true; body: Hcl1Object } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, error: `${file}: ${(err as Error).message}` };
  }
  const parsed = parseHcl1(text);
  if (parsed.ok) return parsed;
  return { ok: false, error: `${file}:${parsed.pos.line}:${parsed.pos.column}: ${parsed.reason}` };
}

function fromEnv(env: NodeJS.ProcessEnv, errors: string[]): PartialAgentConfig {
  const out: PartialAgentConfig = {};
  if (env.CARAVAN_LOG_LEVEL) {
    const level = parseLogLevel(env.CARAVAN_LOG_LEVEL);
    if (level) out.logLevel = level;
    else
      errors.push(`CARAVAN_LOG_LEVEL: unknown log level ${JSON.stringify(env.CARAVAN_LOG_LEVEL)}`);
  }
  if (env.CARAVAN_LOG_JSON)
    out.logJson = ["1", "true"].includes(env.CARAVAN_LOG_JSON.toLowerCase());
  if (env.CARAVAN_DATA_DIR) out.dataDir = env.CARAVAN_DATA_DIR;
  // The agent DaemonSet passes the Kubernetes node's name through the downward API.
  if (env.CARAVAN_NODE_NAME) out.name = env.CARAVAN_NODE_NAME;
  if (env.CARAVAN_DATACENTER) out.datacenter = env.CARAVAN_DATACENTER;
  if (env.CARAVAN_REGION) out.region = env.CARAVAN_REGION;
  // The agent DaemonSet passes the host's IP (status.hostIP) for the servers to reach it by.
  if (env.CARAVAN_ADVERTISE_HTTP) {
    const v = env.CARAVAN_ADVERTISE_HTTP;
    if (isTemplate(v) || parseHostPort(v)) out.advertise = { http: v };
    else
      errors.push(
        `CARAVAN_ADVERTISE_HTTP: expected "host" or "host:port", got ${JSON.stringify(v)}`,
      );
  }
  return out;
}

function merge(base: AgentConfig, layer: PartialAgentConfig): AgentConfig {
  const {
    server,
    client,
    ports,
    plugins,
    logFile,
    consul,
    vault,
    httpApiResponseHeaders,
    acl,
    tls,
    limits,
    telemetry,
    addresses,
    advertise,
    ...scalars
  } = layer;
  const defined = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined));
  // Rotation settings apply to a log_file given in any file; without one there is no file.
  const log = { ...defaultLogRotation, ...base.logFile, ...logFile };
  const gc = { ...base.client.gc, ...client?.gc };
  return {
    ...base,
    ...defined,
    ...(log.path !== undefined ? { logFile: { ...log, path: log.path } } : {}),
    ...(consul || base.consul ? { consul: { ...base.consul, ...consul } } : {}),
    ...(vault || base.vault ? { vault: { ...base.vault, ...vault } } : {}),
    // Blocks merge setting by setting, as Nomad merges its files.
    ...(acl || base.acl ? { acl: { enabled: false, ...base.acl, ...acl } } : {}),
    ...(tls || base.tls
      ? { tls: { http: false, verifyHttpsClient: false, ...base.tls, ...tls } }
      : {}),
    ...(limits || base.limits
      ? { limits: { httpMaxConnsPerClient: 100, ...base.limits, ...limits } }
      : {}),
    ...(telemetry || base.telemetry
      ? { telemetry: { prometheusMetrics: false, ...base.telemetry, ...telemetry } }
      : {}),
    ...(addresses || base.addresses ? { addresses: { ...base.addresses, ...addresses } } : {}),
    ...(advertise || base.advertise ? { advertise: { ...base.advertise, ...advertise } } : {}),
    ...(httpApiResponseHeaders || base.httpApiResponseHeaders
      ? { httpApiResponseHeaders: { ...base.httpApiResponseHeaders, ...httpApiResponseHeaders } }
      : {}),
    ports: { ...base.ports, ...ports },
    server: { ...base.server, ...server },
    client: {
      ...base.client,
      ...client,
      meta: { ...base.client.meta, ...client?.meta },
      options: { ...base.client.options, ...client?.options },
      hostVolumes: { ...base.client.hostVolumes, ...client?.hostVolumes },
      ...(base.client.hostNetworks || client?.hostNetworks
        ? { hostNetworks: { ...base.client.hostNetworks, ...client?.hostNetworks } }
        : {}),
      reserved: { ...base.client.reserved, ...client?.reserved },
      ...(Object.keys(gc).length > 0 ? { gc } : {}),
    },
    plugins: { ...base.plugins, ...plugins },
  };
}
