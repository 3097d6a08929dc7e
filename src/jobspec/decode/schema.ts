// Every block and attribute of Nomad's job specification, as a table the
// generic decoder walks. HCL names are snake_case; the model's field is the
// camelCase form unless a table entry names another.

export type Kind =
  | "string"
  | "int"
  | "number"
  | "bool"
  | "duration"
  | "strings"
  | "ints"
  /** map(string): also written as a block of attributes, e.g. `meta { k = "v" }`. */
  | "map"
  /** map(list(string)), e.g. a check's `header` block. */
  | "listMap"
  /** Free-form object (a driver's `config`): attributes and nested blocks as written. */
  | "any"
  /** Accepted for compatibility and dropped (deprecated in Nomad, e.g. network mbits). */
  | "ignored";

export interface AttrSpec {
  kind: Kind;
  field: string;
  /** For strings the model restricts (the CRD's enums): the values allowed. */
  oneOf?: readonly string[];
  /** Deprecated in Nomad but still read: the warning printed where the file sets it. */
  deprecated?: string;
  /**
   * How Nomad lets a map or free-form value be written: only as a block
   * (`options { … }`) or only as an attribute (`args = { … }`); unset, both.
   */
  form?: "block" | "attribute";
}

export interface ChildSpec {
  spec: () => BlockSpec;
  field: string;
  many: boolean;
  /** The model field set from the block's one label. */
  label?: string;
}

export interface BlockSpec {
  name: string;
  attrs: Record<string, AttrSpec>;
  blocks: Record<string, ChildSpec>;
}

// Strings with a fixed set of values, by block and attribute (the CRD's enums).
const enums: Record<string, Record<string, string>> = {
  update: { health_check: "checks|task_states|manual" },
  migrate: { health_check: "checks|task_states" },
  reschedule: { delay_function: "constant|exponential|fibonacci" },
  restart: { mode: "fail|delay" },
  disconnect: { reconcile: "keep_original|keep_replacement|best_score|longest_running" },
  parameterized: { payload: "optional|required|forbidden" },
  vault: { change_mode: "noop|restart|signal" },
  identity: { change_mode: "noop|restart|signal" },
  strategy: { on_failure: "fail_all|fail_local" },
  numa: { affinity: "none|prefer|require" },
  volume_mount: { propagation_mode: "private|host-to-task|bidirectional" },
  volume: {
    type: "host|csi",
    access_mode:
      "single-node-reader-only|single-node-writer|multi-node-reader-only|multi-node-single-writer|multi-node-multi-writer",
    attachment_mode: "file-system|block-device",
  },
  check: {
    type: "http|tcp|grpc|script",
    protocol: "http|https",
    address_mode: "host|driver|alloc",
    initial_status: "passing|warning|critical",
    on_update: "require_healthy|ignore_warnings|ignore",
  },
  service: {
    provider: "consul|nomad",
    address_mode: "auto|host|driver|alloc",
    on_update: "require_healthy|ignore_warnings|ignore",
  },
  upstreams: { destination_type: "service|prepared_query" },
  mesh_gateway: { mode: "local|remote|none" },
  path: { protocol: "http|http2" },
  proxy: { envoy_dns_discovery_type: "LOGICAL_DNS|STRICT_DNS" },
  listener: { protocol: "tcp|http|http2|grpc" },
  template: { change_mode: "noop|restart|signal|script" },
  artifact: { mode: "any|file|dir" },
  lifecycle: { hook: "prestart|poststart|poststop" },
  csi_plugin: { type: "controller|node|monolith" },
};

// Arguments Nomad still reads but has deprecated, with the warning each gets.
const deprecations: Record<string, Record<string, string>> = {
  resources: {
    disk: "disk in a task's resources block is deprecated and ignored, as in Nomad; ask for disk space with the group's ephemeral_disk block",
  },
  // jobspec2 reads these in a constraint and drops them: only affinities take them as shorthands.
  constraint: {
    set_contains_any:
      'set_contains_any is not a constraint shorthand in Nomad and is ignored; write operator = "set_contains_any" and value = …',
    set_contains_all:
      'set_contains_all is not a constraint shorthand in Nomad and is ignored; write operator = "set_contains_all" and value = …',
  },
  network: {
    mbits:
      "mbits has been deprecated as of Nomad 0.12.0 and the scheduler ignores it, as Nomad's does; remove it from the network block",
  },
};

