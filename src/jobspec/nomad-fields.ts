// The one table of how a NomadJob spec's fields (camelCase, src/crds/job)
// correspond to Nomad's API JSON (api.Job's names, durations in nanoseconds).
// Both directions come from it: nomad-api.ts writes Nomad's JSON, and the
// HTTP API's job-in.ts reads it. A field whose Nomad name is ours in
// PascalCase and whose value is plain needs no line; any other is one line.
import {
  adjusted,
  block,
  convert,
  type Direction,
  duration as dur,
  each,
  empty,
  type Kind,
  keyed,
  list,
  one,
  opaque,
  plain,
  serverOwned,
} from "./nomad-kinds.js";

type Obj = Record<string, unknown>;

const constraint = block({ attribute: "LTarget", value: "RTarget", operator: "Operand" });
const affinity = constraint;
const spread = block({ targets: ["SpreadTarget", each(empty)] });
/** Placement rules, at the job, group and task levels alike. */
const placement = { constraints: each(constraint), affinities: each(affinity) };
const update = block({
  stagger: dur,
  minHealthyTime: dur,
  healthyDeadline: dur,
  progressDeadline: dur,
});
const migrate = block({ minHealthyTime: dur, healthyDeadline: dur });
const restart = block({ interval: dur, delay: dur });
const reschedule = block({ interval: dur, delay: dur, maxDelay: dur });
const disconnect = block({ lostAfter: dur, stopOnClientAfter: dur });
const identity = block({ aud: "Audience", ttl: ["TTL", dur] });
const checkRestart = block({ grace: dur });
const check = block({
  port: "PortLabel",
  interval: dur,
  timeout: dur,
  tlsServerName: "TLSServerName",
  tlsSkipVerify: "TLSSkipVerify",
  grpcService: "GRPCService",
  grpcUseTls: "GRPCUseTLS",
  task: "TaskName",
  checkRestart: one(checkRestart),
});
// Nomad splits a network's ports in two lists; ours is one list, a port with
// a static number above 0 being reserved (as jobspec2 splits them).
// A port's To is a plain int in Go: 0 is unset (not mapped), as Nomad reads it.
const port = block({
  static: "Value",
  to: { toNomad: (v) => v, fromNomad: (v) => (v === 0 ? undefined : v) },
});
const networkFields = block(
  { dns: ["DNS", one(empty)], cni: ["CNI", one(empty)], mbits: "MBits" },
  ["ReservedPorts", "DynamicPorts"],
);
const network: Kind = {
  toNomad: (v) => {
    const { ports, ...rest } = v as Obj & { ports?: Obj[] };
    const out = convert(rest, networkFields, "toNomad") as Obj;
    const isReserved = (p: Obj) => typeof p.static === "number" && p.static > 0;
    const reserved = (ports ?? []).filter(isReserved);
    const dynamic = (ports ?? []).filter((p) => !isReserved(p));
    if (reserved.length) out.ReservedPorts = reserved.map((p) => convert(p, port, "toNomad"));
    if (dynamic.length) out.DynamicPorts = dynamic.map((p) => convert(p, port, "toNomad"));
    return out;
  },
  fromNomad: (v) => {
    const out = convert(v, networkFields, "fromNomad");
    if (!out) return out;
    const { ReservedPorts, DynamicPorts } = v as Obj;
    const from = (ps: unknown) =>
      (Array.isArray(ps) ? ps : []).map((p) => convert(p, port, "fromNomad"));
    const ports = [
      ...from(ReservedPorts),
      // A dynamic port's number is assigned at placement, whatever the job says.
      ...from(DynamicPorts).map((p) => {
        if (p) delete p.static;
        return p ?? {};
      }),
    ];
    if (ports.length) out.ports = ports;
    return out;
  },
};
const resources = block(
  {
    cpu: "CPU",
    memory: "MemoryMB",
    memoryMax: "MemoryMaxMB",
    secrets: "SecretsMB",
    devices: each(block(placement)),
    numa: "NUMA",
    disk: "DiskMB",
    // Deprecated task-level networks, still read and written as Nomad does.
    networks: list(network),
  },
  // Deprecated in the API; the job model has no place for it.
  ["IOPS"],
);
const logs = block({ maxFileSize: "MaxFileSizeMB" });
const volumeMount = block({ selinuxLabel: "SELinuxLabel" });
const proxy = block({
  upstreams: each(block({ meshGateway: one(empty) })),
  expose: one(block({ paths: each(empty) })),
  transparentProxy: one(
    block({
      uid: "UID",
      excludeOutboundCidrs: "ExcludeOutboundCIDRs",
      excludeUids: "ExcludeUIDs",
      noDns: "NoDNS",
    }),
  ),
});
const tls = block({
  tlsMinVersion: "TLSMinVersion",
  tlsMaxVersion: "TLSMaxVersion",
  sds: ["SDS", one(empty)],
});
const gateway = block({
  proxy: one(
    block({
      connectTimeout: dur,
      // Nomad's server keeps no name inside a bind address: the map key is its name.
      envoyGatewayBindAddresses: keyed(empty, true),
      envoyDnsDiscoveryType: "EnvoyDNSDiscoveryType",
    }),
  ),
  ingress: one(
    block({
      tls: ["TLS", one(tls)],
      listeners: each(block({ services: each(block({ tls: ["TLS", one(tls)] })) })),
    }),
  ),
  terminating: one(block({ services: each(block({ caFile: "CAFile", sni: "SNI" })) })),
});
const connect = block({
  sidecarService: one(
    block({ proxy: one(proxy), disableDefaultTcpCheck: "DisableDefaultTCPCheck" }),
  ),
  sidecarTask: one(
    block({
      resources: one(resources),
      logs: ["LogConfig", one(logs)],
      killTimeout: dur,
      shutdownDelay: dur,
      volumeMounts: each(volumeMount),
    }),
  ),
  gateway: one(gateway),
});
const service = block({
  port: "PortLabel",
  task: "TaskName",
  checks: each(check),
  checkRestart: one(checkRestart),
  connect: one(connect),
  identity: one(identity),
});
const template = block({
  source: "SourcePath",
  destination: "DestPath",
  data: "EmbeddedTmpl",
  splay: dur,
  leftDelimiter: "LeftDelim",
  rightDelimiter: "RightDelim",
  env: ["Envvars", plain],
  errorOnMissingKey: "ErrMissingKey",
  changeScript: one(block({ timeout: dur })),
  wait: one(block({ min: dur, max: dur })),
});
const artifact = block({
  source: "GetterSource",
  options: "GetterOptions",
  headers: "GetterHeaders",
  mode: "GetterMode",
  destination: "RelativeDest",
  insecure: "GetterInsecure",
});
/** What a scaling policy's API object carries beyond the job's own block. */
const scalingServerFields = ["Type", "ID", "Target", "CreateIndex", "ModifyIndex"];
const taskScaling = adjusted(
  block({}, scalingServerFields),
  // api.ScalingPolicy has no name: the type says which resource.
  (out, ours) => {
    const { Name: _, ...rest } = out;
    return { ...rest, Type: `vertical_${ours.name}` };
  },
  (out, theirs) => {
    if (!out.name && typeof theirs.Type === "string")
      out.name = theirs.Type.replace(/^vertical_/, "");
    return out;
  },
);
const task = block({
  ...placement,
  resources: one(resources),
  services: each(service),
  templates: each(template),
  artifacts: each(artifact),
  logs: ["LogConfig", one(logs)],
  vault: one(empty),
  identity: one(identity),
  identities: each(identity),
  restart: ["RestartPolicy", one(restart)],
  volumeMounts: each(volumeMount),
  killTimeout: dur,
  shutdownDelay: dur,
  csiPlugin: ["CSIPluginConfig", one(block({ id: "ID", healthTimeout: dur }))],
  scaling: ["ScalingPolicies", list(taskScaling)],
});

