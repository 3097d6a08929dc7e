// The docker driver's task config and plugin config, read and checked as
// Nomad's docker driver takes them. Errors name the field. Pure.
import { goDurationMs } from "../../common/duration.js";
import { defaultCaps, normalCap } from "../capabilities.js";
import { FieldReader, type Obj } from "../fields.js";

export interface DockerMount {
  type: "bind" | "volume" | "tmpfs";
  target: string;
  source?: string;
  readonly: boolean;
  tmpfsSizeBytes?: number;
  volumeDriver?: string;
}

export interface DockerDevice {
  hostPath: string;
  containerPath: string;
  cgroupPermissions: string;
}

export interface DockerAuth {
  username?: string;
  password?: string;
  email?: string;
  serveraddress?: string;
}

export interface DockerTaskConfig {
  image: string;
  command?: string;
  args: string[];
  entrypoint?: string[];
  ports: string[];
  networkMode?: string;
  volumes: string[];
  volumeDriver?: string;
  mounts: DockerMount[];
  labels: Record<string, string>;
  workDir?: string;
  hostname?: string;
  dnsServers: string[];
  dnsSearchDomains: string[];
  dnsOptions: string[];
  extraHosts: string[];
  devices: DockerDevice[];
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  memoryHardLimitMB?: number;
  cpuHardLimit: boolean;
  cpuCfsPeriod?: number;
  logging?: { type: string; config: Record<string, string> };
  auth?: DockerAuth;
  authSoftFail: boolean;
  forcePull: boolean;
  readonlyRootfs: boolean;
  ulimits: { name: string; soft: number; hard: number }[];
  shmSizeBytes?: number;
  init: boolean;
  ipcMode?: string;
  pidMode?: string;
  utsMode?: string;
  usernsMode?: string;
  securityOpt: string[];
  sysctl: Record<string, string>;
  storageOpt: Record<string, string>;
  tty: boolean;
  interactive: boolean;
  macAddress?: string;
  groupAdd: string[];
  runtime?: string;
  pidsLimit?: number;
  oomScoreAdj?: number;
  networkAliases: string[];
  ipv4Address?: string;
  imagePullTimeoutMs: number;
  /** An image archive (docker save) to load instead of pulling, relative to the task directory. */
  load?: string;
  cpusetCpus?: string;
  containerExistsOk: boolean;
  healthchecksDisabled: boolean;
  ipv6Address?: string;
  isolation?: string;
  cgroupns?: string;
  /** Deprecated port_map: container port by port label, overriding the group port's `to`. */
  portMap: Record<string, number>;
}

const taskKeys = [
  "image",
  "command",
  "args",
  "entrypoint",
  "ports",
  "network_mode",
  "volumes",
  "volume_driver",
  "mount",
  "mounts",
  "labels",
  "work_dir",
  "hostname",
  "dns_servers",
  "dns_search_domains",
  "dns_options",
  "extra_hosts",
  "devices",
  "cap_add",
  "cap_drop",
  "privileged",
  "memory_hard_limit",
  "cpu_hard_limit",
  "cpu_cfs_period",
  "logging",
  "auth",
  "auth_soft_fail",
  "force_pull",
  "readonly_rootfs",
  "ulimit",
  "shm_size",
  "init",
  "ipc_mode",
  "pid_mode",
  "uts_mode",
  "userns_mode",
  "security_opt",
  "sysctl",
  "storage_opt",
  "tty",
  "interactive",
  "mac_address",
  "group_add",
  "runtime",
  "pids_limit",
  "oom_score_adj",
  "network_aliases",
  "ipv4_address",
  "image_pull_timeout",
  "load",
  "cpuset_cpus",
  "container_exists_ok",
  "healthchecks",
  "ipv6_address",
  "isolation",
  "cgroupns",
  "port_map",
  "advertise_ipv6_address",
] as const;

export type TaskConfigResult =
  | { ok: true; config: DockerTaskConfig }
  | { ok: false; errors: string[] };

