// Where an allocation's CNI network comes from: Nomad's own `nomad` bridge
// list for `bridge` mode, or a file of the client's cni_config_dir for
// `cni/<name>` (.conflist, .conf or .json, the first by file name when two
// share a name, as libcni reads them).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NetworkConfigList, PluginConfig } from "./cni.js";

/** The client's CNI settings, with Nomad's defaults filled in. */
export interface CniSettings {
  /** cni_path: where plugins are looked for (":"-separated). */
  cniPath: string;
  /** cni_config_dir: where cni/<name> networks are defined. */
  cniConfigDir: string;
  /** bridge_network_name: the bridge of `bridge` mode. */
  bridgeName: string;
  /** bridge_network_subnet: the addresses `bridge` mode hands out. */
  bridgeSubnet: string;
  /** bridge_network_hairpin_mode: allocations reach themselves through their mapped ports. */
  hairpinMode: boolean;
}

/** Nomad's defaults, and Debian's plugin directory after Nomad's /opt/cni/bin. */
export const defaultCniSettings: CniSettings = {
  cniPath: "/opt/cni/bin:/usr/lib/cni",
  cniConfigDir: "/opt/cni/config",
  bridgeName: "nomad",
  bridgeSubnet: "172.26.64.0/20",
  hairpinMode: false,
};

/** The iptables chain the firewall plugin lets the bridge's traffic through (Nomad's name). */
export const adminChainName = "NOMAD-ADMIN";

/** Nomad's bridge list: loopback, bridge with host-local addresses, firewall, portmap with SNAT. */
export function nomadBridgeConflist(s: CniSettings): NetworkConfigList {
  return {
    cniVersion: "0.4.0",
    name: "nomad",
    plugins: [
      { type: "loopback" },
      {
        type: "bridge",
        bridge: s.bridgeName,
        ipMasq: true,
        isGateway: true,
        forceAddress: true,
        hairpinMode: s.hairpinMode,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: s.bridgeSubnet }]],
          routes: [{ dst: "0.0.0.0/0" }],
          dataDir: "/var/run/cni",
        },
      },
      { type: "firewall", backend: "iptables", iptablesAdminChainName: adminChainName },
      { type: "portmap", capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** One file of the config dir, read: its network's name and the list it defines. */
export interface ConfFile {
  file: string;
  list: NetworkConfigList;
}

/** Reads a CNI config file; a lone plugin's .conf/.json becomes a list of one. */
export function parseConfFile(file: string, text: string): NetworkConfigList {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const name = raw.name;
  if (typeof name !== "string" || name === "") throw new Error(`${file}: no network name ("name")`);
  const cniVersion = typeof raw.cniVersion === "string" ? raw.cniVersion : "1.0.0";
  if (file.endsWith(".conflist")) {
    if (!Array.isArray(raw.plugins) || raw.plugins.length === 0)
      throw new Error(`${file}: no plugins ("plugins")`);
    for (const [i, p] of (raw.plugins as PluginConfig[]).entries())
      if (typeof p?.type !== "string") throw new Error(`${file}: plugins[${i}] has no "type"`);
    return { cniVersion, name, plugins: raw.plugins as PluginConfig[] };
  }
  if (typeof raw.type !== "string") throw new Error(`${file}: no plugin type ("type")`);
  const { cniVersion: _v, name: _n, ...plugin } = raw;
  return { cniVersion, name, plugins: [plugin as PluginConfig] };
}

/**
 * The networks defined in the config dir, by name (the first file wins),
 * and the files that could not be read, with why.
 */
export function readConfDir(dir: string): { networks: Map<string, ConfFile>; errors: string[] } {
  const networks = new Map<string, ConfFile>();
  const errors: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return { networks, errors };
  }
  for (const name of files) {
    if (!/\.(conflist|conf|json)$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      const list = parseConfFile(file, readFileSync(file, "utf8"));
      if (!networks.has(list.name)) networks.set(list.name, { file, list });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { networks, errors };
}
