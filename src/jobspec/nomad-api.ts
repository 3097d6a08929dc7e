// Nomad's API JSON for a job: api.Job's field names (PascalCase, Nomad's own
// acronyms), durations in nanoseconds, ports split into ReservedPorts and
// DynamicPorts — the document `nomad job run -output` prints. The HTTP API
// reuses this mapper.
import type { NomadJobSpec } from "../crds/job/index.js";
import { goDurationMs } from "./functions/index.js";
import { orderJob } from "./resource.js";

type Obj = Record<string, unknown>;
type Conv = (v: unknown) => unknown;
/** camelCase field → Nomad field name, or [name, converter]. */
type Table = Record<string, string | [string, Conv]>;

const ns: Conv = (v) => (typeof v === "string" ? Math.round((goDurationMs(v) ?? 0) * 1e6) : v);
const pascal = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);

// Maps whose keys are the user's, not field names: copied as they are.
const opaque = new Set([
  "config",
  "meta",
  "env",
  "policy",
  "taggedAddresses",
  "canaryMeta",
  "header",
  "add",
  "set",
  "options",
  "headers",
  "args",
]);

function map(v: unknown, table: Table): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    if (x === undefined) continue;
    const t = table[k];
    if (Array.isArray(t)) out[t[0]] = t[1](x);
    else out[t ?? pascal(k)] = opaque.has(k) ? x : nested(x);
  }
  return out;
}

/** Objects the tables do not name (lifecycle, consul, strategy…) take PascalCase names all the way down. */
function nested(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(nested);
  if (x !== null && typeof x === "object") return map(x, {});
  return x;
}
const each =
  (table: Table): Conv =>
  (v) =>
    (v as unknown[]).map((x) => map(x, table));
const one =
  (table: Table): Conv =>
  (v) =>
    map(v, table);

