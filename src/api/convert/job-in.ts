// Nomad's API JSON for a job (what `nomad job run`, the Go client and
// Terraform send) → the NomadJob spec in camelCase: the inverse of
// src/jobspec/nomad-api.ts. Durations arrive as nanoseconds and become Go
// duration strings; nulls (Go's unset pointers) are dropped; fields the server
// owns (indexes, status, submit time) are ignored, as Nomad ignores them.
import type { NomadJobSpec } from "../../crds/job/index.js";

type Obj = Record<string, unknown>;
type Conv = (v: unknown) => unknown;
/** Nomad field → camelCase name, or [name, converter]; null drops the field. */
type Table = Record<string, string | [string, Conv] | null>;

const camel = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);

/** Nanoseconds → the shortest Go duration string ("90s" → "1m30s"). */
export function goDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  const sign = nanos < 0 ? "-" : "";
  let ns = Math.abs(Math.round(nanos));
  if (ns < 1e6) return ns % 1e3 === 0 ? `${sign}${ns / 1e3}us` : `${sign}${ns}ns`;
  if (ns < 1e9) return `${sign}${ns / 1e6}ms`;
  let out = "";
  const h = Math.floor(ns / 3.6e12);
  ns -= h * 3.6e12;
  const m = Math.floor(ns / 6e10);
  ns -= m * 6e10;
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (ns) out += `${ns / 1e9}s`;
  return sign + out;
}

const dur: Conv = (v) => (typeof v === "number" ? goDuration(v) : v);

const opaque = new Set(["Config", "Meta", "Env", "Policy", "TaggedAddresses", "CanaryMeta"]);
const opaqueNested = new Set([
  "Header",
  "Add",
  "Set",
  "Options",
  "Headers",
  "Args",
  "GetterOptions",
  "GetterHeaders",
]);

function map(v: unknown, table: Table): Obj | undefined {
  if (v === undefined || v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    if (x === undefined || x === null) continue;
    const t = table[k];
    if (t === null) continue;
    let value: unknown;
    if (Array.isArray(t)) {
      value = t[1](x);
      out[t[0]] = value;
    } else out[t ?? camel(k)] = opaque.has(k) || opaqueNested.has(k) ? x : nested(x);
  }
  return out;
}

function nested(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(nested);
  if (x !== null && typeof x === "object") return map(x, {});
  return x;
}
const each =
  (table: Table): Conv =>
  (v) =>
    Array.isArray(v) ? v.map((x) => map(x, table)) : v;
const one =
  (table: Table): Conv =>
  (v) =>
    map(v, table);

