// Every agent configuration snippet of the seed documents (carried in
// test/config/seeds) passes `caravan config validate`: each loads, and each
// setting Caravan ignores is named in exactly one warning line at its line.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../src/config/load.js";
import { readPluginConfig } from "../../../src/drivers/docker/config.js";

const dir = path.join(import.meta.dirname, "../../config/seeds");

/** Per file: "line:setting" of each ignored setting, in file order. */
const ignoredSettings: Record<string, string[]> = {
  "000-server.hcl": [
    "7:server.bootstrap_expect",
    "9:server.server_join",
    "15:server.raft_protocol",
    "20:consul.address",
    "21:consul.server_service_name",
    "22:consul.server_auto_join",
    "23:consul.client_service_name",
    "24:consul.client_auto_join",
    "29:vault.enabled",
    "30:vault.address",
    "41:tls.rpc",
    "47:tls.verify_server_hostname",
  ],
  "000-client.hcl": [
    "7:client.servers",
    "39:host_volume",
    "46:consul.address",
    "51:telemetry.publish_allocation_metrics",
    "52:telemetry.publish_node_metrics",
  ],
  "000-federated.hcl": ["2:region_servers", "9:serf"],
  "000-server-ha.hcl": [
    "4:server.bootstrap_expect",
    "7:server.autopilot",
    "16:server.raft_multiplier",
    "19:server.snapshot_agent",
  ],
  "000-acl-tls-sentinel.hcl": [
    "6:acl.token_replication",
    "12:tls.rpc",
    "18:tls.verify_server_hostname",
    "22:tls.rpc_upgrade_mode",
    "26:sentinel",
  ],
  // The allow/deny lists work (as Nomad's fingerprint options); the warning says Nomad refuses this form.
  "000-performance.hcl": ["5:client.fingerprint.whitelist", "6:client.fingerprint.blacklist"],
  "003-federation-server.hcl": [
    "7:server.bootstrap_expect",
    "12:advertise.rpc",
    "13:advertise.serf",
    "16:server_join",
  ],
  "003-acl.hcl": [],
  "003-vault.hcl": [
    "3:vault.enabled",
    "4:vault.address",
    "5:vault.create_from_role",
    "6:vault.task_token_ttl",
    "7:vault.task_token_no_default_policy",
  ],
  "003-consul.hcl": [
    "3:consul.address",
    "4:consul.server_service_name",
    "5:consul.client_service_name",
    "6:consul.auto_advertise",
    "7:consul.server_auto_join",
    "8:consul.client_auto_join",
  ],
  "003-telemetry.hcl": [
    "3:telemetry.collection_interval",
    "4:telemetry.disable_hostname",
    "6:telemetry.publish_allocation_metrics",
    "7:telemetry.publish_node_metrics",
  ],
  "003-logging.hcl": [],
  "003-server-tuning.hcl": [
    "4:server.bootstrap_expect",
    "5:server.retry_join",
    "6:server.retry_max",
    "7:server.retry_interval",
    "8:server.start_join",
    "9:server.rejoin_after_leave",
    "10:server.non_voting_server",
    "11:server.redundancy_zone",
    "12:server.upgrade_version",
    "13:server.enable_debug",
  ],
  "003-client-tuning.hcl": ["4:client.servers", "7:client.servers_join"],
  "003-limits.hcl": ["4:limits.rpc_max_conns_per_client"],
};

async function load(name: string) {
  return loadAgentConfig({ files: [path.join(dir, name)], interfaces: {} });
}

describe("the seed documents' agent configuration snippets", () => {
  it("are all carried here", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".hcl"));
    expect(files.sort()).toEqual(Object.keys(ignoredSettings).sort());
    expect(files).toHaveLength(15);
  });

  for (const [name, settings] of Object.entries(ignoredSettings)) {
    it(`${name} loads, with one warning per ignored setting`, async () => {
      const result = await load(name);
      expect(result.ok ? [] : result.errors).toEqual([]);
      const named = result.warnings.map((w) => {
        const m = /^(.+?):(\d+): (\S+) is (?:ignored:|read as )/.exec(w);
        expect(m, w).not.toBeNull();
        expect(path.basename(m?.[1] ?? "")).toBe(name);
        return `${m?.[2]}:${m?.[3]}`;
      });
      expect(named).toEqual(settings);
    });
  }

  it("read the settings that work", async () => {
    const server = await load("000-server.hcl");
    expect(server.ok).toBe(true);
    if (!server.ok) return;
    expect(server.config.server.enabled).toBe(true);
    expect(server.config.dataDir).toBe("/opt/nomad");
    expect(server.config.acl?.enabled).toBe(true);
    expect(server.config.tls).toMatchObject({ http: true, verifyHttpsClient: true });
    expect(server.config.consul?.default?.address).toBe("127.0.0.1:8500");
    expect(server.config.vault?.default).toMatchObject({ enabled: true });

    const client = await load("000-client.hcl");
    expect(client.ok).toBe(true);
    if (!client.ok) return;
    expect(client.config.client).toMatchObject({
      enabled: true,
      nodeClass: "compute",
      options: { "driver.raw_exec.enable": "0", "docker.volumes.enabled": "true" },
    });
    // The docker plugin block reads as the docker driver takes it.
    const docker = client.config.plugins.docker ?? {};
    expect(readPluginConfig(docker)).toMatchObject({ ok: true });
    expect(client.config.telemetry).toMatchObject({ prometheusMetrics: true });

    const perf = await load("000-performance.hcl");
    expect(perf.ok && perf.config.client.options).toEqual({
      "fingerprint.allowlist": "cpu,memory,disk,network",
      "fingerprint.denylist": "env_aws,env_gce",
    });
    expect(perf.ok && perf.config.client.gc).toEqual({
      interval: "1m",
      parallelDestroys: 2,
      diskUsageThreshold: 80,
      inodeUsageThreshold: 70,
      maxAllocs: 100,
    });
    expect(perf.ok && perf.config.server).toMatchObject({
      numSchedulers: 8,
      jobGcInterval: "5m",
      jobGcThreshold: "4h",
      deploymentGcThreshold: "1h",
    });

    const logging = await load("003-logging.hcl");
    expect(logging.ok && logging.config.logFile).toEqual({
      path: "/var/log/nomad.log",
      rotateBytes: 100000000,
      rotateDuration: "24h",
      rotateMaxFiles: 5,
    });
    expect(logging.ok && [logging.config.logLevel, logging.config.logJson]).toEqual(["info", true]);

    const tuning = await load("003-client-tuning.hcl");
    expect(tuning.ok && tuning.config.client.meta).toEqual({
      environment: "production",
      rack: "rack1",
    });
    expect(tuning.ok && tuning.config.client.chrootEnv?.["/lib64"]).toBe("/lib64");
  });
});

describe("Nomad's agent configuration keys", () => {
  it("are all known: none is refused as an unexpected key", async () => {
    const file = path.join(dir, "../nomad-agent-keys.hcl");
    const result = await loadAgentConfig({ files: [file], interfaces: {} });
    const errors = result.ok ? [] : result.errors;
    expect(errors.filter((e) => e.includes("unexpected keys"))).toEqual([]);
    // The placeholder values are wrong for settings that work, so some errors there are.
    expect(errors.length).toBeGreaterThan(0);
    expect(result.warnings.length).toBeGreaterThan(100);
  });
});
