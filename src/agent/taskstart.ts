// What the agent hands a driver to start a task: the allocation's resources
// and ports for it, its environment and interpolated config, its directories
// and where its output goes. Pure.
import { defaultResources } from "../crds/job/defaults.js";
import type { Task, TaskGroup } from "../crds/job/index.js";
import type { NomadAllocation, NomadNode } from "../crds/objects.js";
import type { TaskMount, TaskStart } from "../drivers/driver.js";
import { interpolate } from "./taskenv.js";

export function taskStartRequest(input: {
  alloc: NomadAllocation;
  task: Task;
  /** The task's group (its volume requests) and this node (its host volumes). */
  group?: TaskGroup;
  node?: NomadNode | undefined;
  config: Record<string, unknown>;
  env: Record<string, string>;
  allocDir: string;
  taskDir: string;
  logs: { stdoutPath: string; stderrPath: string };
  /** The allocation's network namespace, for the drivers that run tasks in it. */
  netns?: string | undefined;
}): TaskStart {
  const { alloc, task } = input;
  const resources = alloc.spec.resources.tasks?.[task.name];
  return {
    allocId: alloc.metadata.name,
    jobName: alloc.spec.jobName,
    groupName: alloc.spec.group,
    taskName: task.name,
    config: input.config,
    env: input.env,
    allocDir: input.allocDir,
    taskDir: input.taskDir,
    stdoutPath: input.logs.stdoutPath,
    stderrPath: input.logs.stderrPath,
    ...(task.user ? { user: task.user } : {}),
    resources: {
      cpuMHz: resources?.cpu ?? task.resources?.cpu ?? defaultResources.cpu,
      memoryMB: resources?.memoryMB ?? task.resources?.memory ?? defaultResources.memory,
      ...(resources?.memoryMaxMB ? { memoryMaxMB: resources.memoryMaxMB } : {}),
      ...(resources?.reservedCores?.length ? { cores: resources.reservedCores } : {}),
    },
    ports: (alloc.spec.resources.shared?.ports ?? []).map((p) => ({
      label: p.label,
      value: p.value,
      to: p.to === undefined || p.to === -1 ? p.value : p.to,
      hostIP: p.hostIP ?? "",
    })),
    ...(task.resources?.networks?.[0]?.ports?.length
      ? { taskNetworkPorts: task.resources.networks[0].ports.map((p) => p.label) }
      : {}),
    ...(input.netns ? { netns: input.netns } : {}),
    ...(task.volumeMounts?.length
      ? { mounts: hostVolumeMounts(task, input.group, input.node) }
      : {}),
  };
}

/**
 * The task's volume_mounts of host volumes, resolved to this node's paths. The
 * scheduler placed the allocation where every host volume exists, so one
 * missing here (the agent's config changed since) is an error that names it.
 */
export function hostVolumeMounts(
  task: Task,
  group: TaskGroup | undefined,
  node: NomadNode | undefined,
): TaskMount[] {
  const mounts: TaskMount[] = [];
  for (const m of task.volumeMounts ?? []) {
    const request = group?.volumes?.find((v) => v.name === m.volume);
    if (!request)
      throw new Error(`volume_mount: volume "${m.volume}" is not a volume of the group`);
    if (request.type !== "host") continue; // CSI volumes are not supported by this agent
    const hostVolume = node?.status?.hostVolumes?.[request.source];
    if (!hostVolume)
      throw new Error(
        `volume "${m.volume}": host volume "${request.source}" is not configured on this node (client host_volume)`,
      );
    mounts.push({
      hostPath: hostVolume.path,
      taskPath: m.destination,
      readOnly: Boolean(m.readOnly || request.readOnly || hostVolume.readOnly),
    });
  }
  return mounts;
}

/** ${…} references resolved in every string of a task's config block. */
export function interpolateConfig(
  value: unknown,
  env: Record<string, string>,
  node: NomadNode | undefined,
): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return interpolate(v, env, node);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as Record<string, unknown>;
}