const constraint: Table = { LTarget: "attribute", RTarget: "value", Operand: "operator" };
const affinity: Table = { ...constraint };
const spread: Table = { SpreadTarget: ["targets", each({})] };
const update: Table = {
  Stagger: ["stagger", dur],
  MinHealthyTime: ["minHealthyTime", dur],
  HealthyDeadline: ["healthyDeadline", dur],
  ProgressDeadline: ["progressDeadline", dur],
};
const migrate: Table = {
  MinHealthyTime: ["minHealthyTime", dur],
  HealthyDeadline: ["healthyDeadline", dur],
};
const restart: Table = { Interval: ["interval", dur], Delay: ["delay", dur] };
const reschedule: Table = {
  Interval: ["interval", dur],
  Delay: ["delay", dur],
  MaxDelay: ["maxDelay", dur],
};
const disconnect: Table = {
  LostAfter: ["lostAfter", dur],
  StopOnClientAfter: ["stopOnClientAfter", dur],
};
const identity: Table = { Audience: "aud", TTL: ["ttl", dur] };
const checkRestart: Table = { Grace: ["grace", dur] };
const check: Table = {
  PortLabel: "port",
  Interval: ["interval", dur],
  Timeout: ["timeout", dur],
  TLSServerName: "tlsServerName",
  TLSSkipVerify: "tlsSkipVerify",
  GRPCService: "grpcService",
  GRPCUseTLS: "grpcUseTls",
  TaskName: "task",
  CheckRestart: ["checkRestart", one(checkRestart)],
};
const resources: Table = {
  CPU: "cpu",
  MemoryMB: "memory",
  MemoryMaxMB: "memoryMax",
  SecretsMB: "secrets",
  Devices: [
    "devices",
    each({
      Constraints: ["constraints", each(constraint)],
      Affinities: ["affinities", each(affinity)],
    }),
  ],
  NUMA: "numa",
  // Server-filled or deprecated in the API; the job model has no place for them.
  DiskMB: null,
  IOPS: null,
  Networks: null,
};
const logs: Table = { MaxFileSizeMB: "maxFileSize" };
const volumeMount: Table = { SELinuxLabel: "selinuxLabel" };
const upstream: Table = { MeshGateway: ["meshGateway", one({})] };
const proxy: Table = {
  Upstreams: ["upstreams", each(upstream)],
  Expose: ["expose", one({ Paths: ["paths", each({})] })],
  TransparentProxy: [
    "transparentProxy",
    one({
      UID: "uid",
      ExcludeOutboundCIDRs: "excludeOutboundCidrs",
      ExcludeUIDs: "excludeUids",
      NoDNS: "noDns",
    }),
  ],
};
const tls: Table = {
  TLSMinVersion: "tlsMinVersion",
  TLSMaxVersion: "tlsMaxVersion",
  SDS: ["sds", one({})],
};
const gateway: Table = {
  Proxy: [
    "proxy",
    one({
      ConnectTimeout: ["connectTimeout", dur],
      EnvoyGatewayBindAddresses: [
        "envoyGatewayBindAddresses",
        (v) => Object.entries(v as Obj).map(([name, addr]) => ({ name, ...(map(addr, {}) ?? {}) })),
      ],
      EnvoyDNSDiscoveryType: "envoyDnsDiscoveryType",
    }),
  ],
  Ingress: [
    "ingress",
    one({
      TLS: ["tls", one(tls)],
      Listeners: ["listeners", each({ Services: ["services", each({ TLS: ["tls", one(tls)] })] })],
    }),
  ],
  Terminating: [
    "terminating",
    one({ Services: ["services", each({ CAFile: "caFile", SNI: "sni" })] }),
  ],
};
const connect: Table = {
  SidecarService: [
    "sidecarService",
    one({ Proxy: ["proxy", one(proxy)], DisableDefaultTCPCheck: "disableDefaultTcpCheck" }),
  ],
  SidecarTask: [
    "sidecarTask",
    one({
      Resources: ["resources", one(resources)],
      LogConfig: ["logs", one(logs)],
      KillTimeout: ["killTimeout", dur],
      ShutdownDelay: ["shutdownDelay", dur],
      VolumeMounts: ["volumeMounts", each(volumeMount)],
    }),
  ],
  Gateway: ["gateway", one(gateway)],
};
const service: Table = {
  PortLabel: "port",
  TaskName: "task",
  Checks: ["checks", each(check)],
  CheckRestart: ["checkRestart", one(checkRestart)],
  Connect: ["connect", one(connect)],
  Identity: ["identity", one(identity)],
};
const template: Table = {
  SourcePath: "source",
  DestPath: "destination",
  EmbeddedTmpl: "data",
  Splay: ["splay", dur],
  LeftDelim: "leftDelimiter",
  RightDelim: "rightDelimiter",
  Envvars: "env",
  ErrMissingKey: "errorOnMissingKey",
  ChangeScript: ["changeScript", one({ Timeout: ["timeout", dur] })],
  Wait: ["wait", one({ Min: ["min", dur], Max: ["max", dur] })],
};
const artifact: Table = {
  GetterSource: "source",
  GetterOptions: "options",
  GetterHeaders: "headers",
  GetterMode: "mode",
  RelativeDest: "destination",
  GetterInsecure: "insecure",
};
const task: Table = {
  Resources: ["resources", one(resources)],
  Constraints: ["constraints", each(constraint)],
  Affinities: ["affinities", each(affinity)],
  Services: ["services", each(service)],
  Templates: ["templates", each(template)],
  Artifacts: ["artifacts", each(artifact)],
  LogConfig: ["logs", one(logs)],
  Vault: ["vault", one({})],
  Identity: ["identity", one(identity)],
  Identities: ["identities", each(identity)],
  RestartPolicy: ["restart", one(restart)],
  VolumeMounts: ["volumeMounts", each(volumeMount)],
  KillTimeout: ["killTimeout", dur],
  ShutdownDelay: ["shutdownDelay", dur],
  CSIPluginConfig: ["csiPlugin", one({ ID: "id", HealthTimeout: ["healthTimeout", dur] })],
  ScalingPolicies: [
    "scaling",
    (v) =>
      (v as Obj[]).map((s) => {
        const out =
          map(s, { Type: null, ID: null, Target: null, CreateIndex: null, ModifyIndex: null }) ??
          {};
        if (!out.name && typeof s.Type === "string") out.name = s.Type.replace(/^vertical_/, "");
        return out;
      }),
  ],
  Config: "config",
  Env: "env",
  Meta: "meta",
};
const network: Conv = (v) =>
  (v as Obj[]).map((n) => {
    const { ReservedPorts, DynamicPorts, DNS, CNI, ...rest } = n as Obj;
    const out = map(rest, {}) as Obj;
    const port = (p: unknown) => map(p, { Value: "static" });
    const ports = [
      ...(Array.isArray(ReservedPorts) ? ReservedPorts : []).map(port),
      ...(Array.isArray(DynamicPorts) ? DynamicPorts : []).map((p) => {
        const out = port(p) ?? {};
        // A dynamic port's value is assigned at placement, not asked for.
        if (out.static === 0) delete out.static;
        return out;
      }),
    ];
    if (ports.length) out.ports = ports;
    if (DNS) out.dns = map(DNS, {});
    if (CNI) out.cni = map(CNI, {});
    return out;
  });
