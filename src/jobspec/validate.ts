// Nomad's job validation rules (structs.Job.Validate and friends) over the
// canonical job, including the cross-references Nomad checks: service and
// check ports against the group's network, volume mounts against the group's
// volumes, counts against scaling. Positions come from the
// decoded (pre-default) job, which has the same shape.
import path from "node:path";
import { goDurationMs } from "../common/duration.js";
import { defaultEphemeralDisk, defaultJob, defaultLogConfig } from "../crds/job/defaults.js";
import type {
  Affinity,
  Constraint,
  GroupService,
  NomadJobSpec,
  ReschedulePolicy,
  RestartPolicy,
  ServiceCheck,
  Spread,
  Task,
  TaskGroup,
  TaskService,
  UpdateStrategy,
  WorkloadIdentity,
} from "../crds/job/index.js";
import { cronError } from "./cron.js";
import { type DecodeContext, originOf } from "./decode/body.js";
import type { Pos } from "./hcl/ast.js";
import { jobWarnings } from "./warnings.js";

type Report = (obj: object | undefined, field: string | undefined, message: string) => void;

const ms = (d: string | undefined) => (d === undefined ? 0 : (goDurationMs(d) ?? 0));
const jobTypes = ["service", "batch", "system", "sysbatch"];
const constraintOps = new Set([
  "=",
  "==",
  "is",
  "!=",
  "not",
  "<",
  "<=",
  ">",
  ">=",
  "distinct_hosts",
  "distinct_property",
  "regexp",
  "version",
  "semver",
  "set_contains",
  "set_contains_all",
  "set_contains_any",
  "is_set",
  "is_not_set",
]);
// Nomad's affinities compare values only: no presence tests, no distinct_* rules.
const constraintOnly = new Set(["distinct_hosts", "distinct_property", "is_set", "is_not_set"]);
const affinityOps = new Set([...constraintOps].filter((op) => !constraintOnly.has(op)));
const serviceNameRe = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])$/;
const interpolated = (s: string) => s.includes("${");

/** Nomad's validateConstraintAttribute: what a constraint's attribute may interpolate. */
function constraintAttributeError(target: string): string | undefined {
  if (!target.startsWith("$")) return undefined;
  if (!target.startsWith("${")) return `attribute "${target}" is missing an opening brace`;
  if (!target.endsWith("}")) return `attribute "${target}" is missing a closing brace`;
  const exact = [
    "${node.unique.id}",
    "${node.datacenter}",
    "${node.unique.name}",
    "${node.class}",
    "${node.pool}",
  ];
  if (
    exact.includes(target) ||
    ["${attr.", "${device.", "${meta."].some((p) => target.startsWith(p))
  )
    return undefined;
  return `unsupported attribute "${target}"; a constraint reads \${attr.…}, \${meta.…}, \${device.…} or one of ${exact.join(", ")}`;
}

function checkConstraint(c: Constraint, report: Report): void {
  const op = c.operator ?? "=";
  if (!constraintOps.has(op)) {
    report(
      c,
      "operator",
      `unknown constraint operator "${op}"; use one of ${[...constraintOps].join(", ")}`,
    );
    return;
  }
  if (op === "distinct_hosts") return;
  if (!c.attribute && op !== "distinct_property")
    report(c, undefined, "a constraint needs an attribute");
  const attributeError = c.attribute ? constraintAttributeError(c.attribute) : undefined;
  if (attributeError) report(c, "attribute", attributeError);
  if (op === "distinct_property") {
    if (!c.attribute)
      report(
        c,
        undefined,
        'distinct_property needs the property, e.g. distinct_property = "$' + '{meta.rack}"',
      );
    if (c.value && !/^[0-9]+$/.test(c.value))
      report(c, "value", `distinct_property's value must be a count, not "${c.value}"`);
    return;
  }
  if (op === "is_set" || op === "is_not_set") return;
  if (c.value === undefined || c.value === "")
    report(c, undefined, `a constraint with operator "${op}" needs a value`);
  if (op === "regexp" && c.value) {
    try {
      new RegExp(c.value);
    } catch {
      report(c, "value", `invalid regular expression "${c.value}"`);
    }
  }
  if (
    (op === "version" || op === "semver") &&
    c.value &&
    !/^\s*(([<>=!~]{0,2}\s*v?[0-9][0-9a-zA-Z.+-]*)\s*,?\s*)+$/.test(c.value)
  )
    report(c, "value", `invalid version constraint "${c.value}", e.g. ">= 1.2, < 2.0"`);
}

