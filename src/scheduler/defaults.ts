// The job as the scheduler reads it: a NomadJob may arrive with fields absent
// (one applied with kubectl skips the jobspec's canonicalize), so Nomad's
// defaults from crds/job/defaults.ts fill them in here, durations become
// milliseconds and per-group sums are precomputed. Every stage after this one
// reads the resolved model and never guesses a default itself.

import { durationMs } from "../common/duration.js";
import {
  defaultEphemeralDisk,
  defaultJob,
  defaultMigrateStrategy,
  defaultReschedulePolicy,
  defaultResources,
  defaultUpdateStrategy,
  defaultWeight,
} from "../crds/job/defaults.js";
import type {
  Affinity,
  Constraint,
  NomadJobSpec,
  Port,
  RequestedDevice,
  Spread,
  TaskGroup,
} from "../crds/job/index.js";

export type JobType = "service" | "batch" | "system" | "sysbatch";

export interface ResolvedReschedule {
  readonly attempts: number;
  readonly intervalMs: number;
  readonly delayMs: number;
  readonly delayFunction: "constant" | "exponential" | "fibonacci";
  readonly maxDelayMs: number;
  readonly unlimited: boolean;
}

export interface ResolvedUpdate {
  /** 0 means no deployments for the group. */
  readonly maxParallel: number;
  readonly canary: number;
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
}

export interface ResolvedTask {
  readonly name: string;
  readonly driver: string;
  readonly cpuMHz: number;
  readonly cores: number;
  readonly memoryMB: number;
  readonly memoryMaxMB: number;
  readonly devices: readonly RequestedDevice[];
  readonly constraints: readonly Constraint[];
  readonly affinities: readonly Affinity[];
}

export interface ResolvedGroup {
  readonly name: string;
  readonly count: number;
  readonly tasks: readonly ResolvedTask[];
  /** Group and task constraints (the job's are kept apart: Nomad caches them separately). */
  readonly constraints: readonly Constraint[];
  /** Job, group and task affinities together, with weights resolved. */
  readonly affinities: readonly (Affinity & { weight: number })[];
  /** Group spreads then job spreads, weights resolved. */
  readonly spreads: readonly (Spread & { weight: number })[];
  readonly drivers: readonly string[];
  readonly diskMB: number;
  readonly sticky: boolean;
  readonly networkMode: string;
  readonly ports: readonly Port[];
  readonly hostVolumes: readonly { name: string; source: string; readOnly: boolean }[];
  readonly reschedule: ResolvedReschedule | undefined;
  readonly update: ResolvedUpdate;
  readonly migrateMaxParallel: number;
  /** System jobs: destructive updates per evaluation (update.max_parallel); 0 means all at once. */
  readonly systemMaxParallel: number;
  /** Lost after this long disconnected (ms); undefined: lost at once. */
  readonly lostAfterMs: number | undefined;
  readonly replaceOnLost: boolean;
  /** Which of an original and its replacement stays when the original reconnects. */
  readonly reconcileOnReconnect:
    | "keep_original"
    | "keep_replacement"
    | "best_score"
    | "longest_running";
  readonly stopAfterClientDisconnectMs: number | undefined;
  /** Summed requests, precomputed for the binpack hot loop. */
  readonly cpuMHz: number;
  readonly memoryMB: number;
  readonly memoryMaxMB: number;
  readonly coresTotal: number;
  readonly hasDevices: boolean;
  readonly hasDeviceAffinities: boolean;
  readonly spec: TaskGroup;
}

export interface ResolvedJob {
  readonly id: string;
  readonly namespace: string;
  readonly type: JobType;
  readonly priority: number;
  readonly datacenters: readonly string[];
  readonly nodePool: string;
  readonly constraints: readonly Constraint[];
  readonly stopped: boolean;
  readonly groups: readonly ResolvedGroup[];
  readonly spec: NomadJobSpec;
}

/** Nomad's reschedule policy for the job type, in milliseconds; undefined: never rescheduled. */
function defaultReschedule(type: JobType): ResolvedReschedule | undefined {
  const d = defaultReschedulePolicy(type);
  if (!d) return undefined;
  return {
    attempts: d.attempts,
    intervalMs: durationMs(d.interval, 0),
    delayMs: durationMs(d.delay, 0),
    delayFunction: d.delayFunction,
    maxDelayMs: durationMs(d.maxDelay, 0),
    unlimited: d.unlimited,
  };
}

function resolveReschedule(job: NomadJobSpec, tg: TaskGroup, type: JobType) {
  const base = defaultReschedule(type);
  if (!base) return undefined;
  const over = { ...job.reschedule, ...tg.reschedule };
  const r: ResolvedReschedule = {
    attempts: over.attempts ?? base.attempts,
    intervalMs: durationMs(over.interval, base.intervalMs),
    delayMs: durationMs(over.delay, base.delayMs),
    delayFunction: over.delayFunction ?? base.delayFunction,
    maxDelayMs: durationMs(over.maxDelay, base.maxDelayMs),
    unlimited: over.unlimited ?? base.unlimited,
  };
  // A policy with no attempts and no unlimited never reschedules: Nomad treats it as absent.
  return r.unlimited || r.attempts > 0 ? r : undefined;
}

