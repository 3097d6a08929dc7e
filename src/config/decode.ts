// Decodes one agent configuration file, parsed by ./hcl1 (HCL1 or its JSON
// form, as Nomad reads agent files), into a partial AgentConfig. Every
// top-level block and setting of Nomad's agent configuration is known: it
// either works, or is read and named in one warning saying why it is ignored
// (./ignored). A key Nomad refuses is refused with its file, line and column.
import { goDurationMs } from "../common/duration.js";
import type { LogLevel } from "../common/log.js";
import {
  type AclConfig,
  type AgentConfig,
  type ClientConfig,
  defaultTokenMaxExpirationTTL,
  defaultTokenMinExpirationTTL,
  type LimitsConfig,
  type ServerConfig,
  type TelemetryConfig,
  type TlsConfig,
} from "./agent-config.js";
import { decodeClient } from "./decode-client.js";
import { decodeConsul, decodeTelemetry, decodeVault } from "./decode-integrations.js";
import { Decoder, setIf } from "./decoder.js";
import type { Hcl1Node, Hcl1Object } from "./hcl1/parser.js";
import { ignored, ignoredKeys, why } from "./ignored.js";
import { isTemplate, parseHostPort } from "./sockaddr.js";

export type PartialAgentConfig = Partial<
  Omit<
    AgentConfig,
    "server" | "client" | "ports" | "logFile" | "acl" | "tls" | "limits" | "telemetry"
  >
> & {
  acl?: Partial<AclConfig>;
  tls?: Partial<TlsConfig>;
  limits?: Partial<LimitsConfig>;
  telemetry?: Partial<TelemetryConfig>;
  server?: Partial<ServerConfig>;
  client?: Partial<ClientConfig>;
  ports?: Partial<AgentConfig["ports"]>;
  logFile?: Partial<NonNullable<AgentConfig["logFile"]>>;
};

export type DecodeResult =
  | { ok: true; config: PartialAgentConfig; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

const logLevels: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "off"];

export function parseLogLevel(value: string): LogLevel | undefined {
  const level = value.toLowerCase();
  return (logLevels as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}

/** Plain data in the shape of a file's JSON form (tests and API callers), decoded as that file would be. */
export function decodeAgentConfig(file: string, raw: unknown): DecodeResult {
  const root = fromPlain(raw);
  if (root.kind !== "object")
    return { ok: false, errors: [`${file}: expected an object at the top level`], warnings: [] };
  const { config, errors, warnings } = decode(file, root);
  errors.push(...checkMerged(config).map((e) => `${file}: ${e}`));
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, config, warnings };
}

function fromPlain(value: unknown): Hcl1Node {
  // Line 0: no position to report, so messages name just the file.
  const pos = { line: 0, column: 0 };
  if (value === null || value === undefined) return { kind: "null", pos };
  if (typeof value === "string") return { kind: "string", value, pos };
  if (typeof value === "number")
    return { kind: "number", value, float: !Number.isInteger(value), pos };
  if (typeof value === "boolean") return { kind: "bool", value, pos };
  if (Array.isArray(value)) return { kind: "list", items: value.map(fromPlain), pos };
  const fields = Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
    key,
    pos,
    value: fromPlain(v),
  }));
  return { kind: "object", fields, pos };
}

/** One file, to be merged with the others before checkMerged. */
export function decodeAgentFile(file: string, root: Hcl1Object): DecodeResult {
  const { config, errors, warnings } = decode(file, root);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, config, warnings };
}