export function readTaskConfig(raw: Obj): TaskConfigResult {
  const r = new FieldReader("docker");
  r.known(raw, taskKeys);
  const image = r.string(raw, "image", true);
  if (image === undefined && !r.errors.some((e) => e.startsWith("config.image")))
    r.errors.push("config.image: required");

  // `mounts = [{ … }]` is the pre-1.0 list form Nomad still reads, after the mount blocks.
  const mounts = [
    ...r.blocks(raw, "mount").map((m, i) => readMount(r.nested(`mount[${i}]`), m)),
    ...r.blocks(raw, "mounts").map((m, i) => readMount(r.nested(`mounts[${i}]`), m)),
  ];
  const devices = r.blocks(raw, "devices").map((d, i) => {
    const dr = r.nested(`devices[${i}]`);
    dr.known(d, ["host_path", "container_path", "cgroup_permissions"], dr.path);
    const hostPath = dr.string(d, "host_path", true) ?? "";
    return {
      hostPath,
      containerPath: dr.string(d, "container_path") ?? hostPath,
      cgroupPermissions: dr.string(d, "cgroup_permissions") ?? "rwm",
    };
  });
  const loggingBlock = r.block(raw, "logging");
  let logging: DockerTaskConfig["logging"];
  if (loggingBlock) {
    const lr = r.nested("logging");
    lr.known(loggingBlock, ["type", "driver", "config"], lr.path);
    logging = {
      type: lr.string(loggingBlock, "type") ?? lr.string(loggingBlock, "driver") ?? "json-file",
      config: lr.map(loggingBlock, "config") ?? {},
    };
  }
  const authBlock = r.block(raw, "auth");
  let auth: DockerAuth | undefined;
  if (authBlock) {
    const ar = r.nested("auth");
    ar.known(authBlock, ["username", "password", "email", "server_address"], ar.path);
    const read: DockerAuth = {};
    auth = read;
    const set = (k: keyof DockerAuth, key: string) => {
      const v = ar.string(authBlock, key);
      if (v !== undefined) read[k] = v;
    };
    set("username", "username");
    set("password", "password");
    set("email", "email");
    set("serveraddress", "server_address");
  }
  const ulimits = Object.entries(r.map(raw, "ulimit") ?? {}).flatMap(([name, value]) => {
    const m = /^(-?\d+)(?::(-?\d+))?$/.exec(value);
    if (!m) {
      r.errors.push(`config.ulimit.${name}: must be "soft" or "soft:hard", got "${value}"`);
      return [];
    }
    const soft = Number(m[1]);
    return [{ name, soft, hard: m[2] === undefined ? soft : Number(m[2]) }];
  });
  let shmSizeBytes = r.number(raw, "shm_size");
  if (shmSizeBytes !== undefined && shmSizeBytes < 0) {
    r.errors.push("config.shm_size: must not be negative");
    shmSizeBytes = undefined;
  }
  const pullTimeout = r.string(raw, "image_pull_timeout");
  const imagePullTimeoutMs = pullTimeout === undefined ? 300_000 : goDurationMs(pullTimeout);
  if (imagePullTimeoutMs === undefined)
    r.errors.push(`config.image_pull_timeout: not a duration: "${pullTimeout}"`);
  const networkMode = r.string(raw, "network_mode");
  const ports = r.strings(raw, "ports") ?? [];
  if (networkMode === "host" || networkMode === "none") {
    if (ports.length && networkMode === "none")
      r.errors.push('config.ports: cannot map ports with network_mode "none"');
  }
  const memoryHardLimitMB = r.number(raw, "memory_hard_limit");
  r.bool(raw, "advertise_ipv6_address");
  const healthchecks = r.block(raw, "healthchecks");
  if (healthchecks) r.known(healthchecks, ["disable"], "config.healthchecks");
  const portMap = r.portMap(raw);

  const optional = <T>(key: string, v: T | undefined) => (v === undefined ? {} : { [key]: v });
  const config: DockerTaskConfig = {
    image: image ?? "",
    ...optional("command", r.string(raw, "command")),
    args: r.strings(raw, "args") ?? [],
    ...optional("entrypoint", r.strings(raw, "entrypoint")),
    ports,
    ...optional("networkMode", networkMode),
    volumes: r.strings(raw, "volumes") ?? [],
    ...optional("volumeDriver", r.string(raw, "volume_driver")),
    mounts,
    labels: r.map(raw, "labels") ?? {},
    ...optional("workDir", r.string(raw, "work_dir")),
    ...optional("hostname", r.string(raw, "hostname")),
    dnsServers: r.strings(raw, "dns_servers") ?? [],
    dnsSearchDomains: r.strings(raw, "dns_search_domains") ?? [],
    dnsOptions: r.strings(raw, "dns_options") ?? [],
    extraHosts: r.strings(raw, "extra_hosts") ?? [],
    devices,
    capAdd: r.strings(raw, "cap_add") ?? [],
    capDrop: r.strings(raw, "cap_drop") ?? [],
    privileged: r.bool(raw, "privileged") ?? false,
    ...optional("memoryHardLimitMB", memoryHardLimitMB),
    cpuHardLimit: r.bool(raw, "cpu_hard_limit") ?? false,
    ...optional("cpuCfsPeriod", r.number(raw, "cpu_cfs_period")),
    ...optional("logging", logging),
    ...optional("auth", auth),
    authSoftFail: r.bool(raw, "auth_soft_fail") ?? false,
    forcePull: r.bool(raw, "force_pull") ?? false,
    readonlyRootfs: r.bool(raw, "readonly_rootfs") ?? false,
    ulimits,
    ...optional("shmSizeBytes", shmSizeBytes),
    init: r.bool(raw, "init") ?? false,
    ...optional("ipcMode", r.string(raw, "ipc_mode")),
    ...optional("pidMode", r.string(raw, "pid_mode")),
    ...optional("utsMode", r.string(raw, "uts_mode")),
    ...optional("usernsMode", r.string(raw, "userns_mode")),
    securityOpt: r.strings(raw, "security_opt") ?? [],
    sysctl: r.map(raw, "sysctl") ?? {},
    storageOpt: r.map(raw, "storage_opt") ?? {},
    tty: r.bool(raw, "tty") ?? false,
    interactive: r.bool(raw, "interactive") ?? false,
    ...optional("macAddress", r.string(raw, "mac_address")),
    groupAdd: r.strings(raw, "group_add") ?? [],
    ...optional("runtime", r.string(raw, "runtime")),
    ...optional("pidsLimit", r.number(raw, "pids_limit")),
    ...optional("oomScoreAdj", r.number(raw, "oom_score_adj")),
    networkAliases: r.strings(raw, "network_aliases") ?? [],
    ...optional("ipv4Address", r.string(raw, "ipv4_address")),
    imagePullTimeoutMs: imagePullTimeoutMs ?? 300_000,
    ...optional("load", r.string(raw, "load")),
    ...optional("cpusetCpus", r.string(raw, "cpuset_cpus")),
    containerExistsOk: r.bool(raw, "container_exists_ok") ?? false,
    healthchecksDisabled: healthchecks
      ? (r.nested("healthchecks").bool(healthchecks, "disable") ?? false)
      : false,
    ...optional("ipv6Address", r.string(raw, "ipv6_address")),
    ...optional("isolation", r.string(raw, "isolation")),
    ...optional("cgroupns", r.string(raw, "cgroupns")),
    portMap,
  };
  return r.errors.length ? { ok: false, errors: r.errors } : { ok: true, config };
}