// How jobspec2 reads maps and free-form values: as blocks, except these (the
// api structs' hcl tags, and the meta and env it also reads as attributes).
const mapForms: Record<string, "both" | "attribute"> = {
  "job.meta": "both",
  "group.meta": "both",
  "task.meta": "both",
  "task.env": "both",
  "cni.args": "attribute",
};

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** "name count:int meta:map" → attribute specs; a "=field" suffix renames. */
function spec(name: string, attrs: string, blocks: Record<string, ChildSpec> = {}): BlockSpec {
  const out: Record<string, AttrSpec> = {};
  for (const item of attrs.split(/\s+/).filter(Boolean)) {
    const [decl, field] = item.split("=");
    const [hcl, kind] = (decl as string).split(":");
    const oneOf = enums[name]?.[hcl as string]?.split("|");
    const deprecated = deprecations[name]?.[hcl as string];
    const mapForm =
      kind === "map" || kind === "listMap" || kind === "any"
        ? (mapForms[`${name}.${hcl}`] ?? "block")
        : "both";
    out[hcl as string] = {
      kind: (kind ?? "string") as Kind,
      field: field ?? camel(hcl as string),
      ...(oneOf ? { oneOf } : {}),
      ...(deprecated ? { deprecated } : {}),
      ...(mapForm !== "both" ? { form: mapForm } : {}),
    };
  }
  return { name, attrs: out, blocks };
}
// Specs are built on first use and kept: the decoder asks for them once per block.
function memo(f: () => BlockSpec): () => BlockSpec {
  let cached: BlockSpec | undefined;
  return () => {
    cached ??= f();
    return cached;
  };
}
const one = (s: () => BlockSpec, field: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  spec: s,
  field,
  many: false,
  ...extra,
});
const many = (s: () => BlockSpec, field: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  spec: s,
  field,
  many: true,
  ...extra,
});

// Constraint and affinity shorthands (`version = ">= 1.2"`, `distinct_hosts = true`)
// are attributes here and folded into operator/value by the decoder.
export const constraint = (): BlockSpec =>
  spec(
    "constraint",
    "attribute operator value version semver regexp set_contains set_contains_any:ignored set_contains_all:ignored distinct_hosts:bool distinct_property",
  );
export const affinity = (): BlockSpec =>
  spec(
    "affinity",
    "attribute operator value weight:int version semver regexp set_contains set_contains_any set_contains_all",
  );
const spreadTarget = () => spec("target", "percent:int");
export const spread = (): BlockSpec =>
  spec("spread", "attribute weight:int", {
    target: many(spreadTarget, "targets", { label: "value" }),
  });

const update = () =>
  spec(
    "update",
    "max_parallel:int health_check min_healthy_time:duration healthy_deadline:duration progress_deadline:duration canary:int auto_revert:bool auto_promote:bool stagger:duration",
  );
const migrate = () =>
  spec(
    "migrate",
    "max_parallel:int health_check min_healthy_time:duration healthy_deadline:duration",
  );
const reschedule = () =>
  spec(
    "reschedule",
    "attempts:int interval:duration delay:duration delay_function max_delay:duration unlimited:bool",
  );
const restart = () =>
  spec("restart", "attempts:int interval:duration delay:duration mode render_templates:bool");
const disconnect = () =>
  spec("disconnect", "lost_after:duration replace:bool reconcile stop_on_client_after:duration");
const periodic = () =>
  spec("periodic", "cron crons:strings time_zone prohibit_overlap:bool enabled:bool");
const parameterized = () =>
  spec("parameterized", "payload meta_required:strings meta_optional:strings");
const vault = () =>
  spec(
    "vault",
    "policies:strings role cluster namespace env:bool disable_file:bool change_mode change_signal allow_token_expiration:bool",
  );
const consul = () => spec("consul", "cluster namespace partition");
const identityAttrs =
  "aud:strings change_mode change_signal env:bool file:bool filepath ttl:duration";
const identity = () => spec("identity", identityAttrs);
/** A task's identities are repeated unlabelled blocks; `name` tells them apart (decode/job.ts splits them). */
const taskIdentity = () => spec("identity", `name ${identityAttrs}`);
const ui = () =>
  spec("ui", "description", { link: many(() => spec("link", "label url"), "links") });
const multiregion = () =>
  spec("multiregion", "", {
    strategy: one(() => spec("strategy", "max_parallel:int on_failure"), "strategy"),
    region: many(
      () => spec("region", "count:int datacenters:strings node_pool meta:map"),
      "regions",
      { label: "name" },
    ),
  });

const port = () => spec("port", "static:int to:int host_network ignore_collision:bool");
const network = () =>
  spec("network", "mode hostname mbits:int", {
    port: many(port, "ports", { label: "label" }),
    dns: one(() => spec("dns", "servers:strings searches:strings options:strings"), "dns"),
    cni: one(() => spec("cni", "args:map"), "cni"),
  });