function decode(
  file: string,
  root: Hcl1Object,
): { config: PartialAgentConfig; errors: string[]; warnings: string[] } {
  const d = new Decoder(file);
  const config: PartialAgentConfig = {};
  const logFile: NonNullable<PartialAgentConfig["logFile"]> = {};

  d.fields(
    root.fields,
    "",
    {
      region: (v, at) => setIf(config, "region", d.string(v, at)),
      datacenter: (v, at) => setIf(config, "datacenter", d.string(v, at)),
      name: (v, at) => setIf(config, "name", d.string(v, at)),
      data_dir: (v, at) => setIf(config, "dataDir", d.string(v, at)),
      bind_addr: (v, at) => setIf(config, "bindAddr", address(d, v, at)),
      addresses: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const addresses: NonNullable<AgentConfig["addresses"]> = {};
        d.fields(body, at, {
          http: (x, xat) => setIf(addresses, "http", address(d, x, xat)),
          ...ignoredKeys(d, why.rpc, ["rpc", "serf"]),
        });
        config.addresses = addresses;
      },
      advertise: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const advertise: NonNullable<AgentConfig["advertise"]> = {};
        d.fields(body, at, {
          http: (x, xat) => {
            const s = d.string(x, xat);
            if (s === undefined) return;
            if (!isTemplate(s) && !parseHostPort(s))
              d.fail(x.pos, xat, `expected "host" or "host:port", got ${JSON.stringify(s)}`);
            else advertise.http = s;
          },
          ...ignoredKeys(d, why.rpc, ["rpc", "serf"]),
        });
        config.advertise = advertise;
      },
      ports: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const ports: NonNullable<PartialAgentConfig["ports"]> = {};
        d.fields(body, at, {
          http: (p, pat) => setIf(ports, "http", d.int(p, pat, 0, 65535)),
          ...ignoredKeys(d, why.rpc, ["rpc", "serf"]),
        });
        config.ports = ports;
      },
      kubeconfig: (v, at) => setIf(config, "kubeconfig", d.string(v, at)),
      log_json: (v, at) => setIf(config, "logJson", d.bool(v, at)),
      log_level: (v, at) => {
        const s = d.string(v, at);
        if (s === undefined) return;
        const level = parseLogLevel(s);
        if (level) config.logLevel = level;
        else
          d.fail(
            v.pos,
            at,
            `unknown log level ${JSON.stringify(s)}; use one of ${logLevels.join(", ")}`,
          );
      },
      log_file: (v, at) => setIf(logFile, "path", d.string(v, at)),
      log_rotate_bytes: (v, at) => setIf(logFile, "rotateBytes", d.int(v, at)),
      log_rotate_duration: (v, at) => setIf(logFile, "rotateDuration", d.duration(v, at, '"24h"')),
      log_rotate_max_files: (v, at) => setIf(logFile, "rotateMaxFiles", d.int(v, at, -1)),
      server: (v, at) => {
        const body = d.block(v, at);
        if (body) config.server = decodeServer(d, body, at);
      },
      client: (v, at) => {
        const body = d.block(v, at);
        if (body) config.client = decodeClient(d, body, at);
      },
      acl: (v, at) => {
        const body = d.block(v, at);
        if (body) config.acl = decodeAcl(d, body, at);
      },
      tls: (v, at) => {
        const body = d.block(v, at);
        if (body) config.tls = decodeTls(d, body, at);
      },
      limits: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const limits: Partial<LimitsConfig> = {};
        // Nomad decodes limits without checking for unknown keys.
        d.fields(
          body,
          at,
          {
            http_max_conns_per_client: (x, xat) =>
              setIf(limits, "httpMaxConnsPerClient", d.int(x, xat, 0, 1_000_000)),
            https_handshake_timeout: ignored(d, why.notYet),
            ...ignoredKeys(d, why.rpc, ["rpc_handshake_timeout", "rpc_max_conns_per_client"]),
          },
          "warn",
        );
        config.limits = limits;
      },
      plugin: (v, at) => {
        const plugins = d.block(v, at);
        if (!plugins) return;
        config.plugins = {};
        for (const { key: name, value } of plugins) {
          const body = d.block(value, `${at}.${name}`);
          if (!body) continue;
          const pluginConfig: Record<string, unknown> = {};
          d.fields(body, `${at}.${name}`, {
            config: (c, cat) => {
              const cbody = d.block(c, cat);
              if (cbody)
                Object.assign(pluginConfig, plain({ kind: "object", fields: cbody, pos: c.pos }));
            },
            args: ignored(d, why.plugins),
          });
          config.plugins[name] = pluginConfig;
        }
      },
      telemetry: (v, at) => {
        const body = d.block(v, at);
        if (body) config.telemetry = decodeTelemetry(d, body, at);
      },
      consul: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const c = decodeConsul(d, body, at);
        config.consul = { ...config.consul, [c.name]: { ...config.consul?.[c.name], ...c } };
      },
      vault: (v, at) => {
        const body = d.block(v, at);
        if (!body) return;
        const c = decodeVault(d, body, at);
        config.vault = { ...config.vault, [c.name]: { ...config.vault?.[c.name], ...c } };
      },
      // Nomad's "nothing to do here": these switch off things Caravan never does.
      disable_update_check: (v, at) => void d.bool(v, at),
      disable_anonymous_signature: (v, at) => void d.bool(v, at),
      plugin_dir: ignored(d, why.plugins),
      log_include_location: ignored(d, why.notYet),
      enable_debug: ignored(d, "Caravan serves no /debug/pprof endpoints"),
      rpc: ignored(d, why.rpc),
      leave_on_interrupt: ignored(d, why.join),
      leave_on_terminate: ignored(d, why.join),
      enable_syslog: ignored(d, why.notYet),
      syslog_facility: ignored(d, why.notYet),
      http_api_response_headers: (v, at) =>
        setIf(config, "httpApiResponseHeaders", d.stringMap(v, at)),
      ui: ignored(d, why.ui),
      sentinel: ignored(d, why.enterprise),
      autopilot: ignored(d, why.raft),
      audit: ignored(d, why.enterprise),
      reporting: ignored(d, why.enterprise),
      keyring: ignored(d, "Caravan keeps its keyring in Kubernetes; it uses no external KMS"),
      eventlog: ignored(d, why.windows),
      // Keys of inner blocks that Nomad drops without a word at the top level
      // (it clears them from its unknown-key list for its JSON form).
      ...misplaced(d, "client", ["meta", "options", "chroot_env", "servers", "template"]),
      ...misplaced(d, "server", ["retry_join", "start_join", "enabled_schedulers"]),
      ...misplaced(d, "server or client", ["server_join"]),
      ...misplaced(d, "telemetry", ["datadog_tags"]),
      ...misplaced(d, "consul", ["service_identity", "task_identity"]),
      ...misplaced(d, "vault", ["default_identity"]),
      ...misplaced(d, "reporting", ["license"]),
      // Not Nomad's (Nomad refuses them); guides show them for federation.
      region_servers: ignored(
        d,
        "not a Nomad setting (Nomad refuses it); Caravan runs one region per cluster and does not federate regions yet",
      ),
      serf: ignored(d, `not a Nomad block (Nomad refuses it); ${why.rpc}`),
      // Inside client { } in Nomad; here at the top level Nomad 2 refuses it.
      host_volume: ignored(
        d,
        "Nomad reads host_volume inside client { } and refuses it at the top level; move it there",
      ),
    },
    "refuse",
    ["consul", "vault"],
  );

  if (Object.keys(logFile).length > 0) config.logFile = logFile;
  return { config, errors: d.errors, warnings: d.warnings };
}

