// The ACL system over a real API server: bootstrap once, policies in Nomad's
// language stored as NomadACLPolicy, tokens stored as NomadACLToken with only
// a hash of the secret, and a matrix of endpoints × tokens giving Nomad's
// answers: 403 "Permission denied" without the capability, success with it or
// with a management token, and an expired token refused.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import type { NomadAllocation } from "../../src/crds/objects.js";
import { createObject } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { caravanResource } from "../../src/kube/resources.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const nodeName = `acl-node-${run}`;
const alloc = `web-${run}-0`;
const allocDir = mkdtempSync(path.join(os.tmpdir(), "caravan-api-acl-"));

type Who = "none" | "reader" | "writer" | "scaler" | "management";
const everyone: Who[] = ["none", "reader", "writer", "scaler", "management"];

describe("Nomad HTTP API: ACLs", () => {
  let ns: string;
  let api: RunningApi;
  let node: NodeHandle;
  let call: ReturnType<typeof apiClient>;
  const secrets: Partial<Record<Who | "expired", string>> = {};
  const q = () => `namespace=${ns}`;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "acl");
    node = await registerNode(kubeconfig, { name: nodeName });
    // An allocation with a log file, for the logs, fs and lifecycle endpoints.
    await createObject(loadKubeConfig(kubeconfig), caravanResource("NomadAllocation"), {
      metadata: { name: alloc, namespace: ns },
      spec: {
        jobName: "web",
        jobVersion: 0,
        group: "g",
        nodeName,
        desiredStatus: "run",
        name: "web.g[0]",
        index: 0,
        evalName: "web-g1",
        resources: {},
      },
    } as NomadAllocation);
    mkdirSync(path.join(allocDir, alloc, "alloc", "logs"), { recursive: true });
    writeFileSync(path.join(allocDir, alloc, "alloc", "logs", "t.stdout.0"), "hello\n");
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } },
      createLogger({ level: "warn", json: false }),
      {
        registry: createControllerMetrics().registry,
        secretNamespace: ns,
        namespace: ns,
        allocDir,
      },
    );
    call = apiClient(api.url);
  });
  afterAll(async () => {
    node?.stopHeartbeat();
    await api?.close();
    rmSync(allocDir, { recursive: true, force: true });
  });

  it("bootstraps once, returning a management token whose secret is stored only as a hash", async () => {
    const denied = await call("GET", `/v1/jobs?${q()}`);
    expect([denied.status, denied.text]).toEqual([403, "Permission denied"]);
    const boot = await call("POST", "/v1/acl/bootstrap");
    expect(boot.status).toBe(200);
    expect(boot.json).toMatchObject({ Type: "management", Name: "Bootstrap Token" });
    expect(boot.json.SecretID).toMatch(/^[0-9a-f-]{36}$/);
    secrets.management = boot.json.SecretID;
    const again = await call("POST", "/v1/acl/bootstrap");
    expect([again.status, again.text]).toEqual([400, "ACL bootstrap already done"]);

    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadacltoken/bootstrap", "-o", "json"]),
    );
    expect(stored.status.secretHash).toBe(
      `sha256:${createHash("sha256").update(boot.json.SecretID).digest("hex")}`,
    );
    expect(JSON.stringify(stored)).not.toContain(boot.json.SecretID);
    expect(stored.status.accessorID).toBe(boot.json.AccessorID);
  });

  it("stores policies and creates client tokens for them", async () => {
    const m = secrets.management;
    const policies: Record<string, string> = {
      reader: `namespace "${ns}" { policy = "read" }\nnode { policy = "read" }`,
      writer: `namespace "${ns}" { policy = "write" }\nnode { policy = "write" }\nagent { policy = "read" }`,
      scaler: `namespace "${ns}" { policy = "scale" }`,
    };
    for (const [name, rules] of Object.entries(policies)) {
      const put = await call(
        "POST",
        `/v1/acl/policy/${name}-${run}`,
        { Name: `${name}-${run}`, Rules: rules },
        m,
      );
      expect(put.status).toBe(200);
    }
    const bad = await call(
      "POST",
      `/v1/acl/policy/bad-${run}`,
      { Rules: `namespace "x" { policy = "admin" }` },
      m,
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(
      /^failed to parse rules: line 1: namespace "x": policy must be one of/,
    );
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", `nomadaclpolicy/reader-${run}`, "-o", "json"]),
    );
    expect(stored.spec.rules).toBe(policies.reader);
    const ready = await eventually(async () => {
      const p = JSON.parse(
        await kubectlOk(kubeconfig, ["get", `nomadaclpolicy/reader-${run}`, "-o", "json"]),
      );
      return p.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
    }, "the policy's Ready condition");
    expect(ready).toMatchObject({ status: "True", reason: "Parsed" });
    // A policy applied with kubectl whose rules do not parse says so in its status.
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadACLPolicy",
        metadata: { name: `broken-${run}` },
        spec: { rules: 'namespace "default" {\n  policy = "sudo"\n}' },
      }),
    );
    const broken = await eventually(async () => {
      const p = JSON.parse(
        await kubectlOk(kubeconfig, ["get", `nomadaclpolicy/broken-${run}`, "-o", "json"]),
      );
      return p.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
    }, "the broken policy's Ready condition");
    expect(broken).toMatchObject({ status: "False", reason: "InvalidRules" });
    expect(broken.message).toMatch(/line 1: namespace "default": policy must be one of/);

    for (const who of ["reader", "writer", "scaler"] as const) {
      const t = await call(
        "POST",
        "/v1/acl/token",
        { Name: who, Type: "client", Policies: [`${who}-${run}`] },
        m,
      );
      expect(t.status).toBe(200);
      expect(t.json).toMatchObject({ Name: who, Type: "client", Policies: [`${who}-${run}`] });
      secrets[who] = t.json.SecretID;
    }
    const expiring = await call(
      "POST",
      "/v1/acl/token",
      { Name: "short", Type: "client", Policies: [`writer-${run}`], ExpirationTTL: 1e9 },
      m,
    );
    expect(expiring.status).toBe(200);
    expect(expiring.json.ExpirationTime).toBeTruthy();
    secrets.expired = expiring.json.SecretID;

    const noPolicy = await call("POST", "/v1/acl/token", { Type: "client", Policies: ["nope"] }, m);
    expect([noPolicy.status, noPolicy.text]).toEqual([400, "cannot find policy nope"]);
    const byClient = await call("POST", "/v1/acl/token", { Type: "management" }, secrets.writer);
    expect(byClient.status).toBe(403);
    const self = await call("GET", "/v1/acl/token/self", undefined, secrets.reader);
    expect(self.json).toMatchObject({ Name: "reader", Type: "client", SecretID: "" });
    const unknown = await call(
      "GET",
      `/v1/jobs?${q()}`,
      undefined,
      "00000000-0000-0000-0000-000000000000",
    );
    expect([unknown.status, unknown.text]).toEqual([403, "ACL token not found"]);
    const bearer = await fetch(`${api.url}/v1/jobs?${q()}`, {
      headers: { Authorization: `Bearer ${secrets.reader}` },
    });
    expect(bearer.status).toBe(200);

    // A job for the matrix to read, registered with the management token.
    const job = {
      ID: "web",
      Datacenters: ["nowhere"],
      TaskGroups: [
        { Name: "g", Count: 1, Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] },
      ],
    };
    const reg = await call("POST", `/v1/jobs?${q()}`, { Job: job }, m);
    expect(reg.status).toBe(200);
  });

  interface Case {
    method: string;
    path: () => string;
    body?: () => unknown;
    allowed: Who[];
  }
  const job = () => ({
    Job: {
      ID: "web",
      Datacenters: ["nowhere"],
      TaskGroups: [
        { Name: "g", Count: 1, Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] },
      ],
    },
  });
  const cases: Case[] = [
    { method: "GET", path: () => `/v1/jobs?${q()}`, allowed: ["reader", "writer", "management"] },
    { method: "POST", path: () => `/v1/jobs?${q()}`, body: job, allowed: ["writer", "management"] },
    {
      method: "POST",
      path: () => `/v1/jobs/parse?${q()}`,
      body: () => ({
        JobHCL: 'job "x" {\n group "g" {\n task "t" {\n driver = "docker"\n }\n }\n}\n',
      }),
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/job/web?${q()}`,
      body: job,
      allowed: ["writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web/allocations?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web/evaluations?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web/summary?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web/versions?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/job/web/scale?${q()}`,
      allowed: ["reader", "writer", "scaler", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/job/web/scale?${q()}`,
      body: () => ({ Count: 1, Target: { Group: "g" } }),
      allowed: ["writer", "scaler", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/allocations?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/evaluations?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/deployments?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    { method: "GET", path: () => "/v1/nodes", allowed: ["reader", "writer", "management"] },
    {
      method: "GET",
      path: () => `/v1/node/${nodeName}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/node/${nodeName}/eligibility`,
      body: () => ({ Eligibility: "eligible" }),
      allowed: ["writer", "management"],
    },
    { method: "GET", path: () => "/v1/agent/self", allowed: ["writer", "management"] },
    { method: "GET", path: () => "/v1/acl/tokens", allowed: ["management"] },
    {
      method: "GET",
      path: () => "/v1/acl/policies",
      allowed: ["reader", "writer", "scaler", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/acl/policy/reader-${run}`,
      allowed: ["reader", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/acl/policy/extra-${run}`,
      body: () => ({ Rules: 'node { policy = "read" }' }),
      allowed: ["management"],
    },
    {
      method: "POST",
      path: () => `/v1/job/web/plan?${q()}`,
      body: job,
      allowed: ["writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/scaling/policies?${q()}`,
      allowed: ["reader", "writer", "scaler", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/search?${q()}`,
      body: () => ({ Prefix: "w", Context: "jobs" }),
      allowed: ["reader", "writer", "management"],
    },
    { method: "PUT", path: () => "/v1/system/gc", allowed: ["management"] },
    { method: "GET", path: () => "/v1/agent/members", allowed: ["reader", "writer", "management"] },
    {
      method: "GET",
      path: () => `/v1/client/fs/logs/${alloc}?${q()}&task=t&type=stdout&plain=true`,
      allowed: ["writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/client/fs/cat/${alloc}?${q()}&path=alloc/logs/t.stdout.0`,
      allowed: ["writer", "management"],
    },
    {
      method: "GET",
      path: () => `/v1/allocation/${alloc}?${q()}`,
      allowed: ["reader", "writer", "management"],
    },
    {
      method: "POST",
      path: () => `/v1/allocation/${alloc}/stop?${q()}`,
      allowed: ["writer", "management"],
    },
    { method: "GET", path: () => "/v1/status/leader", allowed: everyone },
    { method: "GET", path: () => "/v1/regions", allowed: everyone },
    { method: "DELETE", path: () => `/v1/job/web?${q()}`, allowed: ["writer", "management"] },
  ];

  it.each(cases.map((c) => [`${c.method} ${c.path().replace(/\?.*/, "")}`, c] as const))(
    "%s: Nomad's answer for each token",
    async (_, c) => {
      const got: Record<string, number> = {};
      const want: Record<string, number | string> = {};
      for (const who of everyone) {
        const r = await call(
          c.method,
          c.path(),
          c.body?.(),
          who === "none" ? undefined : secrets[who],
        );
        got[who] = r.status;
        if (r.status === 403) expect(r.text).toBe("Permission denied");
        want[who] = c.allowed.includes(who) ? got[who] : 403;
        if (c.allowed.includes(who)) expect(r.status, `${who}: ${r.text}`).toBeLessThan(400);
      }
      expect(got).toEqual(want);
      // An expired token is refused whatever its policies allow.
      await eventually(
        async () => {
          const r = await call(c.method, c.path(), c.body?.(), secrets.expired);
          return r.status === 403 && r.text === "ACL token expired" ? r : undefined;
        },
        "the expired token to be refused",
        10_000,
      );
    },
  );

  it("the anonymous policy applies to requests without a token", async () => {
    const put = await call(
      "POST",
      "/v1/acl/policy/anonymous",
      { Rules: `namespace "${ns}" { policy = "read" }` },
      secrets.management,
    );
    expect(put.status).toBe(200);
    const list = await call("GET", `/v1/jobs?${q()}`);
    expect(list.status).toBe(200);
    expect(list.json.map((j: { ID: string }) => j.ID)).toEqual(["web"]);
    const write = await call("POST", `/v1/jobs?${q()}`, job());
    expect(write.status).toBe(403);
    const del = await call("DELETE", "/v1/acl/policy/anonymous", undefined, secrets.management);
    expect(del.status).toBe(200);
  });

  it("accepts tokens applied with kubectl: their secret comes from, or goes into, their Secret", async () => {
    const known = "0d9c4e5e-7a51-4f0e-9f5c-2b1b5e3f9a10";
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: `gitops-${run}`, namespace: ns },
            stringData: { secretID: known },
          },
          {
            apiVersion: "caravan.dev/v1alpha1",
            kind: "NomadACLToken",
            metadata: { name: `gitops-${run}` },
            spec: {
              type: "client",
              policies: [`reader-${run}`],
              secretRef: { name: `gitops-${run}`, namespace: ns },
            },
          },
          {
            apiVersion: "caravan.dev/v1alpha1",
            kind: "NomadACLToken",
            metadata: { name: `generated-${run}` },
            spec: {
              type: "client",
              policies: [`reader-${run}`],
              secretRef: { name: `generated-${run}`, namespace: ns },
            },
          },
        ],
      }),
    );
    await eventually(async () => {
      const r = await call("GET", `/v1/jobs?${q()}`, undefined, known);
      return r.status === 200 ? r : undefined;
    }, "the kubectl token with a known secret to work");
    const generated = await eventually(async () => {
      const r = await kubectl(kubeconfig, [
        "get",
        "-n",
        ns,
        `secret/generated-${run}`,
        "-o",
        "json",
      ]);
      return r.code === 0
        ? Buffer.from(JSON.parse(r.stdout).data.secretID, "base64").toString()
        : undefined;
    }, "the generated secret");
    await eventually(async () => {
      const r = await call("GET", "/v1/acl/token/self", undefined, generated);
      return r.status === 200 && r.json.Type === "client" ? r : undefined;
    }, "the kubectl token with a generated secret to work");
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", `nomadacltoken/generated-${run}`, "-o", "json"]),
    );
    expect(stored.status.accessorID).toBe(stored.metadata.uid);
    expect(JSON.stringify(stored)).not.toContain(generated);
    const write = await call("POST", `/v1/jobs?${q()}`, job(), known);
    expect(write.status).toBe(403);
  });

  it("a deleted token stops working", async () => {
    const self = await call("GET", "/v1/acl/token/self", undefined, secrets.scaler);
    const del = await call(
      "DELETE",
      `/v1/acl/token/${self.json.AccessorID}`,
      undefined,
      secrets.management,
    );
    expect(del.status).toBe(200);
    await eventually(async () => {
      const r = await call("GET", `/v1/job/web/scale?${q()}`, undefined, secrets.scaler);
      return r.status === 403 ? r : undefined;
    }, "the deleted token to be refused");
  });
});
