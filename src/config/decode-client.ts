// The client { … } block of an agent configuration file (Nomad's ClientConfig).
import { isIPv4 } from "node:net";
import type { ClientConfig } from "./agent-config.js";
import { type Decoder, setIf } from "./decoder.js";
import type { Hcl1Field, Hcl1Node } from "./hcl1/parser.js";
import { ignored, ignoredKeys, why } from "./ignored.js";
import { isTemplate } from "./sockaddr.js";

export function decodeClient(
  d: Decoder,
  body: readonly Hcl1Field[],
  path: string,
): Partial<ClientConfig> {
  const client: Partial<ClientConfig> = {};
  const gc: NonNullable<ClientConfig["gc"]> = {};
  const options: Record<string, string> = {};
  d.fields(body, path, {
    enabled: (v, at) => setIf(client, "enabled", d.bool(v, at)),
    node_class: (v, at) => setIf(client, "nodeClass", d.string(v, at)),
    node_pool: (v, at) => setIf(client, "nodePool", d.string(v, at)),
    meta: (v, at) => setIf(client, "meta", d.stringMap(v, at)),
    options: (v, at) => Object.assign(options, d.stringMap(v, at)),
    chroot_env: (v, at) => setIf(client, "chrootEnv", d.stringMap(v, at)),
    gc_interval: (v, at) => setIf(gc, "interval", d.duration(v, at, '"1m"')),
    gc_max_allocs: (v, at) => setIf(gc, "maxAllocs", d.int(v, at, 1)),
    gc_disk_usage_threshold: (v, at) => setIf(gc, "diskUsageThreshold", d.float(v, at, 0, 100)),
    gc_inode_usage_threshold: (v, at) => setIf(gc, "inodeUsageThreshold", d.float(v, at, 0, 100)),
    gc_parallel_destroys: (v, at) => setIf(gc, "parallelDestroys", d.int(v, at, 1)),
    reserved: (v, at) => {
      const r = d.block(v, at);
      if (!r) return;
      const reserved: Record<string, string | number> = {};
      d.fields(r, at, {
        cpu: (x, xat) => setIf(reserved, "cpu", d.int(x, xat)),
        memory: (x, xat) => setIf(reserved, "memory", d.int(x, xat)),
        disk: (x, xat) => setIf(reserved, "disk", d.int(x, xat)),
        reserved_ports: (x, xat) => setIf(reserved, "reserved_ports", d.string(x, xat)),
        cores: ignored(d, why.notYet),
      });
      client.reserved = reserved;
    },
    host_volume: (v, at) => {
      const volumes = d.block(v, at);
      if (!volumes) return;
      client.hostVolumes = {};
      for (const { key: name, value, pos } of volumes) {
        const vol = d.block(value, `${at}.${name}`);
        if (!vol) continue;
        let hostPath: string | undefined;
        let readOnly = false;
        d.fields(vol, `${at}.${name}`, {
          path: (x, xat) => {
            hostPath = d.string(x, xat);
          },
          read_only: (x, xat) => {
            readOnly = d.bool(x, xat) ?? false;
          },
        });
        if (hostPath === undefined) d.fail(pos, `${at}.${name}.path`, "required");
        else client.hostVolumes[name] = { path: hostPath, readOnly };
      }
    },
    host_network: (v, at) => {
      const nets = d.block(v, at);
      if (!nets) return;
      client.hostNetworks = { ...client.hostNetworks };
      for (const { key: name, value } of nets) {
        const net = d.block(value, `${at}.${name}`);
        if (!net) continue;
        const conf: NonNullable<ClientConfig["hostNetworks"]>[string] = {};
        d.fields(net, `${at}.${name}`, {
          cidr: (x, xat, field) => {
            const cidr = d.string(x, xat);
            if (!cidr) return;
            const bad = cidr.split(",").find((c) => !isIPv4Cidr(c.trim()));
            if (bad !== undefined)
              d.fail(
                field.pos,
                xat,
                `${JSON.stringify(bad)} is not an IPv4 CIDR such as "10.0.0.0/8"`,
              );
            else conf.cidr = cidr;
          },
          interface: (x, xat) => setIf(conf, "interface", d.string(x, xat) || undefined),
          reserved_ports: (x, xat) => setIf(conf, "reservedPorts", d.string(x, xat) || undefined),
        });
        client.hostNetworks[name] = conf;
      }
    },
    fingerprint: (v, at) => fingerprint(d, v, at, options),
    alloc_dir: (v, at) => setIf(client, "allocDir", d.string(v, at) || undefined),
    state_dir: (v, at) => setIf(client, "stateDir", d.string(v, at) || undefined),
    network_interface: (v, at, field) => {
      const name = d.string(v, at);
      if (name === undefined || name === "") return;
      if (isTemplate(name))
        d.ignore(
          field.pos,
          at,
          "Caravan takes an interface name here, not a go-sockaddr template, yet",
        );
      else client.networkInterface = name;
    },
    cni_path: (v, at) => setIf(client, "cniPath", d.string(v, at) || undefined),
    cni_config_dir: (v, at) => setIf(client, "cniConfigDir", d.string(v, at) || undefined),
    bridge_network_name: (v, at) =>
      setIf(client, "bridgeNetworkName", d.string(v, at) || undefined),
    bridge_network_subnet: (v, at, field) => {
      const subnet = d.string(v, at);
      if (!subnet) return;
      if (!isIPv4Cidr(subnet))
        d.fail(
          field.pos,
          at,
          `${JSON.stringify(subnet)} is not an IPv4 subnet such as "172.26.64.0/20"`,
        );
      else client.bridgeNetworkSubnet = subnet;
    },
    bridge_network_hairpin_mode: (v, at) =>
      setIf(client, "bridgeNetworkHairpinMode", d.bool(v, at)),
    cpu_total_compute: (v, at) => setIf(client, "cpuTotalCompute", d.int(v, at)),
    memory_total_mb: (v, at) => setIf(client, "memoryTotalMB", d.int(v, at)),
    disk_total_mb: (v, at) => setIf(client, "diskTotalMB", d.int(v, at)),
    disk_free_mb: (v, at) => setIf(client, "diskFreeMB", d.int(v, at)),
    ...ignoredKeys(d, why.join, ["servers", "server_join"]),
    ...ignoredKeys(d, why.plugins, ["common_plugin_dir", "host_volume_plugin_dir"]),
    ...ignoredKeys(d, why.csi, ["gc_volumes_on_node_gc"]),
    ...ignoredKeys(d, why.notYet, [
      "alloc_mounts_dir",
      "host_volumes_dir",
      "preferred_address_family",
      "network_speed",
      "cpu_disable_dmidecode",
      "reservable_cores",
      "max_kill_timeout",
      "client_max_port",
      "client_min_port",
      "max_dynamic_port",
      "min_dynamic_port",
      "no_host_uuid",
      "disable_remote_exec",
      "template",
      "bridge_network_subnet_ipv6",
      "bind_wildcard_default_host_network",
      "cgroup_parent",
      "nomad_service_discovery",
      "artifact",
      "drain_on_shutdown",
      "users",
      "node_max_allocs",
      "log_file",
      "default_ineligible",
    ]),
    // Nomad drops "stats" without a word; it did something in old versions.
    stats: ignored(d, "Nomad reads it no more and drops it"),
    // Not Nomad's: Nomad 2 refuses it. Read with a warning.
    servers_join: ignored(
      d,
      `not a Nomad setting (Nomad refuses it; it reads server_join); ${why.join}`,
    ),
  });
  if (Object.keys(options).length > 0) client.options = options;
  if (Object.keys(gc).length > 0) client.gc = gc;
  return client;
}

