// Turns a docker task config and the task's start details into the Docker
// Engine API's container create request, as Nomad's docker driver does:
// allocation directories at /alloc, /local and /secrets, group ports
// published on their host ports, memory and CPU from the task's resources.
// Pure.
import path from "node:path";
import type { ContainerCreateOptions } from "dockerode";
import type { TaskStart } from "../driver.js";
import type { DockerPluginConfig, DockerTaskConfig } from "./config.js";

export type CreateResult =
  | { ok: true; options: ContainerCreateOptions }
  | { ok: false; errors: string[] };

/** Docker refuses memory limits under 6 MB. */
const minMemoryBytes = 6 * 1024 * 1024;

export function containerName(task: Pick<TaskStart, "taskName" | "allocId">): string {
  return `${task.taskName}-${task.allocId}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

export function createOptions(
  task: TaskStart,
  config: DockerTaskConfig,
  plugin: DockerPluginConfig,
): CreateResult {
  const errors: string[] = [];
  const inContainer = {
    NOMAD_ALLOC_DIR: "/alloc",
    NOMAD_TASK_DIR: "/local",
    NOMAD_SECRETS_DIR: "/secrets",
  };
  const env: Record<string, string> = { ...task.env, ...inContainer };
  // The host's PATH means nothing inside the image; the image brings its own.
  if (env.PATH === process.env.PATH) delete env.PATH;

  const binds = [
    `${path.join(task.allocDir, "alloc")}:/alloc`,
    `${path.join(task.taskDir, "local")}:/local`,
    `${path.join(task.taskDir, "secrets")}:/secrets`,
    // Host volumes the group mounts (volume_mount), mounted by the agent's choice, not the task's.
    ...hostVolumeMounts(task).map((m) => `${m.hostPath}:${m.taskPath}${m.readOnly ? ":ro" : ""}`),
    // With a volume_driver, a source is the driver's volume name, not a path.
    ...config.volumes.map((v) => (config.volumeDriver ? v : hostVolume(v, task.taskDir))),
  ];

  const mounts = config.mounts.map((m) => ({
    Type: m.type,
    Target: m.target,
    ReadOnly: m.readonly,
    ...(m.source !== undefined
      ? { Source: m.type === "bind" ? resolveSource(m.source, task.taskDir) : m.source }
      : {}),
    ...(m.type === "tmpfs" && m.tmpfsSizeBytes
      ? { TmpfsOptions: { SizeBytes: m.tmpfsSizeBytes } }
      : {}),
    ...(m.volumeDriver ? { VolumeOptions: { DriverConfig: { Name: m.volumeDriver } } } : {}),
  }));

  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  // Without `ports`, a task with its own (deprecated) network publishes that
  // network's ports, as Nomad's docker driver does.
  const published = config.ports.length ? config.ports : (task.taskNetworkPorts ?? []);
  for (const label of published) {
    const port = task.ports.find((p) => p.label === label);
    if (!port) {
      errors.push(
        `config.ports: no port labeled "${label}" in the group's network (have: ${task.ports.map((p) => p.label).join(", ") || "none"})`,
      );
      continue;
    }
    const inside = config.portMap[label] ?? (port.to || port.value);
    for (const proto of ["tcp", "udp"]) {
      exposed[`${inside}/${proto}`] = {};
      bindings[`${inside}/${proto}`] = [{ HostIp: port.hostIP, HostPort: String(port.value) }];
    }
  }
  const hostNetwork = config.networkMode === "host";
  // In a group's namespace (bridge and CNI modes) the container joins it; the CNI chain maps the ports.
  const groupNetwork = task.netns && !config.networkMode ? `ns:${task.netns}` : undefined;
  if (hostNetwork || groupNetwork) {
    // The task shares the host's (or the group's) ports; nothing to publish.
    for (const k of Object.keys(bindings)) delete bindings[k];
  }

  const memoryMB =
    config.memoryHardLimitMB ?? task.resources.memoryMaxMB ?? task.resources.memoryMB;
  const memory = Math.max(memoryMB * 1024 * 1024, minMemoryBytes);
  const reservation =
    memoryMB > task.resources.memoryMB ? task.resources.memoryMB * 1024 * 1024 : undefined;
  const period = config.cpuCfsPeriod ?? 100_000;

  const labels: Record<string, string> = {
    ...config.labels,
    "com.hashicorp.nomad.alloc_id": task.allocId,
    "com.hashicorp.nomad.job_name": task.jobName,
    "com.hashicorp.nomad.task_group_name": task.groupName,
    "com.hashicorp.nomad.task_name": task.taskName,
    "dev.caravan.driver": "docker",
  };

  const cmd = [...(config.command !== undefined ? [config.command] : []), ...config.args];
  if (config.command === undefined && config.args.length)
    errors.push("config.args: given without config.command");

  if (errors.length) return { ok: false, errors };
  const options: ContainerCreateOptions = {
    name: containerName(task),
    Image: config.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ...(cmd.length ? { Cmd: cmd } : {}),
    ...(config.entrypoint ? { Entrypoint: config.entrypoint } : {}),
    ...(config.workDir ? { WorkingDir: config.workDir } : {}),
    ...(config.hostname ? { Hostname: config.hostname } : {}),
    ...(task.user ? { User: task.user } : {}),
    ...(config.macAddress ? { MacAddress: config.macAddress } : {}),
    ...(config.healthchecksDisabled ? { Healthcheck: { Test: ["NONE"] } } : {}),
    Tty: config.tty,
    OpenStdin: config.interactive,
    ExposedPorts: exposed,
    HostConfig: {
      Binds: binds,
      ...(mounts.length ? { Mounts: mounts as never } : {}),
      PortBindings: bindings,
      ...(config.networkMode || groupNetwork
        ? { NetworkMode: config.networkMode ?? groupNetwork }
        : {}),
      Memory: memory,
      ...(reservation ? { MemoryReservation: reservation } : {}),
      // No swap beyond the memory limit, so the limit is what the task gets.
      MemorySwap: memory,
      CpuShares: Math.max(2, task.resources.cpuMHz),
      ...(config.cpuHardLimit
        ? {
            CpuPeriod: period,
            CpuQuota: cpuQuota(task.resources.cpuMHz, period),
          }
        : {}),
      ...(config.cpusetCpus || task.resources.cores?.length
        ? { CpusetCpus: config.cpusetCpus ?? task.resources.cores?.join(",") }
        : {}),
      ...(config.isolation ? { Isolation: config.isolation } : {}),
      ...(config.cgroupns ? { CgroupnsMode: config.cgroupns } : {}),
      Privileged: config.privileged && plugin.allowPrivileged,
      CapAdd: config.capAdd,
      CapDrop: config.capDrop,
      Dns: config.dnsServers,
      DnsSearch: config.dnsSearchDomains,
      DnsOptions: config.dnsOptions,
      ExtraHosts: config.extraHosts,
      Devices: config.devices.map((d) => ({
        PathOnHost: d.hostPath,
        PathInContainer: d.containerPath,
        CgroupPermissions: d.cgroupPermissions,
      })),
      ...(config.logging
        ? { LogConfig: { Type: config.logging.type, Config: config.logging.config } }
        : {}),
      ReadonlyRootfs: config.readonlyRootfs,
      Ulimits: config.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
      ...(config.shmSizeBytes !== undefined ? { ShmSize: config.shmSizeBytes } : {}),
      ...(config.init ? { Init: true } : {}),
      ...(config.ipcMode ? { IpcMode: config.ipcMode } : {}),
      ...(config.pidMode ? { PidMode: config.pidMode } : {}),
      ...(config.utsMode ? { UTSMode: config.utsMode } : {}),
      ...(config.usernsMode ? { UsernsMode: config.usernsMode } : {}),
      SecurityOpt: config.securityOpt,
      ...(Object.keys(config.sysctl).length ? { Sysctls: config.sysctl } : {}),
      ...(Object.keys(config.storageOpt).length ? { StorageOpt: config.storageOpt } : {}),
      GroupAdd: config.groupAdd,
      ...(config.runtime ? { Runtime: config.runtime } : {}),
      ...(config.pidsLimit !== undefined ? { PidsLimit: config.pidsLimit } : {}),
      ...(config.oomScoreAdj !== undefined ? { OomScoreAdj: config.oomScoreAdj } : {}),
      ...(config.volumeDriver ? { VolumeDriver: config.volumeDriver } : {}),
    },
    ...(config.networkAliases.length || config.ipv4Address || config.ipv6Address
      ? {
          NetworkingConfig: {
            EndpointsConfig: {
              [config.networkMode ?? "bridge"]: {
                ...(config.networkAliases.length ? { Aliases: config.networkAliases } : {}),
                ...(config.ipv4Address || config.ipv6Address
                  ? {
                      IPAMConfig: {
                        ...(config.ipv4Address ? { IPv4Address: config.ipv4Address } : {}),
                        ...(config.ipv6Address ? { IPv6Address: config.ipv6Address } : {}),
                      },
                    }
                  : {}),
              },
            },
          },
        }
      : {}),
  };
  return { ok: true, options };
}

/** TaskStart's host volume mounts (volume_mount), where the agent provides them. */
function hostVolumeMounts(
  task: TaskStart,
): { hostPath: string; taskPath: string; readOnly: boolean }[] {
  return (
    (task as { mounts?: { hostPath: string; taskPath: string; readOnly: boolean }[] }).mounts ?? []
  );
}

/** "data:/var/data" relative to the task dir; absolute host paths as they are. */
function hostVolume(volume: string, taskDir: string): string {
  const [source = "", ...rest] = volume.split(":");
  return [resolveSource(source, taskDir), ...rest].join(":");
}

function resolveSource(source: string, taskDir: string): string {
  return path.isAbsolute(source) ? source : path.join(taskDir, source);
}

/** Nomad's cpu_hard_limit as a CFS quota, counting 1000 MHz as one core. */
function cpuQuota(cpuMHz: number, period: number): number {
  return Math.max(1000, Math.round((cpuMHz / 1000) * period));
}
