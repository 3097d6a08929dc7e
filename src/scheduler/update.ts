// In-place versus destructive updates. Changing what a task runs or needs
// (driver, config, env, resources, devices, ports, volumes, artifacts,
// templates, constraints, affinities, spreads, meta…) needs a new
// allocation; changing only the count or the policies for restarts,
// reschedules, updates, migrations and service registrations does not.
import type { NomadJobSpec, TaskGroup } from "../crds/job/index.js";

// Fields that can change under a running allocation.
const IN_PLACE_GROUP_FIELDS = new Set([
  "count",
  "update",
  "migrate",
  "reschedule",
  "restart",
  "scaling",
  "services",
  "shutdownDelay",
  "stopAfterClientDisconnect",
  "maxClientDisconnect",
  "preventRescheduleOnLost",
  "disconnect",
]);
const IN_PLACE_TASK_FIELDS = new Set([
  "services",
  "restart",
  "killTimeout",
  "killSignal",
  "shutdownDelay",
  "scaling",
]);

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function connectServices(services: unknown): unknown {
  // Connect sidecars are tasks in disguise: changing them is destructive.
  if (!Array.isArray(services)) return undefined;
  return services.filter((s) => s && typeof s === "object" && "connect" in s).map(stable);
}

function destructiveView(job: NomadJobSpec, tg: TaskGroup): string {
  const group: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tg)) if (!IN_PLACE_GROUP_FIELDS.has(k)) group[k] = v;
  group.connect = connectServices(tg.services);
  group.tasks = tg.tasks.map((t) => {
    const task: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) if (!IN_PLACE_TASK_FIELDS.has(k)) task[k] = v;
    return task;
  });
  return stable({
    group,
    constraints: job.constraints,
    affinities: job.affinities,
    spreads: job.spreads,
    meta: job.meta,
    vault: job.vault,
  });
}

/** Whether moving an allocation from (oldJob, oldGroup) to (newJob, newGroup) needs a new allocation. */
export function tasksUpdated(
  oldJob: NomadJobSpec,
  oldGroup: TaskGroup,
  newJob: NomadJobSpec,
  newGroup: TaskGroup,
): boolean {
  return destructiveView(oldJob, oldGroup) !== destructiveView(newJob, newGroup);
}