const optionalMs = (d: string | undefined) => (d === undefined ? undefined : durationMs(d, 0));

function resolveGroup(job: NomadJobSpec, tg: TaskGroup, type: JobType): ResolvedGroup {
  const tasks: ResolvedTask[] = tg.tasks.map((t) => {
    const r = t.resources ?? {};
    const memoryMB = r.memory ?? defaultResources.memory;
    return {
      name: t.name,
      driver: t.driver,
      cpuMHz: r.cores ? 0 : (r.cpu ?? defaultResources.cpu),
      cores: r.cores ?? 0,
      memoryMB,
      memoryMaxMB: r.memoryMax && r.memoryMax > memoryMB ? r.memoryMax : memoryMB,
      devices: r.devices ?? [],
      constraints: t.constraints ?? [],
      affinities: t.affinities ?? [],
    };
  });
  const constraints = [...(tg.constraints ?? []), ...tasks.flatMap((t) => t.constraints)];
  const affinities = [
    ...(job.affinities ?? []),
    ...(tg.affinities ?? []),
    ...tasks.flatMap((t) => t.affinities),
  ].map((a) => ({ ...a, weight: a.weight ?? defaultWeight }));
  const spreads = [...(tg.spreads ?? []), ...(job.spreads ?? [])].map((s) => ({
    ...s,
    weight: s.weight ?? defaultWeight,
  }));
  const update = { ...job.update, ...tg.update };
  const migrate = { ...job.migrate, ...tg.migrate };
  const net = tg.networks?.[0];
  const deploymentsApply = type === "service";
  return {
    name: tg.name,
    count: tg.count ?? tg.scaling?.min ?? 1,
    tasks,
    constraints,
    affinities,
    spreads,
    drivers: [...new Set(tasks.map((t) => t.driver))],
    diskMB: tg.ephemeralDisk?.size ?? defaultEphemeralDisk.size,
    sticky: Boolean(tg.ephemeralDisk?.sticky || tg.ephemeralDisk?.migrate),
    networkMode: net?.mode ?? "host",
    // A task's deprecated network block still gets its ports, as in Nomad
    // (its first block only); they are placed with the group's.
    ports: [
      ...(net?.ports ?? []),
      ...tg.tasks.flatMap((t) => t.resources?.networks?.[0]?.ports ?? []),
    ],
    hostVolumes: (tg.volumes ?? [])
      .filter((v) => v.type === "host")
      .map((v) => ({ name: v.name, source: v.source, readOnly: v.readOnly ?? false })),
    reschedule: resolveReschedule(job, tg, type),
    update: {
      // Only service jobs have deployments; batch and system jobs update all at once.
      maxParallel:
        deploymentsApply && (job.update || tg.update)
          ? (update.maxParallel ?? defaultUpdateStrategy.maxParallel)
          : 0,
      canary: deploymentsApply ? (update.canary ?? defaultUpdateStrategy.canary) : 0,
      autoRevert: update.autoRevert ?? defaultUpdateStrategy.autoRevert,
      autoPromote: update.autoPromote ?? defaultUpdateStrategy.autoPromote,
    },
    migrateMaxParallel: migrate.maxParallel ?? defaultMigrateStrategy.maxParallel,
    systemMaxParallel:
      (type === "system" || type === "sysbatch") && (job.update || tg.update)
        ? (update.maxParallel ?? defaultUpdateStrategy.maxParallel)
        : 0,
    // The disconnect block wins over the older group fields it replaced.
    lostAfterMs: optionalMs(tg.disconnect?.lostAfter ?? tg.maxClientDisconnect),
    replaceOnLost: tg.disconnect?.replace ?? !(tg.preventRescheduleOnLost ?? false),
    reconcileOnReconnect: tg.disconnect?.reconcile ?? "best_score",
    stopAfterClientDisconnectMs: optionalMs(
      tg.disconnect?.stopOnClientAfter ?? tg.stopAfterClientDisconnect,
    ),
    cpuMHz: tasks.reduce((s, t) => s + t.cpuMHz, 0),
    memoryMB: tasks.reduce((s, t) => s + t.memoryMB, 0),
    memoryMaxMB: tasks.reduce((s, t) => s + t.memoryMaxMB, 0),
    coresTotal: tasks.reduce((s, t) => s + t.cores, 0),
    hasDevices: tasks.some((t) => t.devices.length > 0),
    hasDeviceAffinities: tasks.some((t) => t.devices.some((d) => (d.affinities ?? []).length > 0)),
    spec: tg,
  };
}

/** The job with every default the scheduler relies on filled in. */
export function resolveJob(spec: NomadJobSpec, namespace: string, id: string): ResolvedJob {
  const type = spec.type ?? defaultJob.type;
  return {
    id,
    namespace,
    type,
    priority: spec.priority ?? defaultJob.priority,
    datacenters: spec.datacenters?.length ? spec.datacenters : defaultJob.datacenters,
    nodePool: spec.nodePool ?? defaultJob.nodePool,
    constraints: spec.constraints ?? [],
    stopped: spec.stop ?? false,
    groups: spec.groups.map((g) => resolveGroup(spec, g, type)),
    spec,
  };
}