const group = block({
  ...placement,
  spreads: each(spread),
  networks: list(network),
  services: each(service),
  tasks: each(task),
  volumes: keyed(block({ mountOptions: one(block({ fsType: "FSType" })) }), true),
  scaling: adjusted(
    block({}, scalingServerFields),
    (out) => ({ ...out, Type: "horizontal" }),
    (out) => out,
  ),
  restart: ["RestartPolicy", one(restart)],
  reschedule: ["ReschedulePolicy", one(reschedule)],
  migrate: one(migrate),
  update: one(update),
  ephemeralDisk: one(block({ size: "SizeMB" })),
  disconnect: one(disconnect),
  stopAfterClientDisconnect: dur,
  maxClientDisconnect: dur,
  shutdownDelay: dur,
  maxRunDuration: dur,
  vault: one(empty),
});
const periodic = adjusted(
  block({ cron: ["Spec", opaque], crons: ["Specs", opaque] }, ["SpecType"]),
  ({ Spec, Specs, ...out }) => ({
    ...out,
    ...(Spec ? { Spec } : {}),
    ...(Specs ? { Specs } : {}),
    SpecType: "cron",
  }),
  ({ cron, crons, ...out }) => ({
    ...out,
    ...(cron ? { cron } : {}),
    ...(Array.isArray(crons) && crons.length ? { crons } : {}),
  }),
);
const job = block(
  {
    id: "ID",
    ...placement,
    spreads: each(spread),
    groups: ["TaskGroups", each(group)],
    update: one(update),
    migrate: one(migrate),
    reschedule: one(reschedule),
    periodic,
    parameterized: ["ParameterizedJob", one(empty)],
    multiregion: one(block({ regions: each(empty) })),
    vault: one(empty),
    ui: ["UI", one(block({ links: each(block({ url: "URL" })) }))],
    parentId: "ParentID",
    dispatched: serverOwned,
    payload: serverOwned,
  },
  // api.Job's fields the server owns, or that have no place in the job model.
  [
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
    "Meta_",
  ],
);

/** A job, one way or the other: our spec → Nomad's JSON, or Nomad's JSON → our spec. */
export function convertJob(value: unknown, d: Direction): Obj | undefined {
  return convert(value, job, d);
}