function checkAffinity(a: Affinity, report: Report): void {
  const op = a.operator ?? "=";
  if (!affinityOps.has(op)) report(a, "operator", `unknown affinity operator "${op}"`);
  if (!a.attribute) report(a, undefined, "an affinity needs an attribute");
  if (a.weight === undefined || a.weight === 0 || a.weight < -100 || a.weight > 100)
    report(a, "weight", "an affinity's weight must be between -100 and 100 and not 0");
}

function checkSpread(s: Spread, report: Report): void {
  if (!s.attribute) report(s, undefined, "a spread needs an attribute");
  if (s.weight !== undefined && (s.weight <= 0 || s.weight > 100))
    report(s, "weight", "a spread's weight must be between 1 and 100");
  let sum = 0;
  const seen = new Set<string>();
  for (const t of s.targets ?? []) {
    if (seen.has(t.value)) report(t, undefined, `spread target "${t.value}" is listed twice`);
    seen.add(t.value);
    if (t.percent !== undefined && (t.percent < 0 || t.percent > 100))
      report(t, "percent", "a spread target's percent must be between 0 and 100");
    sum += t.percent ?? 0;
  }
  if (sum > 100)
    report(s, undefined, `the spread targets' percentages add up to ${sum}, more than 100`);
}

function checkUpdate(u: UpdateStrategy | undefined, report: Report, src: object | undefined): void {
  if (!u) return;
  if (u.maxParallel !== undefined && u.maxParallel < 0)
    report(src, "maxParallel", "update max_parallel cannot be negative");
  if (u.canary !== undefined && u.canary < 0)
    report(src, "canary", "update canary cannot be negative");
  if (u.healthCheck && !["checks", "task_states", "manual"].includes(u.healthCheck))
    report(
      src,
      "healthCheck",
      `update health_check must be "checks", "task_states" or "manual", not "${u.healthCheck}"`,
    );
  if (u.autoPromote && !u.canary)
    report(src, "autoPromote", "auto_promote needs canary greater than 0");
  if (ms(u.minHealthyTime) >= ms(u.healthyDeadline) && u.healthyDeadline)
    report(
      src,
      "minHealthyTime",
      `min_healthy_time (${u.minHealthyTime}) must be less than healthy_deadline (${u.healthyDeadline})`,
    );
  if (
    u.progressDeadline &&
    ms(u.progressDeadline) !== 0 &&
    ms(u.healthyDeadline) >= ms(u.progressDeadline)
  )
    report(
      src,
      "progressDeadline",
      `healthy_deadline (${u.healthyDeadline}) must be less than progress_deadline (${u.progressDeadline})`,
    );
  if (u.stagger !== undefined && ms(u.stagger) <= 0)
    report(src, "stagger", "update stagger must be greater than 0");
}

function checkRestart(r: RestartPolicy | undefined, report: Report, src: object | undefined): void {
  if (!r) return;
  if (r.mode && !["delay", "fail"].includes(r.mode))
    report(src, "mode", `restart mode must be "delay" or "fail", not "${r.mode}"`);
  if (r.attempts !== undefined && r.attempts < 0)
    report(src, "attempts", "restart attempts cannot be negative");
  const interval = ms(r.interval);
  if (r.attempts && interval > 0 && interval < r.attempts * ms(r.delay))
    report(
      src,
      "interval",
      `restart cannot make ${r.attempts} attempts in an interval of ${r.interval} with a delay of ${r.delay}; raise interval or lower attempts or delay`,
    );
}

function checkReschedule(
  r: ReschedulePolicy | undefined,
  report: Report,
  src: object | undefined,
): void {
  if (!r) return;
  if (r.delayFunction && !["constant", "exponential", "fibonacci"].includes(r.delayFunction))
    report(
      src,
      "delayFunction",
      `delay_function must be "constant", "exponential" or "fibonacci", not "${r.delayFunction}"`,
    );
  if (r.unlimited && ms(r.delay) <= 0)
    report(src, "delay", "an unlimited reschedule policy needs a delay greater than 0");
  if (
    r.delayFunction &&
    r.delayFunction !== "constant" &&
    r.maxDelay !== undefined &&
    ms(r.maxDelay) < ms(r.delay)
  )
    report(src, "maxDelay", `max_delay (${r.maxDelay}) must be at least delay (${r.delay})`);
  if (!r.unlimited && (r.attempts ?? 0) > 0 && ms(r.interval) <= 0)
    report(src, "interval", "a reschedule policy with attempts needs an interval");
}