const device = () =>
  spec("device", "count:int", {
    constraint: many(constraint, "constraints"),
    affinity: many(affinity, "affinities"),
  });
const resources = () =>
  spec("resources", "cpu:int cores:int memory:int memory_max:int secrets:int disk:int", {
    device: many(device, "devices", { label: "name" }),
    numa: one(() => spec("numa", "affinity devices:strings"), "numa"),
    // Deprecated in Nomad 0.12 and still read: validate.ts warns where it is set.
    network: many(network, "networks"),
  });
const ephemeralDisk = () => spec("ephemeral_disk", "size:int migrate:bool sticky:bool");
const logs = () => spec("logs", "max_files:int max_file_size:int disabled:bool");
const volumeMount = () =>
  spec("volume_mount", "volume destination read_only:bool propagation_mode selinux_label");
const volume = () =>
  spec(
    "volume",
    "type source read_only:bool access_mode attachment_mode per_alloc:bool sticky:bool",
    {
      mount_options: one(
        () => spec("mount_options", "fs_type mount_flags:strings"),
        "mountOptions",
      ),
    },
  );

const checkRestart = () => spec("check_restart", "limit:int grace:duration ignore_warnings:bool");
const check = () =>
  spec(
    "check",
    "name type command args:strings path protocol method body header:listMap port expose:bool address_mode interval:duration timeout:duration initial_status notes tls_server_name tls_skip_verify:bool grpc_service grpc_use_tls:bool task success_before_passing:int failures_before_critical:int failures_before_warning:int on_update",
    { check_restart: one(checkRestart, "checkRestart") },
  );

const upstream = () =>
  spec(
    "upstreams",
    "destination_name destination_namespace destination_peer destination_partition destination_type local_bind_port:int local_bind_address local_bind_socket_path local_bind_socket_mode datacenter config:any",
    { mesh_gateway: one(() => spec("mesh_gateway", "mode"), "meshGateway") },
  );
const exposePath = () => spec("path", "path protocol local_path_port:int listener_port");
const transparentProxy = () =>
  spec(
    "transparent_proxy",
    "uid outbound_port:int exclude_inbound_ports:strings exclude_outbound_ports:ints exclude_outbound_cidrs:strings exclude_uids:strings no_dns:bool",
  );
const proxy = () =>
  spec("proxy", "local_service_address local_service_port:int config:any", {
    upstreams: many(upstream, "upstreams"),
    expose: one(() => spec("expose", "", { path: many(exposePath, "paths") }), "expose"),
    transparent_proxy: one(transparentProxy, "transparentProxy"),
  });
const sidecarService = () =>
  spec("sidecar_service", "tags:strings port disable_default_tcp_check:bool meta:map", {
    proxy: one(proxy, "proxy"),
  });
const sidecarTask = () =>
  spec(
    "sidecar_task",
    "name driver user config:any env:map meta:map kill_timeout:duration shutdown_delay:duration kill_signal",
    {
      resources: one(resources, "resources"),
      logs: one(logs, "logs"),
      volume_mount: many(volumeMount, "volumeMounts"),
    },
  );
const tls = () =>
  spec("tls", "enabled:bool tls_min_version tls_max_version cipher_suites:strings", {
    sds: one(() => spec("sds", "cluster_name cert_resource"), "sds"),
  });
const headers = (name: string) => () => spec(name, "add:map set:map remove:strings");
const ingressService = () =>
  spec(
    "service",
    "name hosts:strings max_connections:int max_pending_requests:int max_concurrent_requests:int",
    {
      tls: one(tls, "tls"),
      request_headers: one(headers("request_headers"), "requestHeaders"),
      response_headers: one(headers("response_headers"), "responseHeaders"),
    },
  );
const gatewayProxy = () =>
  spec(
    "proxy",
    "connect_timeout:duration envoy_gateway_bind_tagged_addresses:bool envoy_gateway_no_default_bind:bool envoy_dns_discovery_type config:any",
    {
      envoy_gateway_bind_addresses: many(
        () => spec("envoy_gateway_bind_addresses", "address port:int"),
        "envoyGatewayBindAddresses",
        {
          label: "name",
        },
      ),
    },
  );
const gateway = () =>
  spec("gateway", "", {
    proxy: one(gatewayProxy, "proxy"),
    ingress: one(
      () =>
        spec("ingress", "", {
          tls: one(tls, "tls"),
          listener: many(
            () =>
              spec("listener", "port:int protocol", { service: many(ingressService, "services") }),
            "listeners",
          ),
        }),
      "ingress",
    ),
    terminating: one(
      () =>
        spec("terminating", "", {
          service: many(() => spec("service", "name ca_file cert_file key_file sni"), "services"),
        }),
      "terminating",
    ),
    mesh: one(() => spec("mesh", ""), "mesh"),
  });
