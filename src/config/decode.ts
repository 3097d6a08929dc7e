// Decodes the JSON form of a Nomad-style agent configuration file (HCL parsed
// by hcl2json, or a .json file) into a partial AgentConfig. Unknown keys are
// errors, as in Nomad, so a typo never silently does nothing.
import { goDurationMs, parseGoDuration } from "../common/duration.js";
import type { LogLevel } from "../common/log.js";
import {
  type AgentConfig,
  type ClientConfig,
  defaultTokenMaxExpirationTTL,
  defaultTokenMinExpirationTTL,
  type ServerConfig,
} from "./agent-config.js";
import { isTemplate, parseHostPort } from "./sockaddr.js";

export type PartialAgentConfig = Partial<Omit<AgentConfig, "server" | "client" | "ports">> & {
  server?: Partial<ServerConfig>;
  client?: Partial<ClientConfig>;
  ports?: Partial<AgentConfig["ports"]>;
};

type Obj = Record<string, unknown>;

class Decoder {
  readonly errors: string[] = [];
  constructor(private readonly file: string) {}

  fail(path: string, message: string): undefined {
    this.errors.push(`${this.file}: ${path}: ${message}`);
    return undefined;
  }

  /** hcl2json writes a block as a list of bodies; Nomad merges repeated ones. */
  block(value: unknown, path: string): Obj | undefined {
    const bodies = Array.isArray(value) ? value : [value];
    const merged: Obj = {};
    for (const body of bodies) {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return this.fail(path, "expected a block");
      }
      Object.assign(merged, body);
    }
    return merged;
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return this.fail(path, `expected a string, got ${JSON.stringify(value)}`);
  }

  bool(value: unknown, path: string): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    return this.fail(path, `expected true or false, got ${JSON.stringify(value)}`);
  }

  int(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n === "number" && Number.isInteger(n) && n >= min && n <= max) return n;
    return this.fail(
      path,
      `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }

  stringMap(value: unknown, path: string): Record<string, string> | undefined {
    const body = this.block(value, path);
    if (!body) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      const s = this.string(v, `${path}.${k}`);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }

  /** Calls the handler for each key, reporting keys it does not know. */
  fields(
    body: Obj,
    path: string,
    handlers: Record<string, (value: unknown, at: string) => void>,
  ): void {
    for (const [key, value] of Object.entries(body)) {
      const at = path ? `${path}.${key}` : key;
      const handler = handlers[key];
      if (handler) handler(value, at);
      else this.fail(at, `unknown setting; expected one of ${Object.keys(handlers).join(", ")}`);
    }
  }
}

const logLevels: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error"];

export function parseLogLevel(value: string): LogLevel | undefined {
  const level = value.toLowerCase();
  return (logLevels as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}

export function decodeAgentConfig(
  file: string,
  raw: unknown,
): { ok: true; config: PartialAgentConfig } | { ok: false; errors: string[] } {
  const d = new Decoder(file);
  const config: PartialAgentConfig = {};
  const root = d.block(raw, "(file)") ?? {};

  d.fields(root, "", {
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
        // Nomad's server RPC and gossip: there are none here.
        rpc: (x, xat) => void d.string(x, xat),
        serf: (x, xat) => void d.string(x, xat),
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
            d.fail(xat, `expected "host" or "host:port", got ${JSON.stringify(s)}`);
          else advertise.http = s;
        },
        rpc: (x, xat) => void d.string(x, xat),
        serf: (x, xat) => void d.string(x, xat),
      });
      config.advertise = advertise;
    },
    kubeconfig: (v, at) => setIf(config, "kubeconfig", d.string(v, at)),
    log_json: (v, at) => setIf(config, "logJson", d.bool(v, at)),
    log_level: (v, at) => {
      const s = d.string(v, at);
      if (s === undefined) return;
      const level = parseLogLevel(s);
      if (level) config.logLevel = level;
      else d.fail(at, `unknown log level ${JSON.stringify(s)}; use one of ${logLevels.join(", ")}`);
    },
    ports: (v, at) => {
      const body = d.block(v, at);
      if (!body) return;
      const ports: NonNullable<PartialAgentConfig["ports"]> = {};
      d.fields(body, at, { http: (p, pat) => setIf(ports, "http", d.int(p, pat, 0, 65535)) });
      config.ports = ports;
    },
    server: (v, at) => {
      const body = d.block(v, at);
      if (!body) return;
      const server: Partial<ServerConfig> = {};
      d.fields(body, at, {
        enabled: (x, xat) => setIf(server, "enabled", d.bool(x, xat)),
        num_schedulers: (x, xat) => setIf(server, "numSchedulers", d.int(x, xat, 0, 1024)),
        job_gc_threshold: (x, xat) => setIf(server, "jobGcThreshold", goDuration(d, x, xat)),
        eval_gc_threshold: (x, xat) => setIf(server, "evalGcThreshold", goDuration(d, x, xat)),
        batch_eval_gc_threshold: (x, xat) =>
          setIf(server, "batchEvalGcThreshold", goDuration(d, x, xat)),
        deployment_gc_threshold: (x, xat) =>
          setIf(server, "deploymentGcThreshold", goDuration(d, x, xat)),
        node_gc_threshold: (x, xat) => setIf(server, "nodeGcThreshold", goDuration(d, x, xat)),
        acl_token_gc_threshold: (x, xat) =>
          setIf(server, "aclTokenGcThreshold", goDuration(d, x, xat)),
      });
      config.server = server;
    },
    client: (v, at) => {
      const body = d.block(v, at);
      if (body) config.client = decodeClient(d, body, at);
    },
    acl: (v, at) => {
      const body = d.block(v, at);
      if (!body) return;
      const acl: NonNullable<AgentConfig["acl"]> = { enabled: false };
      d.fields(body, at, {
        enabled: (x, xat) => {
          acl.enabled = d.bool(x, xat) ?? false;
        },
        token_ttl: (x, xat) => setIf(acl, "tokenTTL", goDuration(d, x, xat, '"30s"')),
        token_min_expiration_ttl: (x, xat) =>
          setIf(acl, "tokenMinExpirationTTL", goDuration(d, x, xat)),
        token_max_expiration_ttl: (x, xat) =>
          setIf(acl, "tokenMaxExpirationTTL", goDuration(d, x, xat)),
      });
      const min = goDurationMs(acl.tokenMinExpirationTTL ?? defaultTokenMinExpirationTTL);
      const max = goDurationMs(acl.tokenMaxExpirationTTL ?? defaultTokenMaxExpirationTTL);
      if (min !== undefined && max !== undefined && min > max)
        d.fail(
          at,
          `token_min_expiration_ttl (${acl.tokenMinExpirationTTL ?? defaultTokenMinExpirationTTL}) is more than token_max_expiration_ttl (${acl.tokenMaxExpirationTTL ?? defaultTokenMaxExpirationTTL})`,
        );
      config.acl = acl;
    },
    tls: (v, at) => {
      const body = d.block(v, at);
      if (!body) return;
      const tls: NonNullable<AgentConfig["tls"]> = { http: false, verifyHttpsClient: false };
      // An empty path is no file.
      const path = (key: "caFile" | "certFile" | "keyFile") => (x: unknown, xat: string) =>
        setIf(tls, key, d.string(x, xat) || undefined);
      d.fields(body, at, {
        http: (x, xat) => {
          tls.http = d.bool(x, xat) ?? false;
        },
        rpc: (x, xat) => void d.bool(x, xat),
        ca_file: path("caFile"),
        cert_file: path("certFile"),
        key_file: path("keyFile"),
        verify_https_client: (x, xat) => {
          tls.verifyHttpsClient = d.bool(x, xat) ?? false;
        },
        verify_server_hostname: (x, xat) => void d.bool(x, xat),
      });
      if (tls.http && (!tls.certFile || !tls.keyFile))
        d.fail(at, "http = true needs cert_file and key_file");
      if (tls.verifyHttpsClient && !tls.caFile)
        d.fail(
          at,
          "verify_https_client = true needs ca_file to verify client certificates against",
        );
      config.tls = tls;
    },
    limits: (v, at) => {
      const body = d.block(v, at);
      if (!body) return;
      const limits: NonNullable<AgentConfig["limits"]> = { httpMaxConnsPerClient: 100 };
      d.fields(body, at, {
        http_max_conns_per_client: (x, xat) =>
          setIf(limits, "httpMaxConnsPerClient", d.int(x, xat, 0, 1_000_000)),
      });
      config.limits = limits;
    },
    plugin: (v, at) => {
      const plugins = d.block(v, at);
      if (!plugins) return;
      config.plugins = {};
      for (const [name, value] of Object.entries(plugins)) {
        const body = d.block(value, `${at}.${name}`);
        if (!body) continue;
        const pluginConfig: Record<string, unknown> = {};
        d.fields(body, `${at}.${name}`, {
          config: (c, cat) => Object.assign(pluginConfig, d.block(c, cat)),
          args: () => {},
        });
        config.plugins[name] = pluginConfig;
      }
    },
  });

  return d.errors.length > 0 ? { ok: false, errors: d.errors } : { ok: true, config };
}

function decodeClient(d: Decoder, body: Obj, path: string): Partial<ClientConfig> {
  const client: Partial<ClientConfig> = {};
  const gc: NonNullable<ClientConfig["gc"]> = {};
  d.fields(body, path, {
    enabled: (v, at) => setIf(client, "enabled", d.bool(v, at)),
    node_class: (v, at) => setIf(client, "nodeClass", d.string(v, at)),
    node_pool: (v, at) => setIf(client, "nodePool", d.string(v, at)),
    meta: (v, at) => setIf(client, "meta", d.stringMap(v, at)),
    options: (v, at) => setIf(client, "options", d.stringMap(v, at)),
    chroot_env: (v, at) => setIf(client, "chrootEnv", d.stringMap(v, at)),
    gc_interval: (v, at) => setIf(gc, "interval", goDuration(d, v, at, '"1m"')),
    gc_max_allocs: (v, at) => setIf(gc, "maxAllocs", d.int(v, at, 1)),
    gc_disk_usage_threshold: (v, at) => setIf(gc, "diskUsageThreshold", d.int(v, at, 0, 100)),
    // Accepted for Nomad compatibility; the collector removes one dir at a time and checks disk space only.
    gc_inode_usage_threshold: (v, at) => void d.int(v, at, 0, 100),
    gc_parallel_destroys: (v, at) => void d.int(v, at, 1),
    reserved: (v, at) => {
      const r = d.block(v, at);
      if (!r) return;
      const reserved: Record<string, string | number> = {};
      d.fields(r, at, {
        cpu: (x, xat) => setIf(reserved, "cpu", d.int(x, xat)),
        memory: (x, xat) => setIf(reserved, "memory", d.int(x, xat)),
        disk: (x, xat) => setIf(reserved, "disk", d.int(x, xat)),
        reserved_ports: (x, xat) => setIf(reserved, "reserved_ports", d.string(x, xat)),
      });
      client.reserved = reserved;
    },
    host_volume: (v, at) => {
      const volumes = d.block(v, at);
      if (!volumes) return;
      client.hostVolumes = {};
      for (const [name, value] of Object.entries(volumes)) {
        const vol = d.block(value, `${at}.${name}`);
        if (!vol) continue;
        let hostPath: string | undefined;
        let readOnly = false;
        d.fields(vol, `${at}.${name}`, {
          path: (x, xat) => {
            hostPath = d.string(x, xat);
          },
          read_only: (x, xat) => {
            readOnly = d.bool(x, xat) ?? false;
          },
        });
        if (hostPath === undefined) d.fail(`${at}.${name}.path`, "required");
        else client.hostVolumes[name] = { path: hostPath, readOnly };
      }
    },
  });
  if (Object.keys(gc).length > 0) client.gc = gc;
  return client;
}

/** Sets `key` to a value that decoded; one that did not was reported, and changes nothing. */
function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) {
  if (value !== undefined) target[key] = value;
}

/**
 * A Go duration ("4h", "1h30m", "90s"), refused with the setting named when it
 * is not one; `example` is the one the error suggests.
 */
function goDuration(
  d: Decoder,
  value: unknown,
  at: string,
  example = '"4h" or "30m"',
): string | undefined {
  const s = d.string(value, at);
  if (s === undefined) return undefined;
  if (!parseGoDuration(s).ok)
    return d.fail(at, `expected a duration such as ${example}, got ${JSON.stringify(s)}`);
  return s;
}

/** An address setting: an IP or host name, or a go-sockaddr template resolved at load. */
function address(d: Decoder, value: unknown, at: string): string | undefined {
  const s = d.string(value, at);
  if (s !== undefined && !isTemplate(s) && /[\s/]/.test(s))
    return d.fail(at, `expected an IP address or host name, got ${JSON.stringify(s)}`);
  return s;
}
