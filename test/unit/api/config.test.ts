import { describe, expect, it } from "vitest";
import { decodeAgentConfig } from "../../../src/config/decode.js";
import { thresholdsFrom } from "../../../src/controllers/gc/collect.js";

describe("agent config: acl, tls and limits blocks", () => {
  it("reads them", () => {
    const r = decodeAgentConfig("agent.hcl", {
      acl: [{ enabled: true, token_ttl: "30s" }],
      tls: [
        {
          http: true,
          cert_file: "c.pem",
          key_file: "k.pem",
          ca_file: "ca.pem",
          verify_https_client: true,
        },
      ],
      limits: [{ http_max_conns_per_client: 10 }],
    });
    expect(r).toEqual({
      ok: true,
      warnings: [],
      config: {
        acl: { enabled: true, tokenTTL: "30s" },
        tls: {
          http: true,
          certFile: "c.pem",
          keyFile: "k.pem",
          caFile: "ca.pem",
          verifyHttpsClient: true,
        },
        limits: { httpMaxConnsPerClient: 10 },
      },
    });
  });

  it("reads the token expiration bounds, and refuses bad ones naming the setting", () => {
    const ok = decodeAgentConfig("agent.hcl", {
      acl: [{ enabled: true, token_min_expiration_ttl: "5m", token_max_expiration_ttl: "48h" }],
    });
    expect(ok).toEqual({
      ok: true,
      warnings: [],
      config: {
        acl: { enabled: true, tokenMinExpirationTTL: "5m", tokenMaxExpirationTTL: "48h" },
      },
    });
    const bad = decodeAgentConfig("agent.hcl", {
      acl: [{ token_min_expiration_ttl: "a minute", token_max_expiration_ttl: 3 }],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toEqual([
      'agent.hcl: acl.token_min_expiration_ttl: expected a duration such as "4h" or "30m", got "a minute"',
      'agent.hcl: acl.token_max_expiration_ttl: expected a duration such as "4h" or "30m", got "3"',
    ]);
    const crossed = decodeAgentConfig("agent.hcl", { acl: [{ token_min_expiration_ttl: "48h" }] });
    expect(crossed.ok).toBe(false);
    if (crossed.ok) return;
    expect(crossed.errors).toEqual([
      "agent.hcl: acl: token_min_expiration_ttl (48h) is more than token_max_expiration_ttl (24h)",
    ]);
  });

  it("reads server acl_token_gc_threshold into the token garbage collection, and refuses a bad one", () => {
    const ok = decodeAgentConfig("agent.hcl", { server: [{ acl_token_gc_threshold: "30m" }] });
    expect(ok.ok && ok.config.server?.aclTokenGcThreshold).toBe("30m");
    if (ok.ok) expect(thresholdsFrom(ok.config.server ?? {}).tokenMs).toBe(1_800_000);
    expect(thresholdsFrom({}).tokenMs).toBe(3_600_000);
    const bad = decodeAgentConfig("agent.hcl", { server: [{ acl_token_gc_threshold: "soon" }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors).toEqual([
        'agent.hcl: server.acl_token_gc_threshold: expected a duration such as "4h" or "30m", got "soon"',
      ]);
  });

  it("names the mistakes", () => {
    const r = decodeAgentConfig("agent.hcl", {
      acl: [{ enabled: "yes", token_ttl: "soon", tokens: 1 }],
      tls: [{ http: true, verify_https_client: true }],
      limits: [{ http_max_conns_per_client: -1 }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      'agent.hcl: acl.enabled: expected true or false, got "yes"',
      'agent.hcl: acl.token_ttl: expected a duration such as "30s", got "soon"',
      "agent.hcl: acl unexpected keys tokens",
      "agent.hcl: limits.http_max_conns_per_client: expected a whole number from 0 to 1000000, got -1",
      "agent.hcl: tls: http = true needs cert_file and key_file",
      "agent.hcl: tls: verify_https_client = true needs ca_file to verify client certificates against",
    ]);
  });
});