function decodeServer(d: Decoder, body: Hcl1Object["fields"], path: string): Partial<ServerConfig> {
  const server: Partial<ServerConfig> = {};
  d.fields(body, path, {
    enabled: (x, at) => setIf(server, "enabled", d.bool(x, at)),
    num_schedulers: (x, at) => setIf(server, "numSchedulers", d.int(x, at, 0, 1024)),
    job_gc_interval: (x, at) => setIf(server, "jobGcInterval", d.duration(x, at, '"5m"')),
    job_gc_threshold: (x, at) => setIf(server, "jobGcThreshold", d.duration(x, at)),
    eval_gc_threshold: (x, at) => setIf(server, "evalGcThreshold", d.duration(x, at)),
    batch_eval_gc_threshold: (x, at) => setIf(server, "batchEvalGcThreshold", d.duration(x, at)),
    deployment_gc_threshold: (x, at) => setIf(server, "deploymentGcThreshold", d.duration(x, at)),
    node_gc_threshold: (x, at) => setIf(server, "nodeGcThreshold", d.duration(x, at)),
    acl_token_gc_threshold: (x, at) => setIf(server, "aclTokenGcThreshold", d.duration(x, at)),
    ...ignoredKeys(d, why.raft, [
      "bootstrap_expect",
      "data_dir",
      "protocol_version",
      "raft_protocol",
      "raft_multiplier",
      "raft_logstore",
      "raft_boltdb",
      "raft_snapshot_threshold",
      "raft_snapshot_interval",
      "raft_trailing_logs",
      "non_voting_server",
      "redundancy_zone",
      "upgrade_version",
    ]),
    ...ignoredKeys(d, why.join, [
      "start_join",
      "retry_join",
      "retry_max",
      "retry_interval",
      "rejoin_after_leave",
      "server_join",
    ]),
    ...ignoredKeys(d, why.rpc, ["encrypt", "authoritative_region"]),
    ...ignoredKeys(d, why.csi, [
      "csi_volume_claim_gc_interval",
      "csi_volume_claim_gc_threshold",
      "csi_plugin_gc_threshold",
    ]),
    ...ignoredKeys(d, why.enterprise, ["license_path", "non_production"]),
    ...ignoredKeys(d, why.notYet, [
      "client_introduction",
      "enabled_schedulers",
      "root_key_gc_interval",
      "root_key_gc_threshold",
      "root_key_rotation_threshold",
      "heartbeat_grace",
      "min_heartbeat_ttl",
      "max_heartbeats_per_second",
      "failover_heartbeat_ttl",
      "default_scheduler_config",
      "plan_rejection_tracker",
      "plan_apply_pipeline",
      "enable_event_broker",
      "event_buffer_size",
      "search",
      "deploy_query_rate_limit",
      "job_default_priority",
      "job_max_priority",
      "job_max_count",
      "job_max_source_size",
      "job_tracked_versions",
      "oidc_issuer",
      "start_timeout",
      "log_file",
    ]),
    // Nomad drops it here (it reads preemption from default_scheduler_config).
    preemption_config: ignored(d, why.nomadDrops),
    // Not Nomad's: Nomad 2 refuses these here. Read with a warning, so files
    // written for other Nomad versions and products still start.
    autopilot: ignored(
      d,
      `Nomad reads autopilot at the top level and refuses it in server; ${why.raft}`,
    ),
    snapshot_agent: ignored(
      d,
      "the snapshot agent is a Nomad Enterprise program with its own file (Nomad refuses it here); Caravan's state is in the Kubernetes API",
    ),
    enable_debug: ignored(
      d,
      "Nomad reads enable_debug at the top level and refuses it in server; Caravan serves no /debug/pprof endpoints",
    ),
  });
  return server;
}

