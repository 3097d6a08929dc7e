// What registering a job warns about, each warning pointing at the part of
// the (canonical) job it concerns: Nomad's own Job.Warnings (dubious settings
// and deprecations, in Nomad's words) and what Caravan does not run yet
// (Consul Connect, Vault, multiregion, Consul, CSI volumes and plugins, sticky
// volumes, max_run_duration, a system job's canaries), so nothing is silently
// ignored. Validation turns them into positioned warnings; the API answers
// them in Nomad's Warnings field; the jobs controller records them as an
// event. Pure.
import { defaultJob } from "../crds/job/defaults.js";
import type { NomadJobSpec, Task, TaskGroup } from "../crds/job/index.js";

export interface JobWarning {
  /** The object the warning is about, and its field. */
  readonly at: object;
  readonly field?: string;
  readonly message: string;
}

/** Every warning for the job: Nomad's first, then Caravan's. */
export function jobWarnings(job: NomadJobSpec): JobWarning[] {
  const seen = new Set<string>();
  return [...nomadWarnings(job), ...unsupportedFeatures(job)].filter((w) => {
    if (seen.has(w.message)) return false;
    seen.add(w.message);
    return true;
  });
}

/** Nomad's "N warnings:\n\n* …" text of the register answer's Warnings field. */
export function formatWarnings(messages: readonly string[]): string {
  if (messages.length === 0) return "";
  const head = messages.length === 1 ? "1 warning:\n" : `${messages.length} warnings:\n`;
  return head + messages.map((m) => `\n* ${m.trim()}`).join("");
}

const positive = (d: string | undefined) => d !== undefined && !/^0+(ns|us|µs|ms|s|m|h)?$/.test(d);

/** Nomad's Job.Warnings. */
function nomadWarnings(job: NomadJobSpec): JobWarning[] {
  const out: JobWarning[] = [];
  let hasAutoPromote = false;
  let allAutoPromote = true;
  for (const g of job.groups) {
    const u = g.update;
    const count = g.count ?? 1;
    const maxParallel = u?.maxParallel ?? 0;
    if (u && count > 1 && maxParallel > count)
      out.push({
        at: u,
        field: "maxParallel",
        message: `Group "${g.name}" has warnings: 1 error occurred:\n\t* Update max parallel count is greater than task group count (${maxParallel} > ${count}). A destructive change would result in the simultaneous replacement of all allocations.\n\n`,
      });
    if (u) {
      hasAutoPromote ||= u.autoPromote === true;
      allAutoPromote &&= (u.canary ?? 0) === 0 || u.autoPromote === true;
    }
  }
  for (const g of job.groups) out.push(...shutdownDelayWarnings(g));
  for (const g of job.groups)
    for (const t of g.tasks)
      for (const n of t.resources?.networks ?? [])
        out.push({
          at: n,
          message: `group "${g.name}" task "${t.name}": task network resources have been deprecated as of Nomad 0.12.0; configure networking with the group's network block (Caravan places these ports with the group's)`,
        });
  if (hasAutoPromote && !allAutoPromote)
    out.push({
      at: job,
      message: "auto_promote must be true for all groups to enable automatic promotion",
    });
  if (job.periodic?.cron)
    out.push({
      at: job.periodic,
      field: "cron",
      message: "cron is deprecated and may be removed in a future release. Use crons instead",
    });
  return out;
}

/** Nomad's service shutdown_delay warnings for one group. */
function shutdownDelayWarnings(g: TaskGroup): JobWarning[] {
  const out: JobWarning[] = [];
  const referenced = new Set<string>();
  let unscoped = false;
  for (const s of g.services ?? []) {
    if (s.task) {
      referenced.add(s.task);
      continue;
    }
    if (s.connect?.sidecarTask) {
      if (s.connect.sidecarTask.shutdownDelay === undefined)
        out.push({
          at: s.connect.sidecarTask,
          message: `service "${s.name ?? ""}" defines a sidecar task in Consul Connect definition, but the task has no shutdown_delay set`,
        });
      continue;
    }
    unscoped = true;
  }
  let anyTask = false;
  for (const t of g.tasks) {
    const delayed = positive(t.shutdownDelay);
    if (referenced.has(t.name) && !delayed)
      out.push({
        at: t,
        message: `group "${g.name}" references task "${t.name}" in a service definition, but the task has no shutdown_delay set`,
      });
    if (delayed) anyTask = true;
    else if ((t.services ?? []).length > 0)
      out.push({
        at: t,
        message: `task "${t.name}" in group "${g.name}" defines services, but has no shutdown_delay set`,
      });
  }
  if (unscoped && !positive(g.shutdownDelay) && !anyTask)
    out.push({
      at: g,
      message: `group "${g.name}" defines services, but neither the group nor any of its tasks have shutdown_delay set`,
    });
  return out;
}