function readMount(r: FieldReader, m: Obj): DockerMount {
  r.known(
    m,
    ["type", "target", "source", "readonly", "bind_options", "tmpfs_options", "volume_options"],
    r.path,
  );
  const type = r.string(m, "type") ?? "volume";
  if (type !== "bind" && type !== "volume" && type !== "tmpfs")
    r.errors.push(`${r.path}.type: must be bind, volume or tmpfs, got "${type}"`);
  const target = r.string(m, "target", true) ?? "";
  const source = r.string(m, "source");
  if (type === "bind" && source === undefined) r.errors.push(`${r.path}.source: required for bind`);
  const tmpfs = r.block(m, "tmpfs_options");
  const volume = r.block(m, "volume_options");
  const driverConfig = volume
    ? r.nested("volume_options").block(volume, "driver_config")
    : undefined;
  const size = tmpfs ? r.nested("tmpfs_options").number(tmpfs, "size") : undefined;
  const volumeDriver =
    driverConfig && typeof driverConfig.name === "string" ? driverConfig.name : undefined;
  return {
    type: type as DockerMount["type"],
    target,
    ...(source !== undefined ? { source } : {}),
    readonly: r.bool(m, "readonly") ?? false,
    ...(size !== undefined ? { tmpfsSizeBytes: size } : {}),
    ...(volumeDriver ? { volumeDriver } : {}),
  };
}

export interface DockerPluginConfig {
  endpoint?: string;
  auth?: { config?: string; helper?: string };
  gc: { image: boolean; imageDelayMs: number; container: boolean };
  volumesEnabled: boolean;
  allowPrivileged: boolean;
  allowCaps: string[];
  allowRuntimes: string[];
  extraLabels: string[];
  pullActivityTimeoutMs: number;
}

const pluginKeys = [
  "endpoint",
  "auth",
  "tls",
  "gc",
  "volumes",
  "allow_privileged",
  "allow_caps",
  "allow_runtimes",
  "extra_labels",
  "pull_activity_timeout",
  "infra_image",
  "infra_image_pull_timeout",
  "logging",
  "disable_log_collection",
  "image_pull_timeout",
  "pids_limit",
];