function decodeAcl(d: Decoder, body: Hcl1Object["fields"], path: string): Partial<AclConfig> {
  const acl: Partial<AclConfig> = {};
  d.fields(body, path, {
    enabled: (x, at) => setIf(acl, "enabled", d.bool(x, at)),
    token_ttl: (x, at) => setIf(acl, "tokenTTL", d.duration(x, at, '"30s"')),
    policy_ttl: (x, at) => setIf(acl, "policyTTL", d.duration(x, at, '"30s"')),
    role_ttl: (x, at) => setIf(acl, "roleTTL", d.duration(x, at, '"30s"')),
    token_min_expiration_ttl: (x, at) => setIf(acl, "tokenMinExpirationTTL", d.duration(x, at)),
    token_max_expiration_ttl: (x, at) => setIf(acl, "tokenMaxExpirationTTL", d.duration(x, at)),
    replication_token: ignored(
      d,
      "Caravan runs one region per cluster; there is no ACL replication",
    ),
    // Not Nomad's (Nomad 2 refuses it); replication needs a replication_token.
    token_replication: ignored(
      d,
      "not a Nomad setting (Nomad refuses it); Caravan runs one region per cluster, with no ACL replication",
    ),
  });
  return acl;
}

function decodeTls(d: Decoder, body: Hcl1Object["fields"], path: string): Partial<TlsConfig> {
  const tls: Partial<TlsConfig> = {};
  // An empty path is no file.
  const file = (key: "caFile" | "certFile" | "keyFile") => (x: Hcl1Node, at: string) =>
    setIf(tls, key, d.string(x, at) || undefined);
  d.fields(body, path, {
    http: (x, at) => setIf(tls, "http", d.bool(x, at)),
    ca_file: file("caFile"),
    cert_file: file("certFile"),
    key_file: file("keyFile"),
    verify_https_client: (x, at) => setIf(tls, "verifyHttpsClient", d.bool(x, at)),
    ...ignoredKeys(d, why.rpc, ["rpc", "verify_server_hostname", "rpc_upgrade_mode"]),
    tls_min_version: (x, at) => {
      const v = d.string(x, at);
      if (v === undefined || v === "") return;
      const version = tlsVersions[v];
      if (version) tls.minVersion = version;
      else
        d.fail(
          x.pos,
          at,
          `unsupported TLS version ${JSON.stringify(v)}; use one of ${Object.keys(tlsVersions).join(", ")}`,
        );
    },
    tls_cipher_suites: ignored(d, why.notYet),
  });
  return tls;
}