function checkCheck(
  c: ServiceCheck,
  ports: Set<string>,
  servicePort: string | undefined,
  report: Report,
  where: string,
): void {
  if (!["http", "tcp", "grpc", "script"].includes(c.type)) {
    report(
      c,
      "type",
      `${where}: check type must be "http", "tcp", "grpc" or "script", not "${c.type ?? ""}"`,
    );
    return;
  }
  if (!c.interval || ms(c.interval) <= 0)
    report(
      c,
      undefined,
      `${where}: ${c.type === "http" ? "an" : "a"} ${c.type} check needs an interval greater than 0`,
    );
  else if (ms(c.interval) < 1000)
    report(c, "interval", `${where}: a check's interval must be at least 1s`);
  if (!c.timeout || ms(c.timeout) <= 0)
    report(
      c,
      undefined,
      `${where}: ${c.type === "http" ? "an" : "a"} ${c.type} check needs a timeout greater than 0`,
    );
  else if (ms(c.timeout) < 1000)
    report(c, "timeout", `${where}: a check's timeout must be at least 1s`);
  if (c.type === "http" && !c.path) report(c, undefined, `${where}: an http check needs a path`);
  if (c.type === "script" && !c.command)
    report(c, undefined, `${where}: a script check needs a command`);
  if (c.port && !/^[0-9]+$/.test(c.port) && !interpolated(c.port) && !ports.has(c.port))
    report(
      c,
      "port",
      `${where}: check port "${c.port}" is not a port of the group's network; define port "${c.port}" in the group's network block`,
    );
  if (
    (c.type === "http" || c.type === "tcp" || c.type === "grpc") &&
    !c.port &&
    !servicePort &&
    !c.expose
  )
    report(
      c,
      undefined,
      `${where}: ${c.type === "http" ? "an" : "a"} ${c.type} check needs a port: set port on the check or on its service`,
    );
}

/** Rules every service list follows, in a group or a task. */
function checkServices(
  services: readonly (GroupService | TaskService)[],
  where: string,
  level: "group" | "task",
  report: Report,
): void {
  const seen = new Set<string>();
  for (const s of services) {
    const sw = `${where} service "${s.name}"`;
    const key = `${s.name}\u0000${s.port ?? ""}`;
    if (seen.has(key))
      report(
        s,
        undefined,
        `${sw} is defined twice with the same port; give one another name or port`,
      );
    seen.add(key);
    const badMode = level === "group" ? "driver" : "alloc";
    if (s.addressMode === badMode)
      report(
        s,
        "addressMode",
        `${sw}: address_mode "${badMode}" is not allowed on a ${level} service`,
      );
    if (s.provider === "nomad") {
      if ((s as GroupService).connect)
        report(
          s,
          "connect",
          `${sw}: Connect needs provider "consul"; Nomad's own service discovery has no mesh`,
        );
      for (const c of s.checks ?? [])
        if (c.type !== "http" && c.type !== "tcp")
          report(
            c,
            "type",
            `${sw}: services with provider "nomad" support http and tcp checks, not ${c.type}`,
          );
    }
    const checkNames = new Set<string>();
    for (const c of s.checks ?? []) {
      if (!c.name) continue;
      if (checkNames.has(c.name))
        report(
          c,
          "name",
          c.name === `service: ${JSON.stringify(s.name)} check`
            ? `${sw}: more than one check without a name (Nomad names each ${JSON.stringify(c.name)}); give the checks names`
            : `${sw}: check "${c.name}" is defined twice`,
        );
      checkNames.add(c.name);
    }
  }
}

/**
 * Whether a path taken from the task's directory leaves the allocation's
 * directory, as Nomad's PathEscapesAllocViaRelative decides: "../alloc/x"
 * stays inside (the shared alloc/ folder), "../../x" does not, and an
 * absolute path is read below the task's directory.
 */
function escapesAllocDir(destination: string): boolean {
  const alloc = "/alloc-dir/alloc-id";
  const full = path.posix.join(alloc, "task", destination);
  return full !== alloc && !full.startsWith(`${alloc}/`);
}

const checksumBytes: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

