// A CNI runtime, after the CNI specification (1.0.0, which also reads the
// 0.4.0 lists Nomad writes): a network configuration list is a chain of
// plugins, each an executable found on the CNI path, given its configuration
// on stdin and the container's identity in CNI_* variables. ADD runs the
// chain in order, each plugin given the one before's result as prevResult;
// DEL runs it backwards with the result ADD ended with.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** A network configuration list (a .conflist file, or a lone .conf lifted into one). */
export interface NetworkConfigList {
  cniVersion: string;
  name: string;
  plugins: PluginConfig[];
}

export interface PluginConfig {
  type: string;
  /** Runtime capabilities the plugin takes (portMappings…), filled in from runtimeConfig. */
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

/** The container the chain runs for: an allocation's network namespace. */
export interface Attachment {
  containerId: string;
  /** The network namespace's path, e.g. /var/run/netns/<alloc ID>. */
  netns: string;
  /** The interface made inside the namespace, e.g. eth0. */
  ifname: string;
  /** CNI_ARGS, joined as K=V;K=V. */
  args: Record<string, string>;
  /** Values for the capabilities plugins ask for (portMappings). */
  runtimeConfig: Record<string, unknown>;
}

/** What a chain of plugins returns (CNI's Result, 0.4.0 or 1.0.0). */
export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number; version?: string }[];
  routes?: { dst: string; gw?: string }[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

/** A plugin's failure: CNI's error object, or how the plugin ended. */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly code: number,
    message: string,
  ) {
    super(`plugin type="${plugin}" failed (${message})`);
  }
}

/** Finds a plugin's executable on the CNI path (directories joined by ":"). */
export function findPlugin(cniPath: string, type: string): string | undefined {
  for (const dir of cniPath.split(":").filter(Boolean)) {
    const file = path.join(dir, type);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The configuration one plugin of the list is given on stdin. */
export function pluginInput(
  list: NetworkConfigList,
  plugin: PluginConfig,
  attachment: Attachment,
  prevResult: CniResult | undefined,
): Record<string, unknown> {
  const { capabilities, ...conf } = plugin;
  const runtimeConfig = Object.fromEntries(
    Object.entries(capabilities ?? {})
      .filter(([name, on]) => on && attachment.runtimeConfig[name] !== undefined)
      .map(([name]) => [name, attachment.runtimeConfig[name]]),
  );
  return {
    ...conf,
    cniVersion: list.cniVersion,
    name: list.name,
    ...(Object.keys(runtimeConfig).length > 0 ? { runtimeConfig } : {}),
    ...(prevResult ? { prevResult } : {}),
  };
}

/** CNI_ARGS: K=V pairs joined by ";" (neither may hold ";" or "="). */
export function cniArgs(args: Record<string, string>): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(";");
}

type Command = "ADD" | "DEL" | "CHECK";

async function invoke(
  cniPath: string,
  command: Command,
  list: NetworkConfigList,
  plugin: PluginConfig,
  attachment: Attachment,
  prevResult: CniResult | undefined,
): Promise<CniResult | undefined> {
  const file = findPlugin(cniPath, plugin.type);
  if (!file)
    throw new CniError(
      plugin.type,
      0,
      `failed to find plugin "${plugin.type}" in path [${cniPath}]`,
    );
  const input = JSON.stringify(pluginInput(list, plugin, attachment, prevResult));
  const child = spawn(file, [], {
    env: {
      PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      CNI_COMMAND: command,
      CNI_CONTAINERID: attachment.containerId,
      CNI_NETNS: attachment.netns,
      CNI_IFNAME: attachment.ifname,
      CNI_ARGS: cniArgs(attachment.args),
      CNI_PATH: cniPath,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  child.stdin.end(input);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c) => resolve(c ?? 1));
  });
  const stdout = Buffer.concat(out).toString("utf8").trim();
  if (code !== 0) {
    let message = Buffer.concat(err).toString("utf8").trim() || `exit status ${code}`;
    let errorCode = code;
    try {
      const parsed = JSON.parse(stdout) as { code?: number; msg?: string; details?: string };
      if (parsed.msg) message = parsed.details ? `${parsed.msg}: ${parsed.details}` : parsed.msg;
      if (parsed.code) errorCode = parsed.code;
    } catch {
      // Not CNI's error object: stderr (or the exit status) says what went wrong.
    }
    throw new CniError(plugin.type, errorCode, message);
  }
  if (command !== "ADD" || stdout === "") return prevResult;
  return JSON.parse(stdout) as CniResult;
}

/** ADD: the chain in order; the last plugin's result is the network's. */
export async function addNetworkList(
  cniPath: string,
  list: NetworkConfigList,
  attachment: Attachment,
): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const plugin of list.plugins)
    result = await invoke(cniPath, "ADD", list, plugin, attachment, result);
  return result ?? {};
}

/**
 * DEL: the chain backwards, each plugin given ADD's result. Every plugin runs
 * even when one before it failed (what is left of the network still goes);
 * the first failure is thrown after.
 */
export async function delNetworkList(
  cniPath: string,
  list: NetworkConfigList,
  attachment: Attachment,
  result: CniResult | undefined,
): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await invoke(cniPath, "DEL", list, plugin, attachment, result);
    } catch (err) {
      first ??= err;
    }
  }
  if (first) throw first;
}