/**
 * What only the merged configuration can tell (files are merged before it,
 * as Nomad merges them): TLS files for the settings that need them, and the
 * token expiration bounds in order.
 */
export function checkMerged(config: Pick<PartialAgentConfig, "acl" | "tls">): string[] {
  const errors: string[] = [];
  const { acl, tls } = config;
  if (tls?.http && (!tls.certFile || !tls.keyFile))
    errors.push("tls: http = true needs cert_file and key_file");
  if (tls?.verifyHttpsClient && !tls.caFile)
    errors.push(
      "tls: verify_https_client = true needs ca_file to verify client certificates against",
    );
  const minTTL = acl?.tokenMinExpirationTTL ?? defaultTokenMinExpirationTTL;
  const maxTTL = acl?.tokenMaxExpirationTTL ?? defaultTokenMaxExpirationTTL;
  const min = goDurationMs(minTTL);
  const max = goDurationMs(maxTTL);
  if (min !== undefined && max !== undefined && min > max)
    errors.push(
      `acl: token_min_expiration_ttl (${minTTL}) is more than token_max_expiration_ttl (${maxTTL})`,
    );
  return errors;
}

/** Nomad's tls_min_version values, as Node names them. */
const tlsVersions: Record<string, NonNullable<NonNullable<AgentConfig["tls"]>["minVersion"]>> = {
  tls10: "TLSv1",
  tls11: "TLSv1.1",
  tls12: "TLSv1.2",
  tls13: "TLSv1.3",
};

/** A parsed value as plain data (blocks as objects, repeated ones merged), for driver plugin config. */
export function plain(node: Hcl1Node): unknown {
  switch (node.kind) {
    case "null":
      return null;
    case "list":
      return node.items.map(plain);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const f of node.fields) {
        const v = plain(f.value);
        const prev = out[f.key];
        // Repeated blocks merge; a repeated attribute's last value wins.
        if (isRecord(prev) && isRecord(v)) out[f.key] = { ...prev, ...v };
        else out[f.key] = v;
      }
      return out;
    }
    default:
      return node.value;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Handlers for keys that belong in `block`, read at the top level with a warning. */
function misplaced(d: Decoder, block: string, keys: readonly string[]) {
  return ignoredKeys(
    d,
    `it belongs in ${block} { }; Nomad drops it at the top level, and so does Caravan`,
    keys,
  );
}

/** An address setting: an IP or host name, or a go-sockaddr template resolved at load. */
function address(d: Decoder, value: Hcl1Node, at: string): string | undefined {
  const s = d.string(value, at);
  if (s !== undefined && !isTemplate(s) && /[\s/]/.test(s))
    return d.fail(value.pos, at, `expected an IP address or host name, got ${JSON.stringify(s)}`);
  return s;
}
