// Nomad's defaults, applied as its api and structs Canonicalize methods do:
// job-level settings flow into each group, group restart policy into each
// task, and every block gets the values Nomad would print for it.
import type {
  NomadJobSpec,
  ReschedulePolicy,
  RestartPolicy,
  Task,
  TaskGroup,
  UpdateStrategy,
} from "../crds/job/index.js";

const defaultUpdate: Required<Omit<UpdateStrategy, never>> = {
  stagger: "30s",
  maxParallel: 1,
  healthCheck: "checks",
  minHealthyTime: "10s",
  healthyDeadline: "5m",
  progressDeadline: "10m",
  autoRevert: false,
  autoPromote: false,
  canary: 0,
};

function restartDefaults(type: string): RestartPolicy {
  return type === "batch" || type === "sysbatch"
    ? { attempts: 3, interval: "24h", delay: "15s", mode: "fail", renderTemplates: false }
    : { attempts: 2, interval: "30m", delay: "15s", mode: "fail", renderTemplates: false };
}

function rescheduleDefaults(type: string): ReschedulePolicy | undefined {
  if (type === "service")
    return {
      attempts: 0,
      interval: "0s",
      delay: "30s",
      delayFunction: "exponential",
      maxDelay: "1h",
      unlimited: true,
    };
  if (type === "batch")
    return {
      attempts: 1,
      interval: "24h",
      delay: "5s",
      delayFunction: "constant",
      maxDelay: "0s",
      unlimited: false,
    };
  return undefined;
}

/** Fields set on `over` win; unset ones come from `base`. */
function merge<T extends object>(base: T | undefined, over: T | undefined): T | undefined {
  if (!base) return over ? { ...over } : undefined;
  return { ...base, ...(over ?? {}) };
}

function canonicalizeTask(job: NomadJobSpec, group: TaskGroup, task: Task): Task {
  const t: Task = { ...task };
  const r = { ...(t.resources ?? {}) };
  // With reserved cores, Nomad derives the MHz from the cores; cpu stays unset.
  if (r.cores === undefined) r.cpu ??= 100;
  r.memory ??= 300;
  t.resources = r;
  t.killTimeout ??= "5s";
  t.logs = { maxFiles: 10, maxFileSize: 10, disabled: false, ...(t.logs ?? {}) };
  t.restart = merge(group.restart, t.restart);
  if (t.templates)
    t.templates = t.templates.map((tp) => ({
      changeMode: "restart",
      splay: "5s",
      perms: "0644",
      leftDelimiter: "{{",
      rightDelimiter: "}}",
      env: false,
      errorOnMissingKey: false,
      ...tp,
      ...(tp.changeSignal ? { changeSignal: tp.changeSignal.toUpperCase() } : {}),
      ...(tp.changeScript
        ? { changeScript: { timeout: "5s", failOnError: false, ...tp.changeScript } }
        : {}),
    }));
  if (t.artifacts)
    t.artifacts = t.artifacts.map((a) => ({ mode: "any", destination: "local/", ...a }));
  const vault = t.vault ?? group.vault ?? job.vault;
  if (vault) t.vault = { env: true, disableFile: false, changeMode: "restart", ...vault };
  if (t.scaling) t.scaling = t.scaling.map((p) => ({ enabled: true, ...p }));
  if (t.csiPlugin)
    t.csiPlugin = {
      mountDir: "/csi",
      stagePublishBaseDir: "/local/csi",
      healthTimeout: "30s",
      ...t.csiPlugin,
    };
  if (t.services)
    t.services = t.services.map((s) =>
      canonicalizeService(s, `${job.name ?? job.id}-${group.name}-${t.name}`),
    ) as Task["services"];
  return t;
}

function canonicalizeService<
  S extends {
    name?: string;
    addressMode?: string;
    provider?: string;
    onUpdate?: string;
    checks?: object[];
  },
>(s: S, defaultName: string): S {
  const out = { ...s } as S & Record<string, unknown>;
  out.name ??= defaultName;
  out.addressMode ??= "auto";
  out.provider ??= "consul";
  out.onUpdate ??= "require_healthy";
  // structs.ServiceCheck.Canonicalize: an unnamed check is named after its service.
  if (s.checks)
    out.checks = s.checks.map((c) => ({
      onUpdate: out.onUpdate,
      ...c,
      name: (c as { name?: string }).name || `service: ${JSON.stringify(out.name)} check`,
    }));
  return out;
}

/**
 * The Envoy task Nomad adds to a group for each Connect gateway service (its
 * job mutator does so on registration), so a gateway group is a whole group.
 */
