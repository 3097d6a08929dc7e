// Nomad's defaults, applied as its api and structs Canonicalize methods do:
// job-level settings flow into each group, group restart policy into each
// task, and every block gets the values Nomad would print for it.
import {
  defaultChangeScript,
  defaultEphemeralDisk,
  defaultJob,
  defaultKillTimeout,
  defaultLogConfig,
  defaultMigrateStrategy,
  defaultReschedulePolicy,
  defaultResources,
  defaultRestartPolicy,
  defaultTemplate,
  defaultUpdateStrategy,
  defaultVault,
} from "../crds/job/defaults.js";
import type { NomadJobSpec, Task, TaskGroup } from "../crds/job/index.js";

/** Fields set on `over` win; unset ones come from `base`. */
function merge<T extends object>(base: T | undefined, over: T | undefined): T | undefined {
  if (!base) return over ? { ...over } : undefined;
  return { ...base, ...(over ?? {}) };
}

function canonicalizeTask(job: NomadJobSpec, group: TaskGroup, task: Task): Task {
  const t: Task = { ...task };
  const r = { ...(t.resources ?? {}) };
  // A task's disk is deprecated and ignored, as Nomad's server drops it.
  delete r.disk;
  // With reserved cores, Nomad derives the MHz from the cores; cpu stays unset.
  if (r.cores === undefined) r.cpu ??= defaultResources.cpu;
  r.memory ??= defaultResources.memory;
  t.resources = r;
  t.killTimeout ??= defaultKillTimeout;
  t.logs = { ...defaultLogConfig, ...(t.logs ?? {}) };
  t.restart = merge(group.restart, t.restart);
  if (t.templates)
    t.templates = t.templates.map((tp) => ({
      ...defaultTemplate,
      ...tp,
      ...(tp.changeSignal ? { changeSignal: tp.changeSignal.toUpperCase() } : {}),
      ...(tp.changeScript ? { changeScript: { ...defaultChangeScript, ...tp.changeScript } } : {}),
    }));
  if (t.artifacts)
    t.artifacts = t.artifacts.map((a) => ({ mode: "any", destination: "local/", ...a }));
  const vault = t.vault ?? group.vault ?? job.vault;
  if (vault) t.vault = { ...defaultVault, ...vault };
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
    // Nomad's connectGatewayDriverConfig: the image and Envoy's arguments come
    // from the node's meta, so the config is complete before placement.
    const hostNetwork = group.networks?.[0]?.mode === "host";
    tasks.push({
      name: `connect-${kind}-${s.name}`,
      kind: `connect-${kind}:${s.name}`,
      driver: "docker",
      config: {
        image: "${meta.connect.gateway_image}",
        args: [
          "-c",
          "${NOMAD_SECRETS_DIR}/envoy_bootstrap.json",
          "-l",
          "${meta.connect.log_level}",
          "--concurrency",
          "${meta.connect.proxy_concurrency}",
          "--disable-hot-restart",
        ],
        ...(hostNetwork ? { network_mode: "host" } : {}),
      },
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
  job.type ??= defaultJob.type;
  job.region ??= defaultJob.region;
  job.priority ??= defaultJob.priority;
  job.allAtOnce ??= false;
  job.nodePool ??= defaultJob.nodePool;
  if (!job.datacenters?.length) job.datacenters = [...defaultJob.datacenters];
  const type = job.type;
  if (job.update) job.update = { ...defaultUpdateStrategy, ...job.update };
  else if (type === "service") job.update = { ...defaultUpdateStrategy };
  if (job.periodic)
    job.periodic = { enabled: true, prohibitOverlap: false, timeZone: "UTC", ...job.periodic };
  if (job.parameterized) job.parameterized = { payload: "optional", ...job.parameterized };
  job.groups = (job.groups ?? []).map((g) => {
    const group: TaskGroup = { ...g };
    group.count ??= group.scaling?.min ?? 1;
    if (group.scaling) group.scaling = { enabled: true, min: group.count, ...group.scaling };
    group.ephemeralDisk = { ...defaultEphemeralDisk, ...(group.ephemeralDisk ?? {}) };
    group.restart = merge(defaultRestartPolicy(type), group.restart);
    group.reschedule = merge(
      merge(defaultReschedulePolicy(type), job.reschedule),
      group.reschedule,
    );
    if (type === "service") {
      group.migrate = {
        ...defaultMigrateStrategy,
        ...(job.migrate ?? {}),
        ...(group.migrate ?? {}),
      };
    }
    // System, batch and sysbatch jobs take an update block only when written.
    const update = merge(job.update, group.update);
    if (update && (type === "service" || type === "system"))
      group.update = { ...defaultUpdateStrategy, ...update };
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
          env: v.env ?? defaultVault.env,
          disableFile: v.disableFile ?? defaultVault.disableFile,
          changeMode: v.changeMode ?? defaultVault.changeMode,
        }
      : undefined;
  // api.Job and api.TaskGroup have no vault field: jobspec2 hands the block down to the tasks.
  const jobVault = job.vault;
  delete job.vault;
  job.groups = (job.groups ?? []).map(({ vault: groupVault, ...g }) => ({
    ...g,
    tasks: (g.tasks ?? []).map((t) => {
      const task: Task = { ...t };
      const v = vault(t.vault ?? groupVault ?? jobVault);
      if (v) task.vault = v;
      if (t.templates)
        task.templates = t.templates.map((tp) => ({
          ...tp,
          changeMode: tp.changeMode ?? defaultTemplate.changeMode,
          perms: tp.perms ?? defaultTemplate.perms,
          splay: tp.splay ?? defaultTemplate.splay,
          errorOnMissingKey: tp.errorOnMissingKey ?? defaultTemplate.errorOnMissingKey,
          ...(tp.changeScript
            ? {
                changeScript: {
                  ...tp.changeScript,
                  args: tp.changeScript.args ?? [],
                  timeout: tp.changeScript.timeout ?? defaultChangeScript.timeout,
                  failOnError: tp.changeScript.failOnError ?? defaultChangeScript.failOnError,
                },
              }
            : {}),
        }));
      return task;
    }),
  }));
  return job;
}
