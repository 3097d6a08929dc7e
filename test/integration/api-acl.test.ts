// The ACL system over a real API server: bootstrap once, policies in Nomad's
// language stored as NomadACLPolicy, tokens stored as NomadACLToken with only
// a hash of the secret, and a matrix of endpoints × tokens giving Nomad's
// answers: 403 "Permission denied" without the capability, success with it or
// with a management token, and an expired token refused.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { validNamespaceCapabilities } from "../../src/acl/policy.js";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import type { NomadDeployment, NomadEvaluation } from "../../src/crds/objects.js";
import type { Access, Route } from "../../src/http/context.js";
import { createObject } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { caravanResource } from "../../src/kube/resources.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { type ApiTestAgent, startApiTestAgent } from "./api-agent.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const nodeName = `acl-node-${run}`;
const alloc = `web-${run}-0`;

type Who = "none" | "reader" | "writer" | "scaler" | "management";

describe("Nomad HTTP API: ACLs", () => {
  let ns: string;
  let api: RunningApi;
  let agent: ApiTestAgent;
  let call: ReturnType<typeof apiClient>;
  const secrets: Partial<Record<Who, string>> = {};
  const q = () => `namespace=${ns}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "caravan-acl-"));

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "acl");
    const log = createLogger({ level: "warn", json: false });
    // A real node agent holding an allocation with a log file, for the logs, fs and lifecycle endpoints.
    agent = await startApiTestAgent(
      kubeconfig,
      loadKubeConfig(kubeconfig),
      createLogger({ level: "error", json: false }),
      nodeName,
      true,
    );
    const dir = await agent.addAlloc(ns, alloc);
    writeFileSync(path.join(dir, "alloc", "logs", "t.stdout.0"), "hello\n");
    api = await startApi(
      loadKubeConfig(kubeconfig),
      {
        ...defaultAgentConfig(),
        ports: { http: 0 },
        dataDir,
        // A short minimum, so the expired-token test need not wait a minute.
        acl: { enabled: true, tokenMinExpirationTTL: "1s" },
      },
      log,
      {
        registry: createControllerMetrics().registry,
        secretNamespace: ns,
        namespace: ns,
      },
    );
    call = apiClient(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await agent?.stop();
  });

  it("bootstraps once, returning a management token whose secret is stored only as a hash", async () => {
    const denied = await call("GET", `/v1/jobs?${q()}`);
    expect([denied.status, denied.text]).toEqual([403, "Permission denied"]);
    // Nomad takes only a UUID as the operator's own secret.
    const notUUID = await call("POST", "/v1/acl/bootstrap", { BootstrapSecret: "long-enough" });
    expect([notUUID.status, notUUID.text]).toEqual([400, "invalid acl token"]);
    // The `nomad acl bootstrap` CLI always sends the field, empty: generate one.
    const boot = await call("POST", "/v1/acl/bootstrap", { BootstrapSecret: "" });
    expect(boot.status).toBe(200);
    expect(boot.json).toMatchObject({ Type: "management", Name: "Bootstrap Token" });
    expect(boot.json.SecretID).toMatch(/^[0-9a-f-]{36}$/);
    secrets.management = boot.json.SecretID;
    // The token's holder reads it whole, secret included (`nomad acl token self`).
    const self = await call("GET", "/v1/acl/token/self", undefined, boot.json.SecretID);
    expect(self.json).toMatchObject({
      AccessorID: boot.json.AccessorID,
      SecretID: boot.json.SecretID,
    });
    const again = await call("POST", "/v1/acl/bootstrap");
    expect([again.status, again.text]).toEqual([
      400,
      `ACL bootstrap already done (reset index: ${self.json.CreateIndex})`,
    ]);

    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadacltoken/bootstrap", "-o", "json"]),
    );
    expect(stored.status.secretHash).toBe(
      `sha256:${createHash("sha256").update(boot.json.SecretID).digest("hex")}`,
    );
    expect(JSON.stringify(stored)).not.toContain(boot.json.SecretID);
    expect(stored.status.accessorID).toBe(boot.json.AccessorID);

    // As Nomad: the reset index written to <data_dir>/server/acl-bootstrap-reset
    // allows one more bootstrap, which replaces the bootstrap token.
    const resetFile = path.join(dataDir, "server", "acl-bootstrap-reset");
    mkdirSync(path.dirname(resetFile), { recursive: true });
    writeFileSync(resetFile, "1\n");
    const wrong = await call("POST", "/v1/acl/bootstrap");
    expect([wrong.status, wrong.text]).toEqual([
      400,
      `Invalid bootstrap reset index (specified 1, reset index: ${self.json.CreateIndex})`,
    ]);
    writeFileSync(resetFile, `${self.json.CreateIndex}\n`);
    const reset = await call("POST", "/v1/acl/bootstrap", { BootstrapSecret: "" });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.json).toMatchObject({ Type: "management", Name: "Bootstrap Token" });
    secrets.management = reset.json.SecretID;
    await eventually(async () => {
      const old = await call("GET", "/v1/acl/token/self", undefined, boot.json.SecretID);
      return old.status === 403 ? old : undefined;
    }, "the replaced bootstrap token to stop working");
    const now = await call("GET", "/v1/acl/token/self", undefined, reset.json.SecretID);
    expect(now.json.AccessorID).toBe(reset.json.AccessorID);
    // The file names the old index now: no third bootstrap.
    const third = await call("POST", "/v1/acl/bootstrap");
    expect(third.text).toBe(
      `Invalid bootstrap reset index (specified ${self.json.CreateIndex}, reset index: ${now.json.CreateIndex})`,
    );
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

    const noPolicy = await call("POST", "/v1/acl/token", { Type: "client", Policies: ["nope"] }, m);
    expect([noPolicy.status, noPolicy.text]).toEqual([400, "cannot find policy nope"]);
    const byClient = await call("POST", "/v1/acl/token", { Type: "management" }, secrets.writer);
    expect(byClient.status).toBe(403);
    const self = await call("GET", "/v1/acl/token/self", undefined, secrets.reader);
    // As Nomad's ACL.WhoAmI: the token whole, its secret included, to the one presenting it.
    expect(self.json).toMatchObject({ Name: "reader", Type: "client", SecretID: secrets.reader });
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

  // The matrix: every route of the route table × tokens built from the route's
  // own declared requirement. A route added later is covered without editing
  // this file, unless its path names an object kind the test does not create.
  const kc = () => loadKubeConfig(kubeconfig);
  const evalName = `web-eval-${run}`;
  const deployment = `web-dep-${run}`;
  let scalingPolicyID = "";
  /** Client tokens that own a policy and a token the "token" routes reach. */
  const owner = {
    secret: "",
    accessor: "",
    policy: `owner-${run}`,
    role: `owner-role-${run}`,
    roleID: "",
  };
  const victims = {
    tokenToDelete: "",
    tokenToUpdate: "",
    policy: `victim-${run}`,
    roleToDelete: "",
    roleToUpdate: "",
  };

  const alternatives = (r: Route): readonly Access[] =>
    typeof r.acl === "string" ? [r.acl] : r.acl;
  const accessKey = (r: Route) => alternatives(r).join("|");

  /** Policy rules granting everything a client token can hold, except what `without` lists. */
  function rulesExcept(without: readonly Access[]): string {
    const nsCaps = new Set<string>();
    let anyNamespace = false;
    for (const a of without)
      if (a.startsWith("ns:"))
        for (const c of a.slice(3).split("+")) {
          if (c === "any") anyNamespace = true;
          else nsCaps.add(c);
        }
    const caps = [...validNamespaceCapabilities].filter((c) => c !== "deny" && !nsCaps.has(c));
    const varCaps = ["list", "read", "write", "destroy"].filter(
      (c) => !without.includes(`var:${c}` as Access),
    );
    const quoted = (list: string[]) => list.map((c) => `"${c}"`).join(", ");
    const variables = varCaps.length
      ? `\n  variables {\n    path "*" { capabilities = [${quoted(varCaps)}] }\n  }\n`
      : "";
    const lines: string[] = [];
    if (!anyNamespace)
      lines.push(`namespace "*" {\n  capabilities = [${quoted(caps)}]${variables}}`);
    for (const kind of ["node", "agent", "operator"]) {
      const level = without.includes(`${kind}:read` as Access)
        ? "deny"
        : without.includes(`${kind}:write` as Access)
          ? "read"
          : "write";
      lines.push(`${kind} { policy = "${level}" }`);
    }
    const poolCaps = ["read", "write", "delete"].filter(
      (c) => !without.includes(`pool:${c}` as Access),
    );
    if (poolCaps.length)
      lines.push(`node_pool "*" { capabilities = [${poolCaps.map((c) => `"${c}"`).join(", ")}] }`);
    return lines.join("\n");
  }

  /** Policy rules granting exactly one declared access and nothing else. */
  function rulesExactly(access: Access): string {
    if (access.startsWith("ns:")) {
      const caps = access
        .slice(3)
        .split("+")
        .map((c) => (c === "any" ? "read-job" : c));
      return `namespace "${ns}" { capabilities = [${caps.map((c) => `"${c}"`).join(", ")}] }`;
    }
    if (access === "pool:read") return `node_pool "default" { policy = "read" }`;
    if (access.startsWith("var:"))
      return `namespace "${ns}" {\n  variables {\n    path "*" { capabilities = ["${access.slice(4)}"] }\n  }\n}`;
    if (access.startsWith("pool:"))
      return `node_pool "default" { capabilities = ["${access.slice(5)}"] }`;
    const [kind, level] = access.split(":");
    return `${kind} { policy = "${level}" }`;
  }

  /** A client token for the rules, through the API as a user would make it. */
  async function clientToken(name: string, rules: string): Promise<string> {
    const m = secrets.management;
    const policy = await call("POST", `/v1/acl/policy/${name}`, { Rules: rules }, m);
    expect(policy.status, `${name}: ${policy.text}\n${rules}`).toBe(200);
    const t = await call("POST", "/v1/acl/token", { Type: "client", Policies: [name] }, m);
    expect(t.status).toBe(200);
    return t.json.SecretID;
  }

  /** The concrete request for a route: its parameters filled from the objects made above. */
  const schedulerDefaults = {
    SchedulerAlgorithm: "binpack",
    PreemptionConfig: { SystemSchedulerEnabled: true },
  };

  function request(r: Route, namespace = ns): { path: string; body?: unknown } {
    const objectFor = (name: string): string => {
      const p = r.path;
      if (p.startsWith("/v1/job/")) return "web";
      if (name === "alloc" || p.includes("/allocation/")) return alloc;
      if (p.startsWith("/v1/evaluation/")) return evalName;
      if (p.startsWith("/v1/deployment/")) return deployment;
      if (p.startsWith("/v1/node/pool/")) return "default";
      if (p.startsWith("/v1/node/")) return nodeName;
      if (p.startsWith("/v1/namespace/")) return ns;
      if (p.startsWith("/v1/scaling/policy/")) return scalingPolicyID;
      if (p.startsWith("/v1/var/")) return `matrix-${run}`;
      if (p.startsWith("/v1/service/"))
        return name === "id" ? `_nomad-task-${alloc}-g-web-` : "web";
      if (p.startsWith("/v1/acl/policy/"))
        return r.method === "DELETE"
          ? victims.policy
          : r.method === "GET"
            ? owner.policy
            : `extra-${run}`;
      if (p.startsWith("/v1/acl/role/name/")) return owner.role;
      if (p.startsWith("/v1/acl/role/"))
        return r.method === "DELETE"
          ? victims.roleToDelete
          : r.method === "GET"
            ? owner.roleID
            : victims.roleToUpdate;
      if (p.startsWith("/v1/acl/token/"))
        return r.method === "DELETE"
          ? victims.tokenToDelete
          : r.method === "GET"
            ? owner.accessor
            : victims.tokenToUpdate;
      throw new Error(`the ACL matrix has no object for :${name} in ${r.method} ${p}; add one`);
    };
    const path = r.path.replace(/:(\w+)\*?/g, (_, name: string) =>
      encodeURIComponent(objectFor(name)),
    );
    const extra = r.path.startsWith("/v1/client/fs/logs/")
      ? "&task=t&type=stdout&plain=true"
      : r.path.startsWith("/v1/client/fs/")
        ? "&path=alloc/logs/t.stdout.0"
        : "";
    const bodies: Record<string, unknown> = {
      "POST /v1/jobs": job(),
      "POST /v1/job/:id*": job(),
      "POST /v1/job/:id*/plan": job(),
      "PUT /v1/validate/job": job(),
      "POST /v1/jobs/parse": {
        JobHCL: 'job "x" {\n group "g" {\n task "t" {\n driver = "docker"\n }\n }\n}\n',
      },
      "POST /v1/job/:id*/scale": { Count: 1, Target: { Group: "g" } },
      "POST /v1/job/:id*/revert": { JobVersion: 0 },
      "POST /v1/job/:id*/stable": { JobVersion: 0, Stable: true },
      "POST /v1/node/:id/eligibility": { Eligibility: "eligible" },
      "POST /v1/node/:id/drain": { DrainSpec: null },
      "POST /v1/acl/policy/:name": { Rules: 'node { policy = "read" }' },
      "POST /v1/acl/token": { Type: "client", Policies: [owner.policy] },
      "POST /v1/acl/token/:accessor": { Type: "client", Policies: [owner.policy] },
      "POST /v1/acl/role": { Name: `extra-role-${run}`, Policies: [{ Name: owner.policy }] },
      "POST /v1/acl/role/:id": {
        ID: victims.roleToUpdate,
        Name: `update-role-${run}`,
        Policies: [{ Name: owner.policy }],
      },
      "POST /v1/search": { Prefix: "w", Context: "all" },
      "POST /v1/deployment/promote/:id": { All: true },
      "POST /v1/deployment/pause/:id": { Pause: true },
      // The cluster's one configuration, shared with other test files: Nomad's defaults.
      "PUT /v1/operator/scheduler/configuration": schedulerDefaults,
      "POST /v1/operator/scheduler/configuration": schedulerDefaults,
      // Refused (the built-in pool, the namespace holding the matrix's job): nothing changes.
      "POST /v1/node/pools": { Name: "default" },
      "POST /v1/node/pool/:name": { Name: "default" },
      "POST /v1/namespace": { Name: ns, Quota: "none" },
      "POST /v1/namespace/:name": { Name: ns, Quota: "none" },
      "POST /v1/deployment/unblock/:id": { DeploymentID: deployment },
      "PUT /v1/var/:path*": { Items: { k: "v" } },
      "POST /v1/var/:path*": { Items: { k: "v" } },
    };
    const key = `${r.method} ${r.path}`;
    const body = bodies[key] ?? (r.method === "GET" || r.method === "DELETE" ? undefined : {});
    return {
      path: `${path}?namespace=${encodeURIComponent(namespace)}${extra}`,
      ...(body === undefined ? {} : { body }),
    };
  }

  /** Per declared access: a token with everything but it, and one token per alternative with exactly it. */
  const tokens = new Map<string, { except: string; exactly: string[] }>();

  it("makes an object of every kind the routes address, and tokens from each route's declared requirement", async () => {
    const m = secrets.management;
    const k = kc();
    await createObject(k, caravanResource("NomadEvaluation"), {
      metadata: { name: evalName, namespace: ns },
      spec: {
        jobName: "web",
        jobVersion: 0,
        type: "service",
        priority: 50,
        triggeredBy: "job-register",
      },
    } as NomadEvaluation);
    await createObject(k, caravanResource("NomadDeployment"), {
      metadata: { name: deployment, namespace: ns },
      spec: { jobName: "web", jobVersion: 0 },
    } as unknown as NomadDeployment);
    const scaled = job();
    (scaled.Job.TaskGroups[0] as Record<string, unknown>).Scaling = {
      Min: 0,
      Max: 3,
      Enabled: true,
    };
    expect((await call("POST", `/v1/jobs?${q()}`, scaled, m)).status).toBe(200);
    const policies = await call("GET", `/v1/scaling/policies?${q()}`, undefined, m);
    scalingPolicyID = policies.json?.[0]?.ID;
    expect(scalingPolicyID).toBeTruthy();

    owner.secret = await clientToken(owner.policy, `namespace "${ns}" { policy = "read" }`);
    owner.accessor = (
      await call("GET", "/v1/acl/token/self", undefined, owner.secret)
    ).json.AccessorID;
    const victimPolicy = await call(
      "POST",
      `/v1/acl/policy/${victims.policy}`,
      { Rules: 'node { policy = "read" }' },
      m,
    );
    expect(victimPolicy.status).toBe(200);
    // The owner's token also links a role, so the "token" role routes reach it.
    const ownerRole = await call(
      "POST",
      "/v1/acl/role",
      { Name: owner.role, Policies: [{ Name: owner.policy }] },
      m,
    );
    expect(ownerRole.status, ownerRole.text).toBe(200);
    owner.roleID = ownerRole.json.ID;
    const linked = await call(
      "POST",
      `/v1/acl/token/${owner.accessor}`,
      { AccessorID: owner.accessor, Roles: [{ Name: owner.role }] },
      m,
    );
    expect([linked.status, linked.json?.Roles], linked.text).toEqual([
      200,
      [{ ID: owner.roleID, Name: owner.role }],
    ]);
    for (const which of ["roleToDelete", "roleToUpdate"] as const) {
      const r = await call(
        "POST",
        "/v1/acl/role",
        { Name: `${which.toLowerCase()}-${run}`, Policies: [{ Name: owner.policy }] },
        m,
      );
      expect(r.status, r.text).toBe(200);
      victims[which] = r.json.ID;
    }
    for (const which of ["tokenToDelete", "tokenToUpdate"] as const) {
      const t = await call(
        "POST",
        "/v1/acl/token",
        { Type: "client", Policies: [owner.policy] },
        m,
      );
      victims[which] = t.json.AccessorID;
    }

    const kinds = new Map<string, readonly Access[]>();
    for (const r of api.routes) kinds.set(accessKey(r), alternatives(r));
    let i = 0;
    for (const [key, list] of kinds) {
      i++;
      const exactly: string[] = [];
      for (const [j, a] of list.entries())
        if (a.includes(":")) exactly.push(await clientToken(`m${i}-${j}-${run}`, rulesExactly(a)));
      tokens.set(key, { except: await clientToken(`m${i}-x-${run}`, rulesExcept(list)), exactly });
    }
  });

  it("declares the requirement Nomad's endpoints check (nomad/*_endpoint.go, command/agent/*)", () => {
    // The matrix below proves the server enforces each declaration; these pin
    // the declarations themselves to Nomad's, for the endpoints clients use most.
    const nomad: Record<string, Access | readonly Access[]> = {
      "GET /v1/jobs": "ns:list-jobs", // Job.List
      "POST /v1/jobs": "ns:submit-job", // Job.Register
      "POST /v1/jobs/parse": ["ns:parse-job", "ns:submit-job"], // jobParse
      "PUT /v1/validate/job": "ns:read-job", // Job.Validate
      "GET /v1/job/:id*": "ns:read-job", // Job.GetJob
      "DELETE /v1/job/:id*": "ns:submit-job", // Job.Deregister
      "GET /v1/job/:id*/scale": ["ns:read-job-scaling", "ns:read-job"], // Job.ScaleStatus
      "POST /v1/job/:id*/scale": ["ns:scale-job", "ns:submit-job"], // Job.Scale
      "POST /v1/job/:id*/dispatch": "ns:dispatch-job", // Job.Dispatch
      "POST /v1/job/:id*/periodic/force": ["ns:dispatch-job", "ns:submit-job"], // Periodic.Force
      "GET /v1/allocation/:id": "ns:read-job", // Alloc.GetAlloc
      "POST /v1/allocation/:id/stop": "ns:alloc-lifecycle", // Alloc.Stop
      "POST /v1/deployment/fail/:id": "ns:submit-job", // Deployment.Fail
      "GET /v1/client/fs/logs/:alloc": "ns:read-logs", // client FileSystem.Logs
      "GET /v1/client/fs/cat/:alloc": "ns:read-fs", // client FileSystem.Stream
      "GET /v1/scaling/policies": ["ns:list-scaling-policies", "ns:list-jobs+read-job"],
      "GET /v1/services": "ns:read-job", // ServiceRegistration.List
      "GET /v1/service/:name": "ns:read-job", // ServiceRegistration.GetService
      // ServiceRegistration.DeleteByID
      "DELETE /v1/service/:name/:id": ["ns:submit-job", "ns:delete-service-registration"],
      "GET /v1/allocation/:id/services": "ns:read-job", // Alloc.GetServiceRegistrations
      "GET /v1/job/:id*/services": "ns:read-job", // Job.GetServiceRegistrations
      "GET /v1/vars": "filtered", // Variables.List: the variables whose path allows list
      "GET /v1/var/:path*": "var:read", // Variables.Read
      "PUT /v1/var/:path*": "var:write", // Variables.Apply (set, cas)
      "DELETE /v1/var/:path*": "var:destroy", // Variables.Apply (delete)
      "GET /v1/nodes": "node:read", // Node.List
      "POST /v1/node/:id/drain": "node:write", // Node.UpdateDrain
      "GET /v1/node/pool/:name": "pool:read", // NodePool.GetNodePool
      "POST /v1/node/pools": "pool:write", // NodePool.UpsertNodePools
      "DELETE /v1/node/pool/:name": "pool:delete", // NodePool.DeleteNodePools
      "POST /v1/namespace/:name": "management", // Namespace.UpsertNamespaces
      "DELETE /v1/namespace/:name": "management", // Namespace.DeleteNamespaces
      "POST /v1/deployment/unblock/:id": "ns:submit-job", // Deployment.Unblock
      "GET /v1/agent/self": "agent:read", // AgentSelfRequest
      "GET /v1/agent/members": "node:read", // Status.Members
      "GET /v1/acl/tokens": "management", // ACL.ListTokens
      "GET /v1/acl/roles": "token", // ACL.ListRoles (a client token sees the roles it links)
      "POST /v1/acl/role": "management", // ACL.UpsertRoles
      "GET /v1/acl/role/:id": "token", // ACL.GetRoleByID (a client token: only a role it links)
      "DELETE /v1/acl/role/:id": "management", // ACL.DeleteRolesByID
      "POST /v1/acl/bootstrap": "anonymous", // ACL.Bootstrap
      "GET /v1/status/leader": "anonymous", // Status.Leader
      "PUT /v1/system/gc": "management", // System.GarbageCollect
      "GET /v1/operator/scheduler/configuration": "operator:read", // Operator.SchedulerGetConfiguration
      "PUT /v1/operator/scheduler/configuration": "operator:write", // Operator.SchedulerSetConfiguration
      "POST /v1/operator/scheduler/configuration": "operator:write",
      "GET /v1/operator/raft/configuration": "management", // Operator.RaftGetConfiguration
      "DELETE /v1/operator/raft/peer": "management", // Operator.RaftRemovePeerByID
      "GET /v1/operator/snapshot": "operator:write", // Operator.SnapshotSave (or snapshot-save)
      "PUT /v1/operator/snapshot": "management", // Operator.SnapshotRestore
    };
    const declared = Object.fromEntries(api.routes.map((r) => [`${r.method} ${r.path}`, r.acl]));
    for (const [route, want] of Object.entries(nomad)) expect(declared[route], route).toEqual(want);
  });

  it("gives Nomad's answer for every route of the route table and every kind of token", async () => {
    expect(api.routes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const r of api.routes) {
      const name = `${r.method} ${r.path}`;
      seen.add(name);
      const list = alternatives(r);
      const t = tokens.get(accessKey(r));
      if (!t) throw new Error(`no tokens for ${name}`);
      const open = list.includes("anonymous") || list.includes("filtered");
      const expectations: [string, string | undefined, boolean][] = [["no token", undefined, open]];
      if (list.includes("token")) expectations.push(["its owner", owner.secret, true]);
      else expectations.push(["everything but it", t.except, open]);
      for (const [j, secret] of t.exactly.entries())
        expectations.push([`exactly ${list.filter((a) => a.includes(":"))[j]}`, secret, true]);
      expectations.push(["management", secrets.management, true]);
      // Lists are asked for namespace=* too: Nomad allows it when some namespace grants the capability.
      const isList =
        r.method === "GET" &&
        !r.path.includes(":") &&
        !r.aclNamespace &&
        list.every((a) => a.startsWith("ns:"));
      for (const namespace of isList ? [ns, "*"] : [ns]) {
        const { path: p, body } = request(r, namespace);
        for (const [who, secret, allowed] of expectations) {
          const res = await call(r.method, p, body, secret);
          const denied = res.status === 403;
          if (denied && res.text !== "Permission denied")
            wrong.push(`${name} ${who}: 403 ${res.text}`);
          if (denied === allowed)
            wrong.push(
              `${name} (namespace ${namespace}) with ${who}: ${res.status} ${res.text.slice(0, 120)} (acl ${list.join(" | ")})`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(api.routes.length);
    // "token" routes: a client token reaches its own policy and token, not another's.
    for (const p of [
      `/v1/acl/policy/${owner.policy}`,
      `/v1/acl/token/${owner.accessor}`,
      `/v1/acl/role/${owner.roleID}`,
      `/v1/acl/role/name/${owner.role}`,
    ]) {
      expect((await call("GET", p, undefined, owner.secret)).status, p).toBe(200);
      const other = await call("GET", p, undefined, secrets.reader);
      expect([other.status, other.text], p).toEqual([403, "Permission denied"]);
    }
  });

  it("refuses an expired token whatever its policies allow", async () => {
    const expiring = await call(
      "POST",
      "/v1/acl/token",
      { Name: "short", Type: "client", Policies: [owner.policy], ExpirationTTL: 1e9 },
      secrets.management,
    );
    expect(expiring.status).toBe(200);
    expect(expiring.json.ExpirationTime).toBeTruthy();
    const sample = [...new Map(api.routes.map((r) => [accessKey(r), r])).values()];
    await new Promise((r) => setTimeout(r, 1_100));
    for (const r of sample) {
      const { path: p, body } = request(r);
      const res = await call(r.method, p, body, expiring.json.SecretID);
      expect([res.status, res.text], `${r.method} ${r.path}`).toEqual([403, "ACL token expired"]);
    }
  });

  const job = () => ({
    Job: {
      ID: "web",
      Datacenters: ["nowhere"],
      TaskGroups: [
        {
          Name: "g",
          Count: 1,
          Scaling: { Min: 0, Max: 3, Enabled: true },
          Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }],
        },
      ],
    },
  });

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
    // The delete answers once this API no longer finds the policy.
    const read = await call("GET", "/v1/acl/policy/anonymous", undefined, secrets.management);
    expect([read.status, read.text]).toEqual([404, "ACL policy not found"]);
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