const constraint: Table = { attribute: "LTarget", value: "RTarget", operator: "Operand" };
const affinity: Table = { ...constraint, weight: "Weight" };
const spread: Table = { targets: ["SpreadTarget", each({})] };
const update: Table = {
  stagger: ["Stagger", ns],
  minHealthyTime: ["MinHealthyTime", ns],
  healthyDeadline: ["HealthyDeadline", ns],
  progressDeadline: ["ProgressDeadline", ns],
};
const migrate: Table = {
  minHealthyTime: ["MinHealthyTime", ns],
  healthyDeadline: ["HealthyDeadline", ns],
};
const restart: Table = { interval: ["Interval", ns], delay: ["Delay", ns] };
const reschedule: Table = {
  interval: ["Interval", ns],
  delay: ["Delay", ns],
  maxDelay: ["MaxDelay", ns],
};
const disconnect: Table = {
  lostAfter: ["LostAfter", ns],
  stopOnClientAfter: ["StopOnClientAfter", ns],
};
const vault: Table = {};
const identity: Table = { aud: "Audience", ttl: ["TTL", ns], filepath: "Filepath" };
const checkRestart: Table = { grace: ["Grace", ns] };
const check: Table = {
  port: "PortLabel",
  interval: ["Interval", ns],
  timeout: ["Timeout", ns],
  tlsServerName: "TLSServerName",
  tlsSkipVerify: "TLSSkipVerify",
  grpcService: "GRPCService",
  grpcUseTls: "GRPCUseTLS",
  task: "TaskName",
  checkRestart: ["CheckRestart", one(checkRestart)],
};
const resources: Table = {
  cpu: "CPU",
  memory: "MemoryMB",
  memoryMax: "MemoryMaxMB",
  secrets: "SecretsMB",
  devices: [
    "Devices",
    each({
      constraints: ["Constraints", each(constraint)],
      affinities: ["Affinities", each(affinity)],
    }),
  ],
  numa: "NUMA",
};
const logs: Table = { maxFileSize: "MaxFileSizeMB" };
const volumeMount: Table = { selinuxLabel: "SELinuxLabel" };
const upstream: Table = { meshGateway: ["MeshGateway", one({})] };
const proxy: Table = {
  upstreams: ["Upstreams", each(upstream)],
  expose: ["Expose", one({ paths: ["Paths", each({})] })],
  transparentProxy: [
    "TransparentProxy",
    one({
      uid: "UID",
      excludeOutboundCidrs: "ExcludeOutboundCIDRs",
      excludeUids: "ExcludeUIDs",
      noDns: "NoDNS",
    }),
  ],
};
const tls: Table = {
  tlsMinVersion: "TLSMinVersion",
  tlsMaxVersion: "TLSMaxVersion",
  sds: ["SDS", one({})],
};
const gateway: Table = {
  proxy: [
    "Proxy",
    one({
      connectTimeout: ["ConnectTimeout", ns],
      envoyGatewayBindAddresses: [
        "EnvoyGatewayBindAddresses",
        (v) => Object.fromEntries((v as Obj[]).map(({ name, ...rest }) => [name, map(rest, {})])),
      ],
      envoyDnsDiscoveryType: "EnvoyDNSDiscoveryType",
    }),
  ],
  ingress: [
    "Ingress",
    one({
      tls: ["TLS", one(tls)],
      listeners: ["Listeners", each({ services: ["Services", each({ tls: ["TLS", one(tls)] })] })],
    }),
  ],
  terminating: [
    "Terminating",
    one({ services: ["Services", each({ caFile: "CAFile", sni: "SNI" })] }),
  ],
};
const connect: Table = {
  sidecarService: [
    "SidecarService",
    one({ proxy: ["Proxy", one(proxy)], disableDefaultTcpCheck: "DisableDefaultTCPCheck" }),
  ],
  sidecarTask: [
    "SidecarTask",
    one({
      resources: ["Resources", one(resources)],
      logs: ["LogConfig", one(logs)],
      killTimeout: ["KillTimeout", ns],
      shutdownDelay: ["ShutdownDelay", ns],
      volumeMounts: ["VolumeMounts", each(volumeMount)],
    }),
  ],
  gateway: ["Gateway", one(gateway)],
};
const service: Table = {
  port: "PortLabel",
  task: "TaskName",
  checks: ["Checks", each(check)],
  checkRestart: ["CheckRestart", one(checkRestart)],
  connect: ["Connect", one(connect)],
  identity: ["Identity", one(identity)],
};
const template: Table = {
  source: "SourcePath",
  destination: "DestPath",
  data: "EmbeddedTmpl",
  splay: ["Splay", ns],
  leftDelimiter: "LeftDelim",
  rightDelimiter: "RightDelim",
  env: "Envvars",
  errorOnMissingKey: "ErrMissingKey",
  changeScript: ["ChangeScript", one({ timeout: ["Timeout", ns] })],
  wait: ["Wait", one({ min: ["Min", ns], max: ["Max", ns] })],
};
const artifact: Table = {
  source: "GetterSource",
  options: "GetterOptions",
  headers: "GetterHeaders",
  mode: "GetterMode",
  destination: "RelativeDest",
  insecure: "GetterInsecure",
};
const task: Table = {
  resources: ["Resources", one(resources)],
  constraints: ["Constraints", each(constraint)],
  affinities: ["Affinities", each(affinity)],
  services: ["Services", each(service)],
  templates: ["Templates", each(template)],
  artifacts: ["Artifacts", each(artifact)],
  logs: ["LogConfig", one(logs)],
  vault: ["Vault", one(vault)],
  identity: ["Identity", one(identity)],
  identities: ["Identities", each(identity)],
  restart: ["RestartPolicy", one(restart)],
  volumeMounts: ["VolumeMounts", each(volumeMount)],
  killTimeout: ["KillTimeout", ns],
  shutdownDelay: ["ShutdownDelay", ns],
  csiPlugin: ["CSIPluginConfig", one({ id: "ID", healthTimeout: ["HealthTimeout", ns] })],
  scaling: [
    "ScalingPolicies",
    (v) => (v as Obj[]).map((s) => ({ ...map(s, {}), Type: `vertical_${s.name}` })),
  ],
  config: "Config",
  env: "Env",
  meta: "Meta",
};
const network: Conv = (v) =>
  (v as Obj[]).map((n) => {
    const { ports, dns, cni, ...rest } = n as Obj & { ports?: Obj[] };
    const out = map(rest, {}) as Obj;
    const port = (p: Obj) => map(p, { static: "Value" });
    // As jobspec2 splits them: a port with a static number above 0 is reserved.
    const isReserved = (p: Obj) => typeof p.static === "number" && p.static > 0;
    const reserved = (ports ?? []).filter(isReserved).map(port);
    const dynamic = (ports ?? []).filter((p) => !isReserved(p)).map(port);
    if (reserved.length) out.ReservedPorts = reserved;
    if (dynamic.length) out.DynamicPorts = dynamic;
    if (dns) out.DNS = map(dns, {});
    if (cni) out.CNI = map(cni, {});
    return out;
  });
