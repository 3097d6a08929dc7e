// ACL roles, token expiration bounds and token updates over a real API server:
// a token linking a role gets exactly the role's policies, as the role is now;
// deleting the role takes it from the token; a TTL outside the agent's
// token_min_expiration_ttl / token_max_expiration_ttl is refused with Nomad's
// message; `nomad acl token update`'s request (the whole token, sent back) works.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);

describe("Nomad HTTP API: ACL roles, token expiration bounds and token updates", () => {
  let ns: string;
  let api: RunningApi;
  let call: ReturnType<typeof apiClient>;
  /** A management token applied as GitOps would (the cluster may be bootstrapped already). */
  const management = randomUUID();
  const reader = `reader-${run}`;
  const writer = `writer-${run}`;
  const role = `dev-${run}`;
  const renamedRole = `Dev-Renamed-${run}`;
  let roleID = "";
  let linked = { secret: "", accessor: "" };

  const job = (id: string) => ({
    Job: {
      ID: id,
      Datacenters: ["nowhere"],
      TaskGroups: [
        { Name: "g", Count: 1, Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] },
      ],
    },
  });

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "aclroles");
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } },
      createLogger({ level: "warn", json: false }),
      { registry: createControllerMetrics().registry, secretNamespace: ns, namespace: ns },
    );
    call = apiClient(api.url);
    await applyToken(kubeconfig, {
      name: `roles-mgmt-${run}`,
      namespace: ns,
      secretID: management,
      spec: { type: "management" },
    });
    await eventually(async () => {
      const r = await call("GET", "/v1/acl/token/self", undefined, management);
      return r.status === 200 ? r : undefined;
    }, "the management token");
    for (const [name, rules] of [
      [reader, `namespace "${ns}" { policy = "read" }`],
      [writer, `namespace "${ns}" { policy = "write" }`],
    ]) {
      const p = await call("POST", `/v1/acl/policy/${name}`, { Rules: rules }, management);
      expect(p.status, p.text).toBe(200);
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("creates a role of existing policies, refusing what Nomad refuses", async () => {
    const created = await call(
      "PUT",
      "/v1/acl/role",
      { Name: role, Description: "developers", Policies: [{ Name: reader }, { Name: reader }] },
      management,
    );
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({
      Name: role,
      Description: "developers",
      Policies: [{ Name: reader }],
    });
    roleID = created.json.ID;
    expect(roleID).toMatch(/^[0-9a-f-]{36}$/);
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadaclroles", "-o", "json"]),
    ).items.find((r: { metadata: { uid: string } }) => r.metadata.uid === roleID);
    expect(stored.spec).toEqual({ name: role, description: "developers", policies: [reader] });

    const refusals: [unknown, string][] = [
      [{ Name: role, Policies: [{ Name: reader }] }, `role with name ${role} already exists`],
      [{ Name: `x-${run}`, Policies: [{ Name: "nope" }] }, "cannot find policy nope"],
      [
        { Name: "bad name", Policies: [] },
        "role 0 invalid: 2 errors occurred:\n\t* invalid name 'bad name'\n\t* at least one policy should be specified\n\n",
      ],
    ];
    for (const [body, text] of refusals) {
      const r = await call("POST", "/v1/acl/role", body, management);
      expect([r.status, r.text]).toEqual([400, text]);
    }
    const mismatch = await call(
      "POST",
      `/v1/acl/role/${roleID}`,
      { Name: role, Policies: [{ Name: reader }] },
      management,
    );
    expect([mismatch.status, mismatch.text]).toEqual([
      400,
      "ACL role ID does not match request path",
    ]);
    const byName = await call("GET", `/v1/acl/role/name/${role}`, undefined, management);
    expect([byName.status, byName.json?.ID]).toEqual([200, roleID]);
    const list = await call("GET", "/v1/acl/roles", undefined, management);
    expect(list.json.map((r: { ID: string }) => r.ID)).toContain(roleID);
  });

  it("gives a token linking the role exactly the role's policies", async () => {
    const t = await call(
      "POST",
      "/v1/acl/token",
      { Name: "dev", Type: "client", Roles: [{ Name: role }] },
      management,
    );
    expect(t.status, t.text).toBe(200);
    expect(t.json.Roles).toEqual([{ ID: roleID, Name: role }]);
    linked = { secret: t.json.SecretID, accessor: t.json.AccessorID };
    const self = await call("GET", "/v1/acl/token/self", undefined, linked.secret);
    expect(self.json).toMatchObject({ Policies: null, Roles: [{ ID: roleID, Name: role }] });

    expect((await call("GET", `/v1/jobs?namespace=${ns}`, undefined, linked.secret)).status).toBe(
      200,
    );
    const register = await call("POST", `/v1/jobs?namespace=${ns}`, job("a"), linked.secret);
    expect([register.status, register.text]).toEqual([403, "Permission denied"]);
    expect((await call("GET", "/v1/nodes", undefined, linked.secret)).status).toBe(403);
    // The token may read its role and the role's policies, not others.
    expect((await call("GET", `/v1/acl/role/${roleID}`, undefined, linked.secret)).status).toBe(
      200,
    );
    expect((await call("GET", `/v1/acl/policy/${reader}`, undefined, linked.secret)).status).toBe(
      200,
    );
    expect((await call("GET", `/v1/acl/policy/${writer}`, undefined, linked.secret)).status).toBe(
      403,
    );
    const roles = await call("GET", "/v1/acl/roles", undefined, linked.secret);
    expect(roles.json.map((r: { ID: string }) => r.ID)).toEqual([roleID]);
  });

  it("applies a change of the role's policies to the token without re-issuing it", async () => {
    const updated = await call(
      "POST",
      `/v1/acl/role/${roleID}`,
      { ID: roleID, Name: role, Policies: [{ Name: writer }] },
      management,
    );
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.Policies).toEqual([{ Name: writer }]);
    const register = await call("POST", `/v1/jobs?namespace=${ns}`, job("b"), linked.secret);
    expect(register.status, register.text).toBe(200);
    expect((await call("GET", `/v1/acl/policy/${reader}`, undefined, linked.secret)).status).toBe(
      403,
    );
  });

  it("sends `nomad acl token update`'s request: the token read back, changed and sent whole", async () => {
    const read = await call("GET", `/v1/acl/token/${linked.accessor}`, undefined, management);
    const sent = { ...read.json, Name: "dev renamed", Policies: [reader] };
    const put = await call("PUT", `/v1/acl/token/${linked.accessor}`, sent, management);
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({
      AccessorID: linked.accessor,
      // As Nomad's ACL.UpsertTokens, the answer is the whole token, secret included.
      SecretID: linked.secret,
      Name: "dev renamed",
      Policies: [reader],
      Roles: [{ ID: roleID, Name: role }],
    });
    // The secret is unchanged: the token still works.
    const self = await call("GET", "/v1/acl/token/self", undefined, linked.secret);
    expect(self.json.Name).toBe("dev renamed");
    const global = await call(
      "PUT",
      `/v1/acl/token/${linked.accessor}`,
      { ...sent, Global: true },
      management,
    );
    expect([global.status, global.text]).toEqual([
      400,
      "token 0 invalid: 1 error occurred:\n\t* cannot toggle global mode\n\n",
    ]);
  });

  it("refuses a TTL outside token_min_expiration_ttl and token_max_expiration_ttl, naming the bound", async () => {
    const tries: [Record<string, unknown>, number, string | undefined][] = [
      [
        { Type: "client", Policies: [reader], ExpirationTTL: "30s" },
        400,
        "expiration time cannot be less than 1m0s in the future (was 30s)",
      ],
      [
        { Type: "client", Policies: [reader], ExpirationTTL: 48 * 3600e9 },
        400,
        "expiration time cannot be more than 24h0m0s in the future (was 48h0m0s)",
      ],
      [
        { Type: "management", ExpirationTTL: "25h" },
        400,
        "expiration time cannot be more than 24h0m0s in the future (was 25h0m0s)",
      ],
      [{ Type: "client", Policies: [reader], ExpirationTTL: "1h" }, 200, undefined],
    ];
    for (const [body, status, message] of tries) {
      const r = await call("POST", "/v1/acl/token", body, management);
      if (message)
        expect([r.status, r.text]).toEqual([
          status,
          `token 0 invalid: 1 error occurred:\n\t* ${message}\n\n`,
        ]);
      else {
        expect(r.status, r.text).toBe(status);
        expect(r.json.ExpirationTTL).toBe("1h0m0s");
        const at = Date.parse(r.json.ExpirationTime) - Date.parse(r.json.CreateTime);
        expect(at).toBe(3600_000);
        // Nomad's update keeps the expiration: sending another TTL is refused.
        const changed = await call(
          "PUT",
          `/v1/acl/token/${r.json.AccessorID}`,
          { ...r.json, ExpirationTTL: "2h" },
          management,
        );
        expect([changed.status, changed.text]).toEqual([
          400,
          "token 0 invalid: 1 error occurred:\n\t* cannot update expiration TTL\n\n",
        ]);
      }
    }
  });

  it("the garbage collector deletes tokens expired for longer than the threshold, and their Secrets", async () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const expired = async (name: string, at: string) => {
      await applyToken(kubeconfig, {
        name,
        namespace: ns,
        secretID: randomUUID(),
        spec: { type: "client", policies: [reader] },
      });
      const token = JSON.parse(
        await kubectlOk(kubeconfig, ["get", `nomadacltoken/${name}`, "-o", "json"]),
      );
      // Owned by the token, as the API makes them: the Secret goes with it.
      await kubectlOk(kubeconfig, [
        ...["patch", "secret", name, "-n", ns, "--type=merge", "-p"],
        JSON.stringify({
          metadata: {
            ownerReferences: [
              {
                apiVersion: "caravan.dev/v1alpha1",
                kind: "NomadACLToken",
                name,
                uid: token.metadata.uid,
              },
            ],
          },
        }),
      ]);
      await kubectlOk(kubeconfig, [
        ...["patch", "nomadacltoken", name, "--subresource=status", "--type=merge", "-p"],
        JSON.stringify({ status: { expirationTime: at } }),
      ]);
    };
    await expired(`gc-old-${run}`, ago(2 * 3_600_000));
    await expired(`gc-recent-${run}`, ago(60_000));
    const controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      // 30 minutes: other tests' tokens, expired seconds ago, are left alone.
      { namespace: ns, gc: { intervalMs: 500, thresholds: { tokenMs: 30 * 60_000 } } },
    );
    try {
      await eventually(async () => {
        const r = await kubectl(kubeconfig, ["get", `nomadacltoken/gc-old-${run}`]);
        return r.code !== 0 ? r : undefined;
      }, "the long-expired token to be collected");
      await eventually(async () => {
        const r = await kubectl(kubeconfig, ["get", "secret", `gc-old-${run}`, "-n", ns]);
        return r.code !== 0 ? r : undefined;
      }, "its Secret to go with it");
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await kubectl(kubeconfig, ["get", `nomadacltoken/gc-recent-${run}`])).code).toBe(0);
    } finally {
      await controllers.stop();
    }
  });

  it("keeps tokens linked to a role renamed through the API, as Nomad links by ID", async () => {
    const renamed = await call(
      "POST",
      `/v1/acl/role/${roleID}`,
      { ID: roleID, Name: renamedRole, Policies: [{ Name: writer }] },
      management,
    );
    expect([renamed.status, renamed.json?.ID], renamed.text).toEqual([200, roleID]);
    const self = await call("GET", "/v1/acl/token/self", undefined, linked.secret);
    expect(self.json.Roles).toEqual([{ ID: roleID, Name: renamedRole }]);
    const register = await call("POST", `/v1/jobs?namespace=${ns}`, job("d"), linked.secret);
    expect(register.status, register.text).toBe(200);
    const byName = await call("GET", `/v1/acl/role/name/${renamedRole}`, undefined, management);
    expect([byName.status, byName.json?.ID]).toEqual([200, roleID]);
  });

  it("takes a deleted role from the tokens linking it", async () => {
    const del = await call("DELETE", `/v1/acl/role/${roleID}`, undefined, management);
    expect(del.status, del.text).toBe(200);
    // The delete answers once this API no longer finds the role: a read right after it is a 404.
    const gone = await call("GET", `/v1/acl/role/${roleID}`, undefined, management);
    expect([gone.status, gone.text]).toEqual([404, "ACL role not found"]);
    const self = await eventually(async () => {
      const r = await call("GET", "/v1/acl/token/self", undefined, linked.secret);
      return r.json?.Roles === null ? r : undefined;
    }, "the token to lose its role");
    expect(self.json.Policies).toEqual([reader]);
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "nomadacltokens", "-o", "json"]),
    ).items.find(
      (t: { status?: { accessorID?: string } }) => t.status?.accessorID === linked.accessor,
    );
    expect(stored.spec.roles).toBeUndefined();
    // A new role of the same name is not linked to the token.
    const again = await call(
      "POST",
      "/v1/acl/role",
      { Name: renamedRole, Policies: [{ Name: writer }] },
      management,
    );
    expect(again.status, again.text).toBe(200);
    const register = await call("POST", `/v1/jobs?namespace=${ns}`, job("c"), linked.secret);
    expect([register.status, register.text]).toEqual([403, "Permission denied"]);
  });
});