/** Nomad's TaskArtifact.validateChecksum ("type:hex", of the type's length); ${…} is left to the node. */
function checksumError(checksum: string): string | undefined {
  if (interpolated(checksum)) return undefined;
  const check = checksum.trim();
  if (!check) return "checksum cannot be empty";
  const parts = check.split(":");
  if (parts.length !== 2) return `checksum must be given as "type:value", not "${check}"`;
  const [type, value] = parts as [string, string];
  if (!/^([0-9a-fA-F]{2})*$/.test(value)) return `checksum "${value}" is not hexadecimal`;
  const want = checksumBytes[type];
  if (want === undefined)
    return `checksum type "${type}" is not supported; use md5, sha1, sha256 or sha512`;
  if (value.length !== want * 2)
    return `${type} checksum "${value}" must be ${want * 2} hexadecimal digits`;
  return undefined;
}

function checkTask(task: Task, group: TaskGroup, ports: Set<string>, report: Report): void {
  const where = `task "${task.name}"`;
  if (!task.driver) report(task, undefined, `${where} needs a driver, e.g. driver = "docker"`);
  if (task.name.includes("/")) report(task, "name", `${where}: task names cannot contain "/"`);
  const r = task.resources;
  if (r) {
    if (r.cpu !== undefined && r.cores === undefined && r.cpu < 1)
      report(r, "cpu", `${where}: cpu must be at least 1 MHz`);
    if (r.cpu && r.cores) report(r, "cores", `${where}: set cpu or cores, not both`);
    if (r.memory !== undefined && r.memory < 10)
      report(r, "memory", `${where}: memory must be at least 10 MB`);
    // -1 is Nomad's "no limit" (MemoryNoLimit).
    if (
      r.memoryMax !== undefined &&
      r.memoryMax !== -1 &&
      r.memory !== undefined &&
      r.memoryMax < r.memory
    )
      report(
        r,
        "memoryMax",
        `${where}: memory_max (${r.memoryMax}) must be at least memory (${r.memory})`,
      );
  }
  for (const c of task.constraints ?? []) checkConstraint(c, report);
  for (const a of task.affinities ?? []) checkAffinity(a, report);
  checkRestart(task.restart, report, task.restart);
  if (task.lifecycle && !["prestart", "poststart", "poststop"].includes(task.lifecycle.hook))
    report(
      task.lifecycle,
      "hook",
      `${where}: lifecycle hook must be "prestart", "poststart" or "poststop", not "${task.lifecycle.hook}"`,
    );
  const destinations = new Set<string>();
  for (const t of task.templates ?? []) {
    if (t.destination && destinations.has(t.destination))
      report(t, "destination", `${where}: two templates render to "${t.destination}"`);
    destinations.add(t.destination);
    if (!t.destination) report(t, undefined, `${where}: a template needs a destination`);
    if (!t.source && t.data === undefined)
      report(t, undefined, `${where}: a template needs source or data`);
    if (t.changeMode && !["noop", "restart", "signal", "script"].includes(t.changeMode))
      report(
        t,
        "changeMode",
        `${where}: template change_mode must be "noop", "restart", "signal" or "script", not "${t.changeMode}"`,
      );
    if (t.changeMode === "signal" && !t.changeSignal)
      report(t, "changeMode", `${where}: change_mode "signal" needs change_signal`);
    if (t.changeMode === "script" && !t.changeScript)
      report(t, "changeMode", `${where}: change_mode "script" needs a change_script block`);
    if (t.perms && !/^[0-7]{3,4}$/.test(t.perms))
      report(t, "perms", `${where}: template perms must be octal, e.g. "0644", not "${t.perms}"`);
  }
  for (const a of task.artifacts ?? []) {
    if (!a.source) report(a, undefined, `${where}: an artifact needs a source`);
    if (a.mode && !["any", "file", "dir"].includes(a.mode))
      report(a, "mode", `${where}: artifact mode must be "any", "file" or "dir"`);
    if (a.destination && escapesAllocDir(a.destination))
      report(
        a,
        "destination",
        `${where}: artifact destination "${a.destination}" escapes the allocation directory`,
      );
    const checksum = a.options?.checksum;
    const why = checksum === undefined ? undefined : checksumError(checksum);
    if (why) report(a, "options", `${where}: artifact ${why}`);
  }
  const volumes = new Set((group.volumes ?? []).map((v) => v.name));
  for (const m of task.volumeMounts ?? []) {
    if (!volumes.has(m.volume))
      report(
        m,
        "volume",
        `${where}: volume_mount refers to volume "${m.volume}", which the group does not define; add volume "${m.volume}" { … } to the group`,
      );
    if (!m.destination) report(m, undefined, `${where}: a volume_mount needs a destination`);
  }
  for (const s of task.services ?? []) {
    const sw = `${where} service "${s.name}"`;
    if ((s as { connect?: unknown }).connect)
      report(s, undefined, `${sw}: Connect services must be in the group, not the task`);
    if (s.port && !/^[0-9]+$/.test(s.port) && !interpolated(s.port) && !ports.has(s.port))
      report(
        s,
        "port",
        `${sw}: port "${s.port}" is not a port of the group's network; define port "${s.port}" in the group's network block`,
      );
    // A task service's numeric port is the driver's (address_mode = "driver") in Nomad.
    const numeric = (p: string | undefined) => p !== undefined && /^[0-9]+$/.test(p);
    if (numeric(s.port) && s.addressMode !== "driver")
      report(
        s,
        "port",
        `${sw}: port "${s.port}" is not a port of the group's network; a numeric port needs address_mode = "driver"`,
      );
    for (const c of s.checks ?? []) {
      checkCheck(c, ports, s.port, report, sw);
      const port = c.port ?? s.port;
      if (c.type !== "script" && numeric(port) && c.addressMode !== "driver")
        report(
          c,
          c.port ? "port" : undefined,
          `${sw}: a check cannot use the numeric port ${port} without address_mode = "driver"`,
        );
    }
  }
  checkServices(task.services ?? [], where, "task", report);
  const identities = new Set<string>();
  if (task.identity) checkIdentity(task.identity, undefined, where, report);
  for (const i of task.identities ?? []) {
    if (identities.has(i.name))
      report(i, undefined, `${where}: identity "${i.name}" is defined twice`);
    identities.add(i.name);
    checkIdentity(i, i.name, where, report);
  }
}

