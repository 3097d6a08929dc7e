// Nomad's task environment: NOMAD_* variables, then the task's own env, with
// ${...} references to node attributes, meta and NOMAD_* resolved as the
// client does. Pure.
import type { AllocationNetworkStatus } from "../crds/allocation.js";
import type { NomadAllocation, NomadNode } from "../crds/objects.js";

export interface TaskEnvInput {
  alloc: NomadAllocation;
  node: NomadNode | undefined;
  taskName: string;
  region: string;
  allocDir: string;
  taskDir: string;
  cpuMHz: number;
  memoryMB: number;
  jobMeta: Record<string, string>;
  groupMeta: Record<string, string>;
  taskMeta: Record<string, string>;
  taskEnv: Record<string, string>;
  /** The allocation's network namespace (bridge and CNI modes): NOMAD_ALLOC_{IP,ADDR,INTERFACE}_*. */
  networkStatus?: AllocationNetworkStatus | undefined;
}

export function taskEnvironment(input: TaskEnvInput): Record<string, string> {
  const { alloc, node } = input;
  const env: Record<string, string> = {
    NOMAD_ALLOC_ID: alloc.metadata.uid ?? alloc.metadata.name,
    NOMAD_ALLOC_NAME: alloc.spec.name,
    NOMAD_ALLOC_INDEX: String(alloc.spec.index),
    NOMAD_JOB_NAME: alloc.spec.jobName,
    NOMAD_JOB_ID: alloc.spec.jobName,
    NOMAD_GROUP_NAME: alloc.spec.group,
    NOMAD_TASK_NAME: input.taskName,
    NOMAD_NAMESPACE: alloc.metadata.namespace ?? "default",
    NOMAD_REGION: input.region,
    NOMAD_DC: node?.status?.datacenter ?? "",
    NOMAD_CPU_LIMIT: String(input.cpuMHz),
    NOMAD_MEMORY_LIMIT: String(input.memoryMB),
    NOMAD_ALLOC_DIR: `${input.allocDir}/alloc`,
    NOMAD_TASK_DIR: `${input.taskDir}/local`,
    NOMAD_SECRETS_DIR: `${input.taskDir}/secrets`,
    NOMAD_SHORT_ALLOC_ID: (alloc.metadata.uid ?? alloc.metadata.name).slice(0, 8),
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/",
  };
  const ip = node?.status?.attributes?.["unique.network.ip-address"] ?? "127.0.0.1";
  // Nomad's port variables: the host's side (IP, ADDR, HOST_*), and the
  // port inside the allocation (PORT, ALLOC_PORT: `to` when mapped).
  const net = input.networkStatus;
  for (const port of alloc.spec.resources.shared?.ports ?? []) {
    const label = port.label.replace(/[^A-Za-z0-9_]/g, "_");
    const hostIP = port.hostIP || ip;
    const inside = String(port.to !== undefined && port.to > 0 ? port.to : port.value);
    env[`NOMAD_ADDR_${label}`] = joinHostPort(hostIP, port.value);
    env[`NOMAD_HOST_ADDR_${label}`] = joinHostPort(hostIP, port.value);
    env[`NOMAD_IP_${label}`] = hostIP;
    env[`NOMAD_HOST_IP_${label}`] = hostIP;
    env[`NOMAD_PORT_${label}`] = inside;
    env[`NOMAD_ALLOC_PORT_${label}`] = inside;
    env[`NOMAD_HOST_PORT_${label}`] = String(port.value);
    if (net?.address) {
      env[`NOMAD_ALLOC_INTERFACE_${label}`] = net.interfaceName ?? "";
      env[`NOMAD_ALLOC_IP_${label}`] = net.address;
      env[`NOMAD_ALLOC_ADDR_${label}`] = joinHostPort(
        net.address,
        port.to !== undefined && port.to !== 0 ? port.to : port.value,
      );
    }
  }
  for (const [k, v] of Object.entries({
    ...input.jobMeta,
    ...input.groupMeta,
    ...input.taskMeta,
  })) {
    env[`NOMAD_META_${k.replace(/[^A-Za-z0-9_]/g, "_")}`] = v;
  }
  for (const [k, v] of Object.entries(input.taskEnv)) env[k] = interpolate(v, env, node);
  return env;
}

/** host:port, with an IPv6 host in brackets (Go's net.JoinHostPort). */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Resolves ${attr.*}, ${node.*}, ${meta.*} and ${NOMAD_*} / env references; unknown ones stay. */
export function interpolate(
  text: string,
  env: Record<string, string>,
  node: NomadNode | undefined,
): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, ref: string) => {
    const key = ref.trim();
    const status = node?.status;
    if (key.startsWith("attr.")) return status?.attributes?.[key.slice(5)] ?? whole;
    if (key.startsWith("meta.")) return status?.meta?.[key.slice(5)] ?? whole;
    if (key === "node.unique.name") return status?.name ?? node?.metadata.name ?? whole;
    if (key === "node.unique.id") return node?.status?.id ?? node?.metadata.name ?? whole;
    if (key === "node.datacenter") return status?.datacenter ?? whole;
    if (key === "node.class") return status?.nodeClass ?? whole;
    if (key === "node.pool") return status?.nodePool ?? whole;
    if (key.startsWith("env.")) return env[key.slice(4)] ?? whole;
    return env[key] ?? whole;
  });
}

/**
 * How a group's services and checks are interpolated: with the allocation's
 * NOMAD_* variables, its ports and the group's meta, as Nomad interpolates
 * services.
 */
export function groupInterpolation(
  alloc: NomadAllocation,
  groupMeta: Record<string, string>,
  node: NomadNode | undefined,
  region: string,
): (text: string) => string {
  const env = taskEnvironment({
    alloc,
    node,
    taskName: "",
    region,
    allocDir: "",
    taskDir: "",
    cpuMHz: 0,
    memoryMB: 0,
    jobMeta: {},
    groupMeta,
    taskMeta: {},
    taskEnv: {},
  });
  return (text) => interpolate(text, env, node);
}
