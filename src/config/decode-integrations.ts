// The consul, vault and telemetry blocks of an agent configuration file, read
// into typed settings for the features that use them. A setting nothing acts
// on yet is named in one warning. Nomad decodes consul and vault loosely
// (unknown keys are dropped), so unknown keys there are warnings too.
import type { ConsulConfig, TelemetryConfig, VaultConfig } from "./agent-config.js";
import type { Decoder, Handler } from "./decoder.js";
import type { Hcl1Field } from "./hcl1/parser.js";
import { ignoredKeys, why } from "./ignored.js";

type Kind = "string" | "bool" | "duration" | "strings";

/** Handlers that read each setting by its kind into `target[name]`, and warn that it is not used yet. */
function stored<T extends object>(
  d: Decoder,
  target: T,
  settings: Record<string, [keyof T, Kind]>,
  unused: string,
): Record<string, Handler> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, [name, kind]]) => [
      key,
      ((value, at, field) => {
        const read =
          kind === "bool"
            ? d.bool(value, at)
            : kind === "duration"
              ? d.duration(value, at)
              : kind === "strings"
                ? d.strings(value, at)
                : d.string(value, at);
        if (read === undefined) return;
        (target as Record<string, unknown>)[name as string] = read;
        d.ignore(field.pos, at, unused);
      }) satisfies Handler,
    ]),
  );
}

export function decodeConsul(d: Decoder, body: readonly Hcl1Field[], path: string): ConsulConfig {
  const c: ConsulConfig = { name: "default" };
  d.fields(
    body,
    path,
    {
      name: (v, at) => {
        c.name = d.string(v, at) || "default";
      },
      ...stored(
        d,
        c,
        {
          address: ["address", "string"],
          grpc_address: ["grpcAddress", "string"],
          token: ["token", "string"],
          auth: ["auth", "string"],
          ssl: ["ssl", "bool"],
          verify_ssl: ["verifySsl", "bool"],
          ca_file: ["caFile", "string"],
          cert_file: ["certFile", "string"],
          key_file: ["keyFile", "string"],
          namespace: ["namespace", "string"],
          timeout: ["timeout", "duration"],
          tags: ["tags", "strings"],
          server_service_name: ["serverServiceName", "string"],
          client_service_name: ["clientServiceName", "string"],
          auto_advertise: ["autoAdvertise", "bool"],
          checks_use_advertise: ["checksUseAdvertise", "bool"],
          server_auto_join: ["serverAutoJoin", "bool"],
          client_auto_join: ["clientAutoJoin", "bool"],
          service_auth_method: ["serviceAuthMethod", "string"],
          task_auth_method: ["taskAuthMethod", "string"],
        },
        why.consul,
      ),
      ...ignoredKeys(d, why.consul, [
        "server_http_check_name",
        "server_serf_check_name",
        "server_rpc_check_name",
        "server_failures_before_critical",
        "server_failures_before_warning",
        "client_http_check_name",
        "client_failures_before_critical",
        "client_failures_before_warning",
        "share_ssl",
        "grpc_ca_file",
        "service_identity",
        "task_identity",
      ]),
    },
    "warn",
  );
  return c;
}

export function decodeVault(d: Decoder, body: readonly Hcl1Field[], path: string): VaultConfig {
  const c: VaultConfig = { name: "default" };
  d.fields(
    body,
    path,
    {
      name: (v, at) => {
        c.name = d.string(v, at) || "default";
      },
      ...stored(
        d,
        c,
        {
          enabled: ["enabled", "bool"],
          address: ["address", "string"],
          namespace: ["namespace", "string"],
          create_from_role: ["createFromRole", "string"],
          jwt_auth_backend_path: ["jwtAuthBackendPath", "string"],
          ca_file: ["caFile", "string"],
          ca_path: ["caPath", "string"],
          cert_file: ["certFile", "string"],
          key_file: ["keyFile", "string"],
          tls_skip_verify: ["tlsSkipVerify", "bool"],
          tls_server_name: ["tlsServerName", "string"],
        },
        why.vault,
      ),
      ...ignoredKeys(d, why.vault, ["default_identity", "token"]),
    },
    "warn",
  );
  return c;
}

export function decodeTelemetry(
  d: Decoder,
  body: readonly Hcl1Field[],
  path: string,
): Partial<TelemetryConfig> {
  const t: Partial<TelemetryConfig> = {};
  d.fields(body, path, {
    // Caravan always serves /v1/metrics in both formats; true is what it does.
    prometheus_metrics: (v, at, field) => {
      const on = d.bool(v, at);
      if (on === undefined) return;
      t.prometheusMetrics = on;
      if (!on) d.ignore(field.pos, at, "Caravan always serves /v1/metrics?format=prometheus");
    },
    ...stored(
      d,
      t,
      { collection_interval: ["collectionInterval", "duration"] },
      "Caravan reads its metrics when /v1/metrics is scraped, not on an interval",
    ),
    ...stored(
      d,
      t,
      { disable_hostname: ["disableHostname", "bool"] },
      "Caravan's metric names never carry the host name",
    ),
    ...stored(
      d,
      t,
      {
        publish_allocation_metrics: ["publishAllocationMetrics", "bool"],
        publish_node_metrics: ["publishNodeMetrics", "bool"],
      },
      "Caravan does not publish allocation or node metrics yet",
    ),
    ...ignoredKeys(d, why.telemetrySink, [
      "statsite_address",
      "statsd_address",
      "datadog_address",
      "datadog_tags",
      "circonus_api_token",
      "circonus_api_app",
      "circonus_api_url",
      "circonus_submission_interval",
      "circonus_submission_url",
      "circonus_check_id",
      "circonus_check_force_metric_activation",
      "circonus_check_instance_id",
      "circonus_check_search_tag",
      "circonus_check_tags",
      "circonus_check_display_name",
      "circonus_broker_id",
      "circonus_broker_select_tag",
    ]),
    ...ignoredKeys(d, why.telemetry, [
      "in_memory_collection_interval",
      "in_memory_retention_period",
      "use_node_name",
      "include_alloc_metadata_in_metrics",
      "allowed_metadata_keys_in_metrics",
      "prefix_filter",
      "filter_default",
      "disable_dispatched_job_summary_metrics",
      "disable_quota_utilization_metrics",
      "disable_rpc_rate_metrics_labels",
      "disable_allocation_hook_metrics",
    ]),
  });
  return t;
}