/** Nomad's WorkloadIdentity.Validate. */
function checkIdentity(
  i: WorkloadIdentity,
  name: string | undefined,
  where: string,
  report: Report,
): void {
  const what = `${where}: identity${name ? ` "${name}"` : ""}`;
  if (name !== undefined && !/^[a-zA-Z0-9_-]{1,128}$/.test(name))
    report(i, "name", `${what}: a name may hold letters, digits, "-" and "_" (1 to 128)`);
  if ((i.aud ?? []).some((a) => a === "")) report(i, "aud", `${what}: an audience cannot be empty`);
  if (i.changeMode === "signal" && !i.changeSignal)
    report(i, "changeMode", `${what}: change_mode "signal" needs change_signal`);
  if (i.changeMode !== "signal" && i.changeSignal)
    report(i, "changeSignal", `${what}: change_signal is only for change_mode = "signal"`);
  if (i.filepath && !i.file) report(i, "filepath", `${what}: filepath needs file = true`);
}

/**
 * Nomad Enterprise's Multiregion.Validate (Nomad CE refuses every multiregion
 * job as unlicensed): a region is listed once, batch jobs take no rollout
 * strategy, system jobs no on_failure; plus what the NomadJob CRD requires
 * (at least one region, counts and max_parallel not negative, a region's
 * datacenters list not empty when given).
 */
function checkMultiregion(job: NomadJobSpec, report: Report): void {
  const m = job.multiregion;
  if (!m) return;
  const type = job.type ?? defaultJob.type;
  if (!m.regions?.length)
    report(m, undefined, 'a multiregion block needs at least one region "<name>" { … } block');
  const seen = new Set<string>();
  for (const r of m.regions ?? []) {
    if (seen.has(r.name))
      report(r, undefined, `multiregion region "${r.name}" can't be listed twice`);
    seen.add(r.name);
    if (r.datacenters && !r.datacenters.length)
      report(
        r,
        "datacenters",
        `multiregion region "${r.name}" must have at least 1 datacenter; leave datacenters out to use the job's`,
      );
    for (const [i, dc] of (r.datacenters ?? []).entries())
      if (!dc)
        report(r, "datacenters", `multiregion region "${r.name}": datacenters[${i}] is empty`);
    if (r.count !== undefined && r.count < 0)
      report(
        r,
        "count",
        `multiregion region "${r.name}" count must not be negative, not ${r.count}`,
      );
  }
  const st = m.strategy;
  if (!st) return;
  if (st.maxParallel !== undefined && st.maxParallel < 0)
    report(
      st,
      "maxParallel",
      `multiregion max_parallel must not be negative, not ${st.maxParallel}`,
    );
  if (type === "batch" && (st.onFailure || st.maxParallel))
    report(st, undefined, "multiregion batch jobs can't have an update strategy");
  if (type === "system" && st.onFailure)
    report(st, "onFailure", "multiregion system jobs can't have an on_failure setting");
}

