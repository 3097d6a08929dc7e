// Settings of Nomad's agent configuration read as Nomad reads them.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/common/log.js";
import { loadAgentConfig } from "../../../src/config/load.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-settings-"));
let n = 0;
async function load(...texts: string[]) {
  const files = texts.map((t) => {
    const f = path.join(dir, `${n++}.hcl`);
    writeFileSync(f, t);
    return f;
  });
  return loadAgentConfig({ files, interfaces: {} });
}

describe("agent settings", () => {
  it("http_api_response_headers and tls_min_version", async () => {
    const r = await load(`
      http_api_response_headers { "Access-Control-Allow-Origin" = "*" }
      tls {
        http = true
        cert_file = "c.pem"
        key_file = "k.pem"
        tls_min_version = "tls13"
      }`);
    expect(r.ok && r.config.httpApiResponseHeaders).toEqual({ "Access-Control-Allow-Origin": "*" });
    expect(r.ok && r.config.tls?.minVersion).toBe("TLSv1.3");
    const bad = await load('tls {\n  tls_min_version = "ssl3"\n}\n');
    expect(bad.ok ? [] : bad.errors).toEqual([
      expect.stringMatching(
        /:2:21: tls\.tls_min_version: unsupported TLS version "ssl3"; use one of tls10, tls11, tls12, tls13$/,
      ),
    ]);
  });

  it("log_file in one file and its rotation in another make one log file setting", async () => {
    const r = await load('log_file = "/var/log/caravan/"\n', 'log_rotate_duration = "1h"\n');
    expect(r.ok && r.config.logFile).toEqual({
      path: "/var/log/caravan/",
      rotateBytes: 0,
      rotateDuration: "1h",
      rotateMaxFiles: 0,
    });
    const bad = await load('log_rotate_duration = "daily"\n');
    expect(bad.ok ? [] : bad.errors).toEqual([
      expect.stringMatching(
        /:1:23: log_rotate_duration: expected a duration such as "24h", got "daily"$/,
      ),
    ]);
  });

  it("consul and vault blocks, one per cluster name; their unknown keys are warnings, as Nomad drops them", async () => {
    const r = await load(`
      consul { address = "127.0.0.1:8500" }
      consul {
        name    = "other"
        address = "10.0.0.1:8500"
        made_up = 1
      }
      vault { enabled = true }`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.consul).toEqual({
      default: { name: "default", address: "127.0.0.1:8500" },
      other: { name: "other", address: "10.0.0.1:8500" },
    });
    expect(r.config.vault).toEqual({ default: { name: "default", enabled: true } });
    expect(r.warnings.filter((w) => w.includes("consul.made_up"))).toEqual([
      expect.stringMatching(
        /:6: consul\.made_up is ignored: not a setting Nomad knows; Nomad drops it too$/,
      ),
    ]);
  });

  it("merges blocks across files setting by setting before checking them, as Nomad merges its files", async () => {
    const r = await load(
      'tls {\n  http = true\n  cert_file = "c.pem"\n}\nacl { enabled = true }\n',
      'tls { key_file = "k.pem" }\nacl { token_ttl = "1m" }\nlimits { http_max_conns_per_client = 5 }\n',
    );
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.config.tls).toEqual({
      http: true,
      verifyHttpsClient: false,
      certFile: "c.pem",
      keyFile: "k.pem",
    });
    expect(r.config.acl).toEqual({ enabled: true, tokenTTL: "1m" });
    expect(r.config.limits).toEqual({ httpMaxConnsPerClient: 5 });
    const incomplete = await load("tls { http = true }\n", 'tls { cert_file = "c.pem" }\n');
    expect(incomplete.ok ? [] : incomplete.errors).toEqual([
      "tls: http = true needs cert_file and key_file",
    ]);
  });

  it("reads the client's fingerprint overrides", async () => {
    const r = await load(
      "client {\n  cpu_total_compute = 4000\n  memory_total_mb = 2048\n  disk_total_mb = 10\n  disk_free_mb = 5\n}\n",
    );
    expect(r.ok && r.config.client).toMatchObject({
      cpuTotalCompute: 4000,
      memoryTotalMB: 2048,
      diskTotalMB: 10,
      diskFreeMB: 5,
    });
    expect(r.warnings).toEqual([]);
  });

  it("reads client.network_interface, refusing one this host does not have", async () => {
    const file = path.join(dir, "nic.hcl");
    writeFileSync(file, 'client {\n  network_interface = "eth9"\n}\n');
    const lo = { lo: [] };
    const missing = await loadAgentConfig({ files: [file], interfaces: lo });
    expect(missing.ok ? [] : missing.errors).toEqual([
      'client.network_interface: no interface "eth9" on this host',
    ]);
    const found = await loadAgentConfig({ files: [file], interfaces: { ...lo, eth9: [] } });
    expect(found.ok && found.config.client.networkInterface).toBe("eth9");
  });

  it("reads the CNI settings and host networks, refusing a subnet or CIDR that is not one", async () => {
    const r = await load(`
      client {
        cni_path = "/opt/cni/bin"
        cni_config_dir = "/etc/cni/net.d"
        bridge_network_name = "br0"
        bridge_network_subnet = "10.42.0.0/16"
        bridge_network_hairpin_mode = true
        host_network "public" {
          cidr = "203.0.113.0/24"
          reserved_ports = "22"
        }
        host_network "lan" { interface = "eth1" }
      }
    `);
    expect(r.ok && r.warnings).toEqual([]);
    expect(r.ok && r.config.client).toMatchObject({
      cniPath: "/opt/cni/bin",
      cniConfigDir: "/etc/cni/net.d",
      bridgeNetworkName: "br0",
      bridgeNetworkSubnet: "10.42.0.0/16",
      bridgeNetworkHairpinMode: true,
      hostNetworks: {
        public: { cidr: "203.0.113.0/24", reservedPorts: "22" },
        lan: { interface: "eth1" },
      },
    });
    const bad = await load(`
      client {
        bridge_network_subnet = "10.42.0.0"
        host_network "x" { cidr = "10.0.0.0/8,nope" }
      }
    `);
    expect(bad.ok ? [] : bad.errors.join("\n")).toMatch(
      /client.bridge_network_subnet: "10.42.0.0" is not an IPv4 subnet/,
    );
    expect(bad.ok ? [] : bad.errors.join("\n")).toMatch(
      /client.host_network.x.cidr: "nope" is not an IPv4 CIDR/,
    );
  });

  it("merges a block written twice, and reads a repeated setting's last value", async () => {
    const r = await load(`
      client { meta { a = "1" } }
      client {
        enabled = true
        meta { b = "2" }
      }
      datacenter = "dc1"
      datacenter = "dc2"`);
    expect(r.ok && r.config.client.meta).toEqual({ a: "1", b: "2" });
    expect(r.ok && r.config.client.enabled).toBe(true);
    expect(r.ok && r.config.datacenter).toBe("dc2");
  });

  it("reads booleans and numbers as hcl v1 does: quoted, or 1 and 0", async () => {
    const r = await load('client {\n  enabled = "1"\n  gc_max_allocs = "20"\n}\nlog_json = 0\n');
    expect(
      r.ok && [r.config.client.enabled, r.config.client.gc?.maxAllocs, r.config.logJson],
    ).toEqual([true, 20, false]);
  });
});

describe("log_level", () => {
  it("takes Nomad's levels in any case, OFF too, which logs nothing", async () => {
    for (const [written, level] of [
      ["TRACE", "trace"],
      ["Warn", "warn"],
      ["ERROR", "error"],
      ["OFF", "off"],
    ]) {
      const r = await load(`log_level = "${written}"\n`);
      expect(r.ok && r.config.logLevel).toBe(level);
    }
    const lines: string[] = [];
    const log = createLogger({
      level: "off",
      json: true,
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    log.error("not written");
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual([]);
  });
});