const group: Table = {
  constraints: ["Constraints", each(constraint)],
  affinities: ["Affinities", each(affinity)],
  spreads: ["Spreads", each(spread)],
  networks: ["Networks", network],
  services: ["Services", each(service)],
  tasks: ["Tasks", each(task)],
  volumes: [
    "Volumes",
    (v) =>
      Object.fromEntries(
        (v as Obj[]).map((x) => [
          x.name,
          map(x, { mountOptions: ["MountOptions", one({ fsType: "FSType" })] }),
        ]),
      ),
  ],
  scaling: ["Scaling", (v) => ({ ...map(v, {}), Type: "horizontal" })],
  restart: ["RestartPolicy", one(restart)],
  reschedule: ["ReschedulePolicy", one(reschedule)],
  migrate: ["Migrate", one(migrate)],
  update: ["Update", one(update)],
  ephemeralDisk: ["EphemeralDisk", one({ size: "SizeMB" })],
  disconnect: ["Disconnect", one(disconnect)],
  stopAfterClientDisconnect: ["StopAfterClientDisconnect", ns],
  maxClientDisconnect: ["MaxClientDisconnect", ns],
  shutdownDelay: ["ShutdownDelay", ns],
  vault: ["Vault", one(vault)],
  meta: "Meta",
};
const job: Table = {
  id: "ID",
  constraints: ["Constraints", each(constraint)],
  affinities: ["Affinities", each(affinity)],
  spreads: ["Spreads", each(spread)],
  groups: ["TaskGroups", each(group)],
  update: ["Update", one(update)],
  migrate: ["Migrate", one(migrate)],
  reschedule: ["Reschedule", one(reschedule)],
  periodic: [
    "Periodic",
    (v) => {
      const { cron, crons, ...rest } = v as Obj;
      return {
        ...map(rest, {}),
        ...(cron ? { Spec: cron } : {}),
        ...(crons ? { Specs: crons } : {}),
        SpecType: "cron",
      };
    },
  ],
  parameterized: ["ParameterizedJob", one({})],
  multiregion: ["Multiregion", one({ regions: ["Regions", each({})] })],
  vault: ["Vault", one(vault)],
  ui: ["UI", one({ links: ["Links", each({})] })],
  parentId: "ParentID",
  meta: "Meta",
};

/** The job as Nomad's API returns and accepts it, wrapped as `nomad job run -output` prints it. */
export function toNomadApi(spec: NomadJobSpec, namespace = "default"): { Job: Obj } {
  const out = map(orderJob(spec), job) as Obj;
  out.Namespace = namespace;
  return { Job: out };
}

/**
 * The job before Nomad's server defaults, as `nomad job run -output` prints it
 * (jobspec2's parse result in a `{"Job": …}` wrapper). Namespace only when the
 * file sets it. Fields the file leaves unset are left out rather than printed
 * as null: the API reads both the same way.
 */
export function toNomadRunOutput(parsed: NomadJobSpec, namespace?: string): { Job: Obj } {
  const out = map(orderJob(parsed), job) as Obj;
  if (namespace) out.Namespace = namespace;
  return { Job: out };
}