function checkGroup(job: NomadJobSpec, g: TaskGroup, report: Report): void {
  const where = `group "${g.name}"`;
  const type = job.type ?? defaultJob.type;
  const count = g.count ?? 1;
  if (count < 0) report(g, "count", `${where}: count cannot be negative`);
  if ((type === "system" || type === "sysbatch") && count > 1)
    report(
      g,
      "count",
      `${where} has count ${count}; a ${type} job runs one per node, so count must be 0 or 1`,
    );
  if (!g.tasks.length) report(g, undefined, `${where} needs at least one task`);
  const taskNames = new Set<string>();
  for (const t of g.tasks) {
    if (taskNames.has(t.name)) report(t, undefined, `${where}: task "${t.name}" is defined twice`);
    taskNames.add(t.name);
  }
  const leaders = g.tasks.filter((t) => t.leader);
  if (leaders.length > 1) report(leaders[1], "leader", `${where}: only one task may be the leader`);
  if ((g.networks?.length ?? 0) > 1)
    report(g.networks?.[1], undefined, `${where}: only one network block is allowed`);
  const ports = new Set<string>();
  const statics = new Map<number, string>();
  // Nomad still honours the deprecated task-level networks: their port labels
  // and static ports share the group's namespace.
  const taskNetworks = g.tasks.flatMap((t) => t.resources?.networks ?? []);
  for (const n of [...(g.networks ?? []), ...taskNetworks]) {
    if (n.mode && !/^(host|bridge|none|cni\/.+)$/.test(n.mode))
      report(
        n,
        "mode",
        `${where}: network mode must be "host", "bridge", "none" or "cni/<name>", not "${n.mode}"`,
      );
    for (const p of n.ports ?? []) {
      if (ports.has(p.label)) report(p, undefined, `${where}: port "${p.label}" is defined twice`);
      ports.add(p.label);
      for (const [f, v] of [
        ["static", p.static],
        ["to", p.to],
      ] as const)
        if (v !== undefined && (v < (f === "to" ? -1 : 0) || v > 65535))
          report(p, f, `${where}: port "${p.label}" ${f} must be between 0 and 65535`);
      if (p.static) {
        const other = statics.get(p.static);
        if (other)
          report(
            p,
            "static",
            `${where}: ports "${other}" and "${p.label}" both use static port ${p.static}`,
          );
        statics.set(p.static, p.label);
      }
    }
  }
  checkServices(g.services ?? [], where, "group", report);
  for (const s of g.services ?? []) {
    const sw = `${where} service "${s.name}"`;
    if (s.name && !interpolated(s.name) && !serviceNameRe.test(s.name))
      report(
        s,
        "name",
        `${sw}: a service name may hold letters, digits and dashes, at most 63, not starting or ending with a dash`,
      );
    if (s.port && !/^[0-9]+$/.test(s.port) && !interpolated(s.port) && !ports.has(s.port))
      report(
        s,
        "port",
        `${sw}: port "${s.port}" is not a port of the group's network; define port "${s.port}" in the group's network block`,
      );
    if (s.task && !taskNames.has(s.task))
      report(s, "task", `${sw}: task "${s.task}" is not a task of the group`);
    if (
      s.connect &&
      !g.networks?.some((n) => n.mode === "bridge" || n.mode?.startsWith("cni/")) &&
      !s.connect.native
    )
      report(
        s,
        "connect",
        `${sw}: Connect needs the group's network in bridge mode: network { mode = "bridge" }`,
      );
    for (const c of s.checks ?? []) checkCheck(c, ports, s.port, report, sw);
  }
  const volumeNames = new Set<string>();
  for (const v of g.volumes ?? []) {
    if (volumeNames.has(v.name))
      report(v, undefined, `${where}: volume "${v.name}" is defined twice`);
    volumeNames.add(v.name);
    if (v.type !== "host" && v.type !== "csi")
      report(v, "type", `${where}: volume "${v.name}" type must be "host" or "csi"`);
    if (!v.source) report(v, undefined, `${where}: volume "${v.name}" needs a source`);
    if (v.type === "csi" && (!v.accessMode || !v.attachmentMode))
      report(
        v,
        undefined,
        `${where}: CSI volume "${v.name}" needs access_mode and attachment_mode`,
      );
    if (v.type === "host" && v.perAlloc)
      report(v, "perAlloc", `${where}: per_alloc is for CSI volumes`);
    if (v.perAlloc && v.sticky)
      report(v, "sticky", `${where}: volume "${v.name}" cannot be per_alloc and sticky at once`);
  }
  if (g.scaling) {
    const min = g.scaling.min ?? 0;
    if (g.scaling.max < min)
      report(
        g.scaling,
        "max",
        `${where}: scaling max (${g.scaling.max}) is less than min (${min})`,
      );
    if (count < min)
      report(g, "count", `${where}: count (${count}) is less than scaling min (${min})`);
    if (count > g.scaling.max)
      report(g, "count", `${where}: count (${count}) is more than scaling max (${g.scaling.max})`);
  }
  if ((type === "system" || type === "sysbatch") && (g.affinities?.length || g.spreads?.length))
    report(g, undefined, `${where}: ${type} jobs cannot have affinities or spreads`);
  if ((type === "system" || type === "sysbatch") && g.reschedule)
    report(g, "reschedule", `${where}: ${type} jobs cannot have a reschedule policy`);
  if (g.maxRunDuration !== undefined) {
    if (ms(g.maxRunDuration) <= 0)
      report(g, "maxRunDuration", `${where}: max_run_duration must be greater than zero`);
    if (type !== "batch" && type !== "sysbatch")
      report(
        g,
        "maxRunDuration",
        `${where}: max_run_duration is for batch and sysbatch jobs, not ${type} jobs`,
      );
  }
  checkRestart(g.restart, report, g.restart);
  checkReschedule(g.reschedule, report, g.reschedule);
  checkUpdate(g.update, report, g.update);
  for (const c of g.constraints ?? []) checkConstraint(c, report);
  for (const a of g.affinities ?? []) checkAffinity(a, report);
  for (const s of g.spreads ?? []) checkSpread(s, report);
  // Nomad checks each task's logs against the whole disk, not their sum.
  const disk = g.ephemeralDisk?.size ?? defaultEphemeralDisk.size;
  for (const t of g.tasks) {
    const logs =
      (t.logs?.maxFiles ?? defaultLogConfig.maxFiles) *
      (t.logs?.maxFileSize ?? defaultLogConfig.maxFileSize);
    if (logs >= disk)
      report(
        t.logs ?? t,
        undefined,
        `${where} task "${t.name}": log storage (${logs} MB) must be less than the ephemeral disk (${disk} MB); raise ephemeral_disk size or lower logs max_files/max_file_size`,
      );
  }
  if (!g.tasks.some((t) => !t.lifecycle || t.lifecycle.sidecar))
    report(
      g,
      undefined,
      `${where} needs at least one main task (a task without a lifecycle block, or a sidecar)`,
    );
  for (const t of g.tasks) checkTask(t, g, ports, report);
}