const connect = () =>
  spec("connect", "native:bool", {
    sidecar_service: one(sidecarService, "sidecarService"),
    sidecar_task: one(sidecarTask, "sidecarTask"),
    gateway: one(gateway, "gateway"),
  });
export const service = (): BlockSpec =>
  spec(
    "service",
    "name provider cluster port tags:strings canary_tags:strings enable_tag_override:bool address address_mode task on_update tagged_addresses:map meta:map canary_meta:map",
    {
      check: many(check, "checks"),
      check_restart: one(checkRestart, "checkRestart"),
      connect: one(connect, "connect"),
      identity: one(identity, "identity"),
      weights: one(() => spec("weights", "passing:int warning:int"), "weights"),
    },
  );

const template = () =>
  spec(
    "template",
    "source destination data change_mode change_signal splay:duration perms uid:int gid:int left_delimiter right_delimiter env:bool error_on_missing_key:bool",
    {
      change_script: one(
        () => spec("change_script", "command args:strings timeout:duration fail_on_error:bool"),
        "changeScript",
      ),
      wait: one(() => spec("wait", "min:duration max:duration"), "wait"),
    },
  );
const artifact = () =>
  spec("artifact", "source destination mode chown:bool insecure:bool options:map headers:map");

const task = () =>
  spec(
    "task",
    "driver user config:any env:map meta:map kill_timeout:duration kill_signal shutdown_delay:duration leader:bool kind",
    {
      resources: one(resources, "resources"),
      constraint: many(constraint, "constraints"),
      affinity: many(affinity, "affinities"),
      service: many(service, "services"),
      template: many(template, "templates"),
      artifact: many(artifact, "artifacts"),
      logs: one(logs, "logs"),
      vault: one(vault, "vault"),
      consul: one(consul, "consul"),
      identity: many(taskIdentity, "identities"),
      lifecycle: one(() => spec("lifecycle", "hook sidecar:bool"), "lifecycle"),
      restart: one(restart, "restart"),
      volume_mount: many(volumeMount, "volumeMounts"),
      dispatch_payload: one(() => spec("dispatch_payload", "file"), "dispatchPayload"),
      csi_plugin: one(
        () =>
          spec("csi_plugin", "id type mount_dir stage_publish_base_dir health_timeout:duration"),
        "csiPlugin",
      ),
      scaling: many(() => spec("scaling", "min:int max:int enabled:bool policy:any"), "scaling", {
        label: "name",
      }),
      action: many(() => spec("action", "command args:strings"), "actions", { label: "name" }),
      schedule: one(
        () => spec("schedule", "", { cron: one(() => spec("cron", "start end timezone"), "cron") }),
        "schedule",
      ),
    },
  );

const group = () =>
  spec(
    "group",
    "count:int shutdown_delay:duration max_run_duration:duration stop_after_client_disconnect:duration max_client_disconnect:duration prevent_reschedule_on_lost:bool meta:map",
    {
      constraint: many(constraint, "constraints"),
      affinity: many(affinity, "affinities"),
      spread: many(spread, "spreads"),
      task: many(task, "tasks", { label: "name" }),
      network: many(network, "networks"),
      service: many(service, "services"),
      volume: many(volume, "volumes", { label: "name" }),
      scaling: one(() => spec("scaling", "min:int max:int enabled:bool policy:any"), "scaling"),
      restart: one(restart, "restart"),
      reschedule: one(reschedule, "reschedule"),
      migrate: one(migrate, "migrate"),
      update: one(update, "update"),
      ephemeral_disk: one(ephemeralDisk, "ephemeralDisk"),
      disconnect: one(disconnect, "disconnect"),
      consul: one(consul, "consul"),
      vault: one(vault, "vault"),
    },
  );

export const job: () => BlockSpec = memo(() =>
  spec(
    "job",
    "name region namespace type priority:int all_at_once:bool datacenters:strings node_pool meta:map",
    {
      constraint: many(constraint, "constraints"),
      affinity: many(affinity, "affinities"),
      spread: many(spread, "spreads"),
      group: many(group, "groups", { label: "name" }),
      // A task written directly in the job: Nomad makes it a group of its own.
      task: many(task, "soloTasks", { label: "name" }),
      update: one(update, "update"),
      migrate: one(migrate, "migrate"),
      reschedule: one(reschedule, "reschedule"),
      periodic: one(periodic, "periodic"),
      parameterized: one(parameterized, "parameterized"),
      multiregion: one(multiregion, "multiregion"),
      vault: one(vault, "vault"),
      ui: one(ui, "ui"),
    },
  ),
);
