// The network modes this node offers besides `host`, as Nomad's bridge, cni
// and plugins_cni fingerprinters find them: `bridge` when the kernel has
// bridges and the CNI plugins Nomad's bridge list runs are on the CNI path,
// `cni/<name>` for each network of the cni_config_dir, and each plugin's
// version as plugins.cni.version.<plugin>.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { NodeNetwork } from "../../crds/node.js";
import { findPlugin } from "../network/cni.js";
import { type CniSettings, nomadBridgeConflist, readConfDir } from "../network/conflist.js";

export interface NetworkModes {
  networks: NodeNetwork[];
  attributes: Record<string, string>;
  /** What keeps a mode from being offered, for the agent's log. */
  warnings: string[];
}

export function fingerprintNetworkModes(settings: CniSettings): NetworkModes {
  const attributes: Record<string, string> = {
    "nomad.bridge.hairpin_mode": String(settings.hairpinMode),
  };
  for (const [name, version] of pluginVersions(settings.cniPath))
    attributes[`plugins.cni.version.${name}`] = version;
  const networks: NodeNetwork[] = [];
  const warnings: string[] = [];
  const missing = nomadBridgeConflist(settings)
    .plugins.map((p) => p.type)
    .filter((type) => !findPlugin(settings.cniPath, type));
  if (!kernelHasBridge())
    warnings.push("failed to detect bridge kernel module, bridge network mode disabled");
  else if (missing.length > 0)
    warnings.push(
      `CNI plugins ${missing.join(", ")} not found in cni_path ${settings.cniPath}, bridge network mode disabled`,
    );
  else networks.push({ mode: "bridge", device: settings.bridgeName });
  const conf = readConfDir(settings.cniConfigDir);
  warnings.push(...conf.errors);
  for (const name of [...conf.networks.keys()].sort()) networks.push({ mode: `cni/${name}` });
  return { networks, attributes, warnings };
}

/** The bridge module: loaded, built in, or loadable (Nomad's four places to look). */
function kernelHasBridge(): boolean {
  if (existsSync("/sys/module/bridge")) return true;
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  if (/^bridge\s/m.test(read("/proc/modules"))) return true;
  const dir = `/lib/modules/${os.release()}`;
  return (
    /\/bridge\.ko$/m.test(read(`${dir}/modules.builtin`)) ||
    /\/bridge\.ko(\.xz)?:/m.test(read(`${dir}/modules.dep`))
  );
}

const versions = new Map<string, { mtimeMs: number; version: string }>();

/** Each executable of the CNI path with its version ("unknown" when it says none), first directory first. */
function pluginVersions(cniPath: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of cniPath.split(":").filter(Boolean)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (out.has(name)) continue;
      const file = path.join(dir, name);
      let mtimeMs: number;
      try {
        const st = statSync(file);
        if (!st.isFile() || (st.mode & 0o111) === 0) continue;
        mtimeMs = st.mtimeMs;
      } catch {
        continue;
      }
      const known = versions.get(file);
      if (known?.mtimeMs === mtimeMs) {
        out.set(name, known.version);
        continue;
      }
      const version = pluginVersion(file);
      versions.set(file, { mtimeMs, version });
      out.set(name, version);
    }
  }
  return out;
}

/**
 * A plugin run with no command prints its version; the first word of its
 * output that is a semantic version, or "unknown" (Nomad's rule: a build
 * without a version yields its last supported protocol version).
 */
function pluginVersion(file: string): string {
  // Both streams, as Nomad reads them: the standard plugins print their version on stderr.
  const run = spawnSync(file, [], { env: {}, timeout: 3000, stdio: ["ignore", "pipe", "pipe"] });
  if (run.error || run.status !== 0) return "unknown";
  const text = `${run.stdout.toString("utf8")}\n${run.stderr.toString("utf8")}`;
  for (const token of text.split(/\s+/)) {
    if (/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(token)) return token;
  }
  return "unknown";
}