function gatewayTasks(group: TaskGroup): Task[] {
  const tasks: Task[] = [];
  for (const s of group.services ?? []) {
    const gw = s.connect?.gateway;
    if (!gw || !s.name) continue;
    const kind = gw.ingress ? "ingress" : gw.terminating ? "terminating" : "mesh";
    if (group.tasks?.some((t) => t.kind === `connect-${kind}:${s.name}`)) continue;
    tasks.push({
      name: `connect-${kind}-${s.name}`,
      kind: `connect-${kind}:${s.name}`,
      driver: "docker",
      resources: { cpu: 250, memory: 128 },
      logs: { maxFiles: 2, maxFileSize: 2, disabled: false },
      shutdownDelay: "5s",
    });
  }
  return tasks;
}

/** The job with every default Nomad would fill in. Pure: the input is not changed. */
export function canonicalize(input: NomadJobSpec): NomadJobSpec {
  const job: NomadJobSpec = { ...input };
  job.name ??= job.id;
  job.type ??= "service";
  job.region ??= "global";
  job.priority ??= 50;
  job.allAtOnce ??= false;
  job.nodePool ??= "default";
  if (!job.datacenters?.length) job.datacenters = ["*"];
  const type = job.type;
  if (job.update) job.update = { ...defaultUpdate, ...job.update };
  else if (type === "service") job.update = { ...defaultUpdate };
  if (job.periodic)
    job.periodic = { enabled: true, prohibitOverlap: false, timeZone: "UTC", ...job.periodic };
  if (job.parameterized) job.parameterized = { payload: "optional", ...job.parameterized };
  job.groups = job.groups.map((g) => {
    const group: TaskGroup = { ...g };
    group.count ??= group.scaling?.min ?? 1;
    if (group.scaling) group.scaling = { enabled: true, min: group.count, ...group.scaling };
    group.ephemeralDisk = {
      size: 300,
      migrate: false,
      sticky: false,
      ...(group.ephemeralDisk ?? {}),
    };
    group.restart = merge(restartDefaults(type), group.restart);
    group.reschedule = merge(merge(rescheduleDefaults(type), job.reschedule), group.reschedule);
    if (type === "service") {
      group.migrate = {
        maxParallel: 1,
        healthCheck: "checks",
        minHealthyTime: "10s",
        healthyDeadline: "5m",
        ...(job.migrate ?? {}),
        ...(group.migrate ?? {}),
      };
    }
    // System, batch and sysbatch jobs take an update block only when written.
    const update = merge(job.update, group.update);
    if (update && (type === "service" || type === "system"))
      group.update = { ...defaultUpdate, ...update };
    if (group.disconnect)
      group.disconnect = { replace: true, reconcile: "best_score", ...group.disconnect };
    if (group.services)
      group.services = group.services.map((s) =>
        canonicalizeService(s, `${job.name}-${group.name}`),
      );
    group.tasks = [...(group.tasks ?? []), ...gatewayTasks(group)].map((t) =>
      canonicalizeTask(job, group, t),
    );
    return group;
  });
  return job;
}

/**
 * The job as Nomad's jobspec2 parser returns it, before any server default:
 * only what the file says plus the parse-time defaults of jobspec2's
 * normalizeJob (name from the ID, vault and template defaults, the job's or
 * group's vault on tasks without one). This is what `nomad job run -output`
 * prints. Pure: the input is not changed.
 */
export function normalizeParsed(input: NomadJobSpec): NomadJobSpec {
  const job: NomadJobSpec = { ...input };
  job.name ??= job.id;
  const vault = (v: Task["vault"]) =>
    v
      ? {
          ...v,
          env: v.env ?? true,
          disableFile: v.disableFile ?? false,
          changeMode: v.changeMode ?? "restart",
        }
      : undefined;
  // api.Job and api.TaskGroup have no vault field: jobspec2 hands the block down to the tasks.
  const jobVault = job.vault;
  delete job.vault;
  job.groups = job.groups.map(({ vault: groupVault, ...g }) => ({
    ...g,
    tasks: (g.tasks ?? []).map((t) => {
      const task: Task = { ...t };
      const v = vault(t.vault ?? groupVault ?? jobVault);
      if (v) task.vault = v;
      if (t.templates)
        task.templates = t.templates.map((tp) => ({
          ...tp,
          changeMode: tp.changeMode ?? "restart",
          perms: tp.perms ?? "0644",
          splay: tp.splay ?? "5s",
          errorOnMissingKey: tp.errorOnMissingKey ?? false,
          ...(tp.changeScript
            ? {
                changeScript: {
                  ...tp.changeScript,
                  args: tp.changeScript.args ?? [],
                  timeout: tp.changeScript.timeout ?? "5s",
                  failOnError: tp.changeScript.failOnError ?? false,
                },
              }
            : {}),
        }));
      return task;
    }),
  }));
  return job;
}
