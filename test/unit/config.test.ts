import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../src/config/load.js";
import { thresholdsFrom } from "../../src/controllers/gc/collect.js";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "caravan-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("agent configuration", () => {
  it("reads Nomad-style HCL, merges files in order, then env, then flags", async () => {
    const dir = dirWith({
      "10-base.hcl": `
        datacenter = "dc1"
        log_level  = "DEBUG"
        server { enabled = true }
        client {
          enabled = true
          meta { rack = "r1" }
          options = { "driver.raw_exec.enable" = "1" }
          host_volume "data" { path = "/opt/data" }
        }
        plugin "docker" {
          config { endpoint = "unix:///var/run/docker.sock" }
        }`,
      "20-override.json": JSON.stringify({
        datacenter: "eu-west",
        client: { meta: { zone: "a" } },
      }),
    });
    const result = await loadAgentConfig({
      files: [dir],
      env: { CARAVAN_LOG_JSON: "true" },
      flags: { logLevel: "warn" },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.config;
    expect(c.datacenter).toBe("eu-west");
    expect(c.logLevel).toBe("warn");
    expect(c.logJson).toBe(true);
    expect(c.server.enabled).toBe(true);
    expect(c.client.meta).toEqual({ rack: "r1", zone: "a" });
    expect(c.client.options["driver.raw_exec.enable"]).toBe("1");
    expect(c.client.hostVolumes.data).toEqual({ path: "/opt/data", readOnly: false });
    expect(c.plugins.docker).toEqual({ endpoint: "unix:///var/run/docker.sock" });
    expect(c.ports.http).toBe(4646);
  });

  it("names the file, line and column of a syntax error", async () => {
    const dir = dirWith({ "bad.hcl": 'datacenter = "dc1"\nserver {\n  enabled = \n}\n' });
    const result = await loadAgentConfig({ files: [path.join(dir, "bad.hcl")] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // hcl v1 passes over the missing value and then misses a closing brace.
    expect(result.errors[0]).toMatch(/bad\.hcl:5:1: object expected closing RBRACE got: EOF/);
  });

  it("rejects unknown settings and wrong types with the setting's path", async () => {
    const dir = dirWith({
      "a.hcl": 'server {\n  enabeld = true\n}\nports { http = 99999 }\nlog_level = "loud"\n',
    });
    const result = await loadAgentConfig({ files: [dir] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join("\n");
    expect(text).toMatch(/a\.hcl:2:3: server unexpected keys enabeld/);
    expect(text).toContain("ports.http: expected a whole number from 0 to 65535");
    expect(text).toContain('log_level: unknown log level "loud"');
  });

  it("reads the server's garbage collection thresholds as Go durations, and names a bad one", async () => {
    const ok = await loadAgentConfig({
      files: [
        dirWith({
          "s.hcl": 'server {\n  job_gc_threshold = "2h"\n  eval_gc_threshold = "15m"\n}\n',
        }),
      ],
    });
    expect(ok.ok && ok.config.server).toMatchObject({
      jobGcThreshold: "2h",
      evalGcThreshold: "15m",
    });
    if (ok.ok)
      expect(thresholdsFrom(ok.config.server)).toMatchObject({
        jobMs: 7_200_000,
        evalMs: 900_000,
        nodeMs: 86_400_000,
      });
    const bad = await loadAgentConfig({
      files: [dirWith({ "s.hcl": 'server {\n  node_gc_threshold = "a day"\n}\n' })],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors.join("\n")).toContain(
        'server.node_gc_threshold: expected a duration such as "4h" or "30m", got "a day"',
      );
  });

  it("reports a missing configuration path", async () => {
    const result = await loadAgentConfig({ files: ["/nonexistent/caravan.hcl"] });
    expect(result).toEqual({
      ok: false,
      errors: ["/nonexistent/caravan.hcl: no such configuration file or directory"],
      warnings: [],
    });
  });
});