const group: Table = {
  Constraints: ["constraints", each(constraint)],
  Affinities: ["affinities", each(affinity)],
  Spreads: ["spreads", each(spread)],
  Networks: ["networks", network],
  Services: ["services", each(service)],
  Tasks: ["tasks", each(task)],
  Volumes: [
    "volumes",
    (v) =>
      Object.entries(v as Obj).map(([name, x]) => ({
        name,
        ...map(x, { MountOptions: ["mountOptions", one({ FSType: "fsType" })] }),
      })),
  ],
  Scaling: [
    "scaling",
    one({ Type: null, ID: null, Target: null, CreateIndex: null, ModifyIndex: null }),
  ],
  RestartPolicy: ["restart", one(restart)],
  ReschedulePolicy: ["reschedule", one(reschedule)],
  Migrate: ["migrate", one(migrate)],
  Update: ["update", one(update)],
  EphemeralDisk: ["ephemeralDisk", one({ SizeMB: "size" })],
  Disconnect: ["disconnect", one(disconnect)],
  StopAfterClientDisconnect: ["stopAfterClientDisconnect", dur],
  MaxClientDisconnect: ["maxClientDisconnect", dur],
  ShutdownDelay: ["shutdownDelay", dur],
  Vault: ["vault", one({})],
  Meta: "meta",
};
/** Fields of api.Job the server owns or that have no place in the job model. */
const serverOwned = [
  "Status",
  "StatusDescription",
  "Stable",
  "Version",
  "SubmitTime",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
  "Namespace",
  "NomadTokenID",
  "VaultToken",
  "ConsulToken",
  "ConsulNamespace",
  "VaultNamespace",
  "Dispatched",
  "Payload",
  "Meta_",
];
const job: Table = {
  ...Object.fromEntries(serverOwned.map((k) => [k, null])),
  ID: "id",
  Constraints: ["constraints", each(constraint)],
  Affinities: ["affinities", each(affinity)],
  Spreads: ["spreads", each(spread)],
  TaskGroups: ["groups", each(group)],
  Update: ["update", one(update)],
  Migrate: ["migrate", one(migrate)],
  Reschedule: ["reschedule", one(reschedule)],
  Periodic: [
    "periodic",
    (v) => {
      const { Spec, Specs, SpecType, ...rest } = v as Obj;
      return {
        ...map(rest, {}),
        ...(Spec ? { cron: Spec } : {}),
        ...(Array.isArray(Specs) && Specs.length ? { crons: Specs } : {}),
      };
    },
  ],
  ParameterizedJob: ["parameterized", one({})],
  Multiregion: ["multiregion", one({ Regions: ["regions", each({})] })],
  Vault: ["vault", one({})],
  UI: ["ui", one({ Links: ["links", each({})] })],
  ParentID: "parentId",
  Meta: "meta",
};

export type JobIn =
  | { ok: true; spec: NomadJobSpec; namespace?: string }
  | { ok: false; error: string };

/** Reads a Nomad API job; the error names the first field that cannot be a job. */
export function fromNomadApi(value: unknown): JobIn {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: "Job must be an object" };
  const input = value as Obj;
  for (const [field, kind] of [
    ["ID", "string"],
    ["Name", "string"],
    ["Type", "string"],
    ["Namespace", "string"],
    ["Region", "string"],
    ["Priority", "number"],
  ] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && typeof v !== kind)
      return { ok: false, error: `Job.${field} must be a ${kind}, got ${JSON.stringify(v)}` };
  }
  for (const field of ["TaskGroups", "Datacenters", "Constraints", "Affinities", "Spreads"]) {
    const v = input[field];
    if (v !== undefined && v !== null && !Array.isArray(v))
      return { ok: false, error: `Job.${field} must be a list` };
  }
  const spec = map(input, job) as unknown as NomadJobSpec;
  spec.groups ??= [];
  const namespace =
    typeof input.Namespace === "string" && input.Namespace ? input.Namespace : undefined;
  return { ok: true, spec, ...(namespace ? { namespace } : {}) };
}