/**
 * Validates the canonical job; `decoded` is the same job before defaults,
 * whose objects carry their source positions in `ctx`.
 */
export function validate(
  job: NomadJobSpec,
  decoded: NomadJobSpec,
  ctx: DecodeContext,
): { pos: Pos; message: string }[] {
  const errors: { pos: Pos; message: string }[] = [];
  // Canonical objects are copies; find the decoded twin along the same path for its position.
  const twins = new WeakMap<object, object>();
  // Objects Nomad's defaults added (an inherited update block) have no twin;
  // they point at the nearest enclosing block the user wrote.
  const pair = (a: unknown, b: unknown, parent: object) => {
    if (!a || typeof a !== "object") return;
    const twin = b && typeof b === "object" && ctx.origins.has(b) ? b : parent;
    twins.set(a, twin);
    for (const k of Object.keys(a)) {
      if (k === "config" || k === "meta" || k === "env") continue;
      const sub = b && typeof b === "object" ? (b as Record<string, unknown>)[k] : undefined;
      pair((a as Record<string, unknown>)[k], sub, twin);
    }
  };
  pair(job, decoded, decoded);
  const fallback = originOf(ctx, decoded) ?? { line: 1, column: 1 };
  // A setting inherited by several objects (a group's restart in each task) is reported once.
  const seen = new Set<string>();
  const report: Report = (obj, field, message) => {
    if (seen.has(message)) return;
    seen.add(message);
    const twin = obj ? (twins.get(obj) ?? obj) : undefined;
    errors.push({ pos: originOf(ctx, twin, field) ?? fallback, message });
  };
  const type = job.type ?? defaultJob.type;
  if (!job.id) report(job, undefined, "Missing job ID");
  else if (/\s/.test(job.id) || job.id.includes("\u0000"))
    report(job, undefined, `job ID "${job.id}" cannot be empty or contain spaces`);
  if (!jobTypes.includes(type))
    report(
      job,
      "type",
      `job type must be "service", "batch", "system" or "sysbatch", not "${type}"`,
    );
  if (job.priority !== undefined && (job.priority < 1 || job.priority > 100))
    report(job, "priority", `job priority must be between 1 and 100, not ${job.priority}`);
  for (const [i, dc] of (job.datacenters ?? []).entries())
    if (!dc) report(job, "datacenters", `datacenters[${i}] is empty`);
  if (!job.groups.length)
    report(
      job,
      undefined,
      'a job needs at least one group: group "<name>" { task "<name>" { … } }',
    );
  const names = new Set<string>();
  for (const g of job.groups) {
    if (names.has(g.name)) report(g, undefined, `group "${g.name}" is defined twice`);
    names.add(g.name);
  }
  if ((type === "system" || type === "sysbatch") && (job.affinities?.length || job.spreads?.length))
    report(
      job,
      job.affinities?.length ? "affinities" : "spreads",
      `${type} jobs cannot have affinities or spreads`,
    );
  if ((type === "system" || type === "sysbatch") && job.reschedule)
    report(job, "reschedule", `${type} jobs cannot have a reschedule policy`);
  if (job.periodic) {
    if (type !== "batch" && type !== "sysbatch")
      report(
        job,
        "periodic",
        `periodic jobs must be batch or sysbatch, not ${type}; set type = "batch"`,
      );
    const specs = [
      ...(job.periodic.cron ? [job.periodic.cron] : []),
      ...(job.periodic.crons ?? []),
    ];
    if (!specs.length && job.periodic.enabled !== false)
      report(job.periodic, undefined, "a periodic block needs cron or crons");
    if (job.periodic.cron && job.periodic.crons)
      report(job.periodic, "crons", "set cron or crons, not both");
    for (const s of specs) {
      const why = cronError(s);
      if (why)
        report(
          job.periodic,
          job.periodic.cron ? "cron" : "crons",
          `invalid cron expression "${s}": ${why}`,
        );
    }
    if (job.periodic.timeZone) {
      try {
        new Intl.DateTimeFormat("en", { timeZone: job.periodic.timeZone });
      } catch {
        report(
          job.periodic,
          "timeZone",
          `unknown time zone "${job.periodic.timeZone}", e.g. "America/New_York"`,
        );
      }
    }
  }
  if (job.parameterized) {
    if (type !== "batch" && type !== "sysbatch")
      report(
        job,
        "parameterized",
        `parameterized jobs must be batch or sysbatch, not ${type}; set type = "batch"`,
      );
    const p = job.parameterized;
    if (p.payload && !["optional", "required", "forbidden"].includes(p.payload))
      report(
        p,
        "payload",
        `parameterized payload must be "optional", "required" or "forbidden", not "${p.payload}"`,
      );
    const both = (p.metaRequired ?? []).filter((m) => p.metaOptional?.includes(m));
    if (both.length)
      report(p, "metaOptional", `meta keys ${both.join(", ")} are both required and optional`);
  }
  const hasPayload = job.groups.some((g) => g.tasks.some((t) => t.dispatchPayload));
  if (hasPayload && !job.parameterized)
    report(job, undefined, "dispatch_payload is for parameterized jobs; add a parameterized block");
  if (hasPayload && job.parameterized?.payload === "forbidden")
    report(
      job.parameterized,
      "payload",
      'a task has dispatch_payload but the payload is "forbidden"',
    );
  if (job.multiregion) checkMultiregion(job, report);
  for (const c of job.constraints ?? []) checkConstraint(c, report);
  for (const a of job.affinities ?? []) checkAffinity(a, report);
  for (const s of job.spreads ?? []) checkSpread(s, report);
  for (const g of job.groups) checkGroup(job, g, report);
  // Nomad's warnings and what Caravan does not run yet, where the user wrote it.
  for (const w of jobWarnings(job))
    ctx.warnings?.push({
      pos: originOf(ctx, twins.get(w.at) ?? w.at, w.field) ?? fallback,
      message: w.message,
    });
  return errors;
}