function isIPv4Cidr(text: string): boolean {
  const [ip, bits, ...rest] = text.split("/");
  return rest.length === 0 && isIPv4(ip ?? "") && /^\d+$/.test(bits ?? "") && Number(bits) <= 32;
}

const listKeys: Record<string, string> = {
  allowlist: "fingerprint.allowlist",
  whitelist: "fingerprint.allowlist",
  denylist: "fingerprint.denylist",
  blacklist: "fingerprint.denylist",
};

/**
 * fingerprint "<name>" { retry_interval, retry_attempts, exit_on_failure } is
 * Nomad's per-fingerprinter block. A body of allowlist/denylist (or
 * whitelist/blacklist) lists is the form some guides show; Nomad refuses it
 * and reads the options "fingerprint.allowlist" and "fingerprint.denylist":
 * it is read as those options, with a warning saying so.
 */
function fingerprint(d: Decoder, v: Hcl1Node, at: string, options: Record<string, string>) {
  const body = d.block(v, at);
  if (!body) return;
  for (const f of body) {
    const fat = `${at}.${f.key}`;
    const option = listKeys[f.key];
    if (option) {
      const list = d.strings(f.value, fat);
      if (!list) continue;
      options[option] = [options[option], ...list].filter(Boolean).join(",");
      d.warnings.push(
        `${d.at(f.pos, false)}: ${fat} is read as options { "${option}" = "${list.join(",")}" }: Nomad refuses it here and reads that option`,
      );
      continue;
    }
    const named = d.block(f.value, fat);
    if (!named) continue;
    d.fields(named, fat, {
      ...ignoredKeys(d, why.notYet, ["retry_interval", "retry_attempts", "exit_on_failure"]),
    });
  }
}