export type PluginConfigResult =
  | { ok: true; config: DockerPluginConfig }
  | { ok: false; errors: string[] };

export function readPluginConfig(raw: Obj): PluginConfigResult {
  const r = new FieldReader("docker", "plugin.docker.config");
  r.known(raw, pluginKeys);
  const gc = r.block(raw, "gc") ?? {};
  const gr = r.nested("gc");
  gr.known(gc, ["image", "image_delay", "container", "dangling_containers"], gr.path);
  const delay = gr.string(gc, "image_delay") ?? "3m";
  const imageDelayMs = goDurationMs(delay);
  if (imageDelayMs === undefined)
    r.errors.push(`${gr.path}.image_delay: not a duration: "${delay}"`);
  const volumes = r.block(raw, "volumes") ?? {};
  const vr = r.nested("volumes");
  vr.known(volumes, ["enabled", "selinuxlabel"], vr.path);
  const auth = r.block(raw, "auth");
  const ar = r.nested("auth");
  const pullTimeout = r.string(raw, "pull_activity_timeout") ?? "2m";
  const config: DockerPluginConfig = {
    ...(r.string(raw, "endpoint") !== undefined ? { endpoint: r.string(raw, "endpoint") } : {}),
    ...(auth
      ? {
          auth: {
            ...(ar.string(auth, "config") ? { config: ar.string(auth, "config") } : {}),
            ...(ar.string(auth, "helper") ? { helper: ar.string(auth, "helper") } : {}),
          },
        }
      : {}),
    gc: {
      image: gr.bool(gc, "image") ?? true,
      imageDelayMs: imageDelayMs ?? 180_000,
      container: gr.bool(gc, "container") ?? true,
    },
    volumesEnabled: vr.bool(volumes, "enabled") ?? false,
    allowPrivileged: r.bool(raw, "allow_privileged") ?? false,
    allowCaps: (r.strings(raw, "allow_caps") ?? defaultCaps).map(normalCap),
    allowRuntimes: r.strings(raw, "allow_runtimes") ?? ["runc", "nvidia"],
    extraLabels: r.strings(raw, "extra_labels") ?? [],
    pullActivityTimeoutMs: goDurationMs(pullTimeout) ?? 120_000,
  };
  return r.errors.length ? { ok: false, errors: r.errors } : { ok: true, config };
}

/**
 * What the plugin config forbids in a task config: privileged containers,
 * capabilities outside allow_caps, host volumes while volumes are disabled.
 */
export function policyErrors(task: DockerTaskConfig, plugin: DockerPluginConfig): string[] {
  const errors: string[] = [];
  if (task.privileged && !plugin.allowPrivileged)
    errors.push(
      "config.privileged: Docker privileged mode is disabled on this Nomad agent (plugin config allow_privileged = false)",
    );
  const allowed = new Set(plugin.allowCaps);
  if (!allowed.has("all")) {
    const denied = task.capAdd.filter((c) => normalCap(c) === "all" || !allowed.has(normalCap(c)));
    if (denied.length)
      errors.push(
        `config.cap_add: capabilities not allowed by the plugin config allow_caps: ${denied.join(", ")}`,
      );
  }
  if (!plugin.volumesEnabled) {
    const hostPaths = task.volumes.filter((v) => !isRelativeVolume(v));
    if (hostPaths.length)
      errors.push(
        `config.volumes: volumes are not enabled on this agent (plugin config volumes.enabled); cannot mount ${hostPaths.join(", ")}`,
      );
    if (task.volumeDriver)
      errors.push("config.volume_driver: volumes are not enabled on this agent");
    task.mounts.forEach((m, i) => {
      if (m.type === "bind" && m.source && !isRelativeVolume(`${m.source}:x`))
        errors.push(
          `config.mount[${i}].source: volumes are not enabled on this agent; cannot bind host path ${m.source}`,
        );
      if (m.type === "volume" && m.volumeDriver)
        errors.push(`config.mount[${i}]: volume drivers need volumes enabled on this agent`);
    });
  }
  if (task.runtime && !plugin.allowRuntimes.includes(task.runtime))
    errors.push(`config.runtime: runtime "${task.runtime}" is not in allow_runtimes`);
  return errors;
}

/** Volumes relative to the task directory are always allowed, as in Nomad. */
function isRelativeVolume(volume: string): boolean {
  const source = volume.split(":")[0] ?? "";
  return !source.startsWith("/") && !source.startsWith("~");
}