const taskWhere = (g: TaskGroup, t: Task) => `task "${t.name}" in group "${g.name}"`;

/** What Caravan accepts but does not run yet. */
export function unsupportedFeatures(job: NomadJobSpec): JobWarning[] {
  const out: JobWarning[] = [];
  const type = job.type ?? defaultJob.type;
  if (job.multiregion)
    out.push({
      at: job.multiregion,
      message:
        "multiregion is a Nomad Enterprise feature (Nomad CE refuses the job as unlicensed); Caravan keeps the block but does not deploy to other regions yet: the job runs in its own region with the groups' counts",
    });
  if (job.vault)
    out.push({
      at: job.vault,
      message: `job "${job.id}": vault is not supported by Caravan yet; its tasks get no Vault token`,
    });
  for (const g of job.groups) {
    for (const s of g.services ?? []) {
      const c = s.connect;
      if (!c) continue;
      const kind = c.native
        ? "native"
        : c.gateway
          ? `${c.gateway.ingress ? "ingress" : c.gateway.terminating ? "terminating" : "mesh"} gateway`
          : "sidecar_service";
      out.push({
        at: c,
        message: `group "${g.name}": service "${s.name ?? ""}" uses Consul Connect (${kind}), which Caravan does not support yet; there is no service mesh for it to join`,
      });
    }
    const services = [
      ...(g.services ?? []).map((s) => ({ s, where: `group "${g.name}"` })),
      ...g.tasks.flatMap((t) => (t.services ?? []).map((s) => ({ s, where: taskWhere(g, t) }))),
    ];
    for (const { s, where } of services)
      if ((s.provider ?? "consul") === "consul" && !("connect" in s && s.connect))
        out.push({
          at: s,
          field: "provider",
          message: `${where}: service "${s.name ?? ""}" uses provider "consul" and Caravan has no Consul: it is registered in Nomad's native service catalog instead (nomad service info, nomadService), and its checks do not run`,
        });
    if (g.consul)
      out.push({
        at: g.consul,
        message: `group "${g.name}": consul is not supported by Caravan yet; the block is ignored`,
      });
    if (g.vault)
      out.push({
        at: g.vault,
        message: `group "${g.name}": vault is not supported by Caravan yet; its tasks get no Vault token`,
      });
    for (const v of g.volumes ?? []) {
      if (v.type === "csi")
        out.push({
          at: v,
          field: "type",
          message: `group "${g.name}": volume "${v.name}" is a CSI volume, which Caravan does not support yet; it is not mounted`,
        });
      if (v.sticky)
        out.push({
          at: v,
          field: "sticky",
          message: `group "${g.name}": volume "${v.name}" is sticky, which Caravan's scheduler does not enforce yet; a replacement may claim another volume`,
        });
    }
    if (g.maxRunDuration !== undefined)
      out.push({
        at: g,
        field: "maxRunDuration",
        message: `group "${g.name}": max_run_duration is not enforced by Caravan's node agent yet; the allocation runs until its tasks end`,
      });
    // Nomad 2.x places a system job's canaries on that percentage of its nodes;
    // Caravan's system scheduler updates without canaries.
    if ((type === "system" || type === "sysbatch") && g.update?.canary)
      out.push({
        at: g.update,
        field: "canary",
        message: `group "${g.name}": canary on a ${type} job is not supported by Caravan's scheduler yet; the job updates without canaries`,
      });
    for (const t of g.tasks) {
      if (t.vault)
        out.push({
          at: t.vault,
          message: `${taskWhere(g, t)}: vault is not supported by Caravan yet; the task gets no Vault token and its templates cannot read Vault`,
        });
      if (t.consul)
        out.push({
          at: t.consul,
          message: `${taskWhere(g, t)}: consul is not supported by Caravan yet; the block is ignored`,
        });
      if (t.csiPlugin)
        out.push({
          at: t.csiPlugin,
          message: `${taskWhere(g, t)}: csi_plugin is not supported by Caravan yet; the task runs but is not registered as a CSI plugin`,
        });
    }
    for (const n of g.networks ?? []) {
      if (n.dns)
        out.push({
          at: n,
          field: "dns",
          message: `group "${g.name}": network.dns is not supported by Caravan yet; tasks use the host's resolv.conf`,
        });
      if (n.hostname)
        out.push({
          at: n,
          field: "hostname",
          message: `group "${g.name}": network.hostname is not supported by Caravan yet; exec tasks see their allocation ID as hostname`,
        });
    }
  }
  return out;
}
