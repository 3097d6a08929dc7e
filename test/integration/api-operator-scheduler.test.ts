// `nomad operator scheduler get-config / set-config` over a real API server:
// the configuration in Nomad's JSON, stored in the NomadSchedulerConfiguration
// named "cluster", operator read / write ACLs, Nomad's validation messages and
// the ?cas= check-and-set. The control plane is shared with other test files
// whose schedulers read this one object, so the values written here schedule
// exactly as Nomad's defaults do (binpack, system preemption only), and the
// object is deleted at the end.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const path = "/v1/operator/scheduler/configuration";

/** A configuration that schedules as Nomad's defaults do; `limit` tells writes apart. */
const harmless = (limit: number) => ({
  SchedulerAlgorithm: "binpack",
  PreemptionConfig: { SystemSchedulerEnabled: true },
  NodeLimitForFeasibilityChecks: limit,
});

describe("Nomad HTTP API: operator scheduler configuration", () => {
  let api: RunningApi;
  let call: ReturnType<typeof apiClient>;
  const management = randomUUID();
  const tokens = { read: "", write: "", none: "" };

  beforeAll(async () => {
    const ns = await createNamespace(kubeconfig, "schedcfg");
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } },
      createLogger({ level: "warn", json: false }),
      { registry: createControllerMetrics().registry, secretNamespace: ns, namespace: ns },
    );
    call = apiClient(api.url);
    await applyToken(kubeconfig, {
      name: `schedcfg-mgmt-${run}`,
      namespace: ns,
      secretID: management,
      spec: { type: "management" },
    });
    await eventually(async () => {
      const r = await call("GET", "/v1/acl/token/self", undefined, management);
      return r.status === 200 ? r : undefined;
    }, "the management token");
    const rules = {
      read: 'operator { policy = "read" }',
      write: 'operator { policy = "write" }',
      none: 'node { policy = "write" }',
    };
    for (const [kind, rule] of Object.entries(rules) as [keyof typeof tokens, string][]) {
      const name = `schedcfg-${kind}-${run}`;
      const p = await call("POST", `/v1/acl/policy/${name}`, { Rules: rule }, management);
      expect(p.status, p.text).toBe(200);
      const t = await call(
        "POST",
        "/v1/acl/token",
        { Type: "client", Policies: [name] },
        management,
      );
      expect(t.status, t.text).toBe(200);
      tokens[kind] = t.json.SecretID;
    }
  });
  afterAll(async () => {
    await kubectl(kubeconfig, [
      "delete",
      "nomadschedulerconfiguration",
      "cluster",
      "--ignore-not-found",
    ]);
    await api?.close();
  });

  it("needs operator read to read and operator write to write, as Nomad", async () => {
    for (const secret of [undefined, tokens.none]) {
      const r = await call("GET", path, undefined, secret);
      expect([r.status, r.text]).toEqual([403, "Permission denied"]);
    }
    const read = await call("GET", path, undefined, tokens.read);
    expect(read.status, read.text).toBe(200);
    for (const secret of [undefined, tokens.none, tokens.read]) {
      const r = await call("PUT", path, harmless(100), secret);
      expect([r.status, r.text]).toEqual([403, "Permission denied"]);
    }
    const written = await call("PUT", path, harmless(100), tokens.write);
    expect(written.status, written.text).toBe(200);
    expect(written.json).toEqual({ Updated: true, Index: expect.any(Number) });
    expect(written.headers.get("x-nomad-index")).toBe(String(written.json.Index));
  });

  it("answers Nomad's JSON and keeps what was written in the NomadSchedulerConfiguration", async () => {
    const put = await call(
      "POST",
      path,
      {
        ...harmless(100),
        PreemptionConfig: { SystemSchedulerEnabled: true, SysBatchSchedulerEnabled: false },
        MemoryOversubscriptionEnabled: false,
      },
      management,
    );
    expect(put.status, put.text).toBe(200);
    const got = await eventually(async () => {
      const r = await call("GET", path, undefined, tokens.read);
      return r.json?.SchedulerConfig?.NodeLimitForFeasibilityChecks === 100 ? r : undefined;
    }, "the written configuration");
    expect(Object.keys(got.json).sort()).toEqual(
      ["Index", "KnownLeader", "LastContact", "NextToken", "SchedulerConfig"].sort(),
    );
    expect(got.json.SchedulerConfig).toEqual({
      SchedulerAlgorithm: "binpack",
      PreemptionConfig: {
        SystemSchedulerEnabled: true,
        SysBatchSchedulerEnabled: false,
        BatchSchedulerEnabled: false,
        ServiceSchedulerEnabled: false,
      },
      MemoryOversubscriptionEnabled: false,
      RejectJobRegistration: false,
      PauseEvalBroker: false,
      NodeLimitForFeasibilityChecks: 100,
      CreateIndex: expect.any(Number),
      ModifyIndex: expect.any(Number),
    });
    expect(got.json.SchedulerConfig.ModifyIndex).toBeGreaterThanOrEqual(
      got.json.SchedulerConfig.CreateIndex,
    );
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadschedulerconfiguration", "cluster", "-o", "json"]),
    );
    expect(stored.spec).toMatchObject({
      schedulerAlgorithm: "binpack",
      preemptionConfig: { systemSchedulerEnabled: true, serviceSchedulerEnabled: false },
      nodeLimitForFeasibilityChecks: 100,
      pauseEvalBroker: false,
      rejectJobRegistration: false,
    });
    expect(got.json.SchedulerConfig.ModifyIndex).toBe(Number(stored.metadata.resourceVersion));
  });

  it("refuses what Nomad refuses, with Nomad's messages, and writes nothing", async () => {
    const before = (await call("GET", path, undefined, management)).json.SchedulerConfig;
    const cases: [unknown, string, string?][] = [
      [{ SchedulerAlgorithm: "bogus" }, "invalid scheduler algorithm: bogus"],
      [
        [],
        "Error parsing scheduler config: json: cannot unmarshal array into Go value of type api.SchedulerConfiguration",
      ],
      [
        { PreemptionConfig: { SystemSchedulerEnabled: "yes" } },
        "Error parsing scheduler config: json: cannot unmarshal string into Go struct field PreemptionConfig.PreemptionConfig.SystemSchedulerEnabled of type bool",
      ],
      [
        { NodeLimitForFeasibilityChecks: -1 },
        "Error parsing scheduler config: json: cannot unmarshal number -1 into Go struct field SchedulerConfiguration.NodeLimitForFeasibilityChecks of type uint",
      ],
      [harmless(0), 'Error parsing cas value: strconv.ParseUint: parsing "x": invalid syntax', "x"],
    ];
    for (const [body, message, cas] of cases) {
      const r = await call("PUT", cas ? `${path}?cas=${cas}` : path, body, management);
      expect([r.status, r.text]).toEqual([400, message]);
    }
    const del = await call("DELETE", path, undefined, management);
    expect(del.status).toBe(405);
    const after = (await call("GET", path, undefined, management)).json.SchedulerConfig;
    expect(after.ModifyIndex).toBe(before.ModifyIndex);
  });

  it("writes with ?cas= only when the index is the stored ModifyIndex", async () => {
    const stale = (await call("GET", path, undefined, management)).json.SchedulerConfig.ModifyIndex;
    const bump = await call("PUT", path, harmless(100), management);
    expect(bump.status).toBe(200);
    // Another writer moved the configuration on: the old index no longer writes.
    await call("PUT", path, harmless(0), management);
    const refused = await call("PUT", `${path}?cas=${stale}`, harmless(100), management);
    expect(refused.status, refused.text).toBe(200);
    expect(refused.json.Updated).toBe(false);
    // The current index writes (other test files may write too: look again when one did).
    const accepted = await eventually(async () => {
      const current = (await call("GET", path, undefined, management)).json.SchedulerConfig;
      const r = await call("PUT", `${path}?cas=${current.ModifyIndex}`, harmless(100), management);
      return r.json?.Updated === true ? r : undefined;
    }, "a check-and-set write");
    const now = await eventually(async () => {
      const r = await call("GET", path, undefined, management);
      return r.json.Index >= accepted.json.Index ? r : undefined;
    }, "the write seen");
    expect(now.json.SchedulerConfig.ModifyIndex).toBeGreaterThan(stale);
  });

  it("refuses a second NomadSchedulerConfiguration applied with kubectl, naming the rule", async () => {
    const r = await kubectl(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadSchedulerConfiguration",
        metadata: { name: `other-${run}` },
        spec: { schedulerAlgorithm: "spread" },
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("there is one NomadSchedulerConfiguration, named cluster");
  });
});
