// Nomad Variables over a real API server and control plane: put, get and
// list (by prefix, in one namespace and in all), check-and-set conflicts
// answered with Nomad's 409 and the conflicting variable, the 64 KiB limit and
// path rules, variables ACL path rules, purge, and that a variable's values
// are found nowhere but in the Secret that holds it (not in any other object
// of any kind, nor in the API's logs).
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";
import { apiClient, applyToken } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const secretValue = `s3cret-${randomUUID()}`;

describe("Nomad HTTP API: variables", () => {
  let ns: string;
  let other: string;
  let api: RunningApi;
  let call: ReturnType<typeof apiClient>;
  let logs = "";
  const management = randomUUID();
  let limited = "";

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "vars");
    other = await createNamespace(kubeconfig, "vars2");
    const destination = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    api = await startApi(
      loadKubeConfig(kubeconfig),
      { ...defaultAgentConfig(), ports: { http: 0 }, acl: { enabled: true } },
      createLogger({ level: "debug", json: true, destination }),
      { registry: createControllerMetrics().registry, secretNamespace: ns },
    );
    call = apiClient(api.url);
    await applyToken(kubeconfig, {
      name: `vars-mgmt-${run}`,
      namespace: ns,
      secretID: management,
      spec: { type: "management" },
    });
    await eventually(async () => {
      const r = await call("GET", "/v1/acl/token/self", undefined, management);
      return r.status === 200 ? r : undefined;
    }, "the management token");
    const rules = `namespace "${ns}" {
      variables {
        path "app/*" { capabilities = ["read", "write"] }
        path "app/hidden/*" { capabilities = ["deny"] }
        path "listed/*" { capabilities = ["list"] }
      }
    }`;
    const p = await call("POST", `/v1/acl/policy/vars-${run}`, { Rules: rules }, management);
    expect(p.status, p.text).toBe(200);
    const t = await call(
      "POST",
      "/v1/acl/token",
      { Type: "client", Policies: [`vars-${run}`] },
      management,
    );
    expect(t.status, t.text).toBe(200);
    limited = t.json.SecretID;
  });
  afterAll(async () => {
    await api?.close();
  });

  const put = (path: string, items: Record<string, string>, query = "", namespace = ns) =>
    call("PUT", `/v1/var/${path}?namespace=${namespace}${query}`, { Items: items }, management);

  it("puts, gets and lists variables by prefix, in one namespace and in all", async () => {
    const a = await put("app/web", { user: "web", password: secretValue });
    expect(a.status, a.text).toBe(200);
    expect(a.json).toMatchObject({
      Namespace: ns,
      Path: "app/web",
      Items: { user: "web", password: secretValue },
    });
    expect(a.json.ModifyIndex).toBe(a.json.CreateIndex);
    expect(Number(a.headers.get("x-nomad-index"))).toBe(a.json.ModifyIndex);
    expect((await put("app/db", { "odd key!": "x" })).status).toBe(200);
    expect((await put("listed/one", { k: "v" })).status).toBe(200);
    expect((await put("app/web", { k: "in another namespace" }, "", other)).status).toBe(200);

    const got = await call("GET", `/v1/var/app/web?namespace=${ns}`, undefined, management);
    expect(got.status).toBe(200);
    expect(got.json.Items).toEqual({ user: "web", password: secretValue });
    const odd = await call("GET", `/v1/var/app/db?namespace=${ns}`, undefined, management);
    expect(odd.json.Items).toEqual({ "odd key!": "x" });
    const missing = await call("GET", `/v1/var/app/none?namespace=${ns}`, undefined, management);
    expect([missing.status, missing.text]).toEqual([404, "variable not found"]);

    const listed = await call("GET", `/v1/vars?namespace=${ns}&prefix=app/`, undefined, management);
    expect(listed.json.map((v: { Path: string }) => v.Path)).toEqual(["app/db", "app/web"]);
    expect(listed.json[0].Items).toBeUndefined();
    const all = await call("GET", "/v1/vars?namespace=*&prefix=app/web", undefined, management);
    const mine = all.json.filter((v: { Namespace: string }) => [ns, other].includes(v.Namespace));
    expect(mine.map((v: { Namespace: string }) => v.Namespace).sort()).toEqual([ns, other].sort());

    // The Secret holds the items; the path is an annotation.
    const secrets = JSON.parse(
      await kubectlOk(kubeconfig, [
        "get",
        "secrets",
        "-n",
        ns,
        "-l",
        "caravan.dev/variable=true",
        "-o",
        "json",
      ]),
    ).items;
    const web = secrets.find(
      (s: { metadata: { annotations: Record<string, string> } }) =>
        s.metadata.annotations["caravan.dev/variable-path"] === "app/web",
    );
    expect(Buffer.from(web.data.password, "base64").toString()).toBe(secretValue);
  });

  it("answers a failed check-and-set with 409 and the conflicting variable", async () => {
    const first = await put("app/cas", { v: "1" }, "&cas=0");
    expect(first.status, first.text).toBe(200);
    const index = first.json.ModifyIndex;
    const again = await put("app/cas", { v: "2" }, "&cas=0");
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ Path: "app/cas", ModifyIndex: index, Items: { v: "1" } });
    const stale = await put("app/cas", { v: "2" }, `&cas=${index - 1}`);
    expect([stale.status, stale.json.ModifyIndex]).toEqual([409, index]);
    // The same items again are written again, as Nomad: a new ModifyIndex.
    const same = await put("app/cas", { v: "1" }, `&cas=${index}`);
    expect([same.status, same.json.ModifyIndex > index]).toEqual([200, true]);
    const ok0 = await put("app/cas", { v: "2" }, `&cas=${index}`);
    expect(ok0.status).toBe(409);
    const ok = await put("app/cas", { v: "2" }, `&cas=${same.json.ModifyIndex}`);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.ModifyIndex).toBeGreaterThan(index);
    expect(ok.json.CreateIndex).toBe(index);
    const absent = await put("app/absent", { v: "1" }, "&cas=7");
    expect([absent.status, absent.json]).toEqual([
      409,
      {
        Namespace: ns,
        Path: "app/absent",
        CreateIndex: 0,
        CreateTime: 0,
        ModifyIndex: 0,
        ModifyTime: 0,
      },
    ]);
    const bad = await put("app/cas", { v: "3" }, "&cas=x");
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^can not parse cas/);

    const staleDelete = await call(
      "DELETE",
      `/v1/var/app/cas?namespace=${ns}&cas=${index}`,
      undefined,
      management,
    );
    expect(staleDelete.status).toBe(409);
    expect(staleDelete.json.ModifyIndex).toBe(ok.json.ModifyIndex);
    const deleted = await call(
      "DELETE",
      `/v1/var/app/cas?namespace=${ns}&cas=${ok.json.ModifyIndex}`,
      undefined,
      management,
    );
    expect([deleted.status, deleted.text]).toEqual([204, ""]);
    const gone = await call("GET", `/v1/var/app/cas?namespace=${ns}`, undefined, management);
    expect(gone.status).toBe(404);
  });

  it("refuses what Nomad refuses, changing nothing", async () => {
    const cases: [string, Record<string, string>, string][] = [
      ["app/big", { v: "x".repeat(65537) }, "variables are limited to 64KiB in total size"],
      ["app/empty", {}, "variable missing required Items object"],
      [
        "nomad/other",
        { k: "v" },
        'only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory',
      ],
      ["app/bad%20path", { k: "v" }, 'invalid path "app/bad path"'],
    ];
    for (const [path, items, message] of cases) {
      const r = await put(path, items);
      expect([r.status, r.text]).toEqual([400, message]);
    }
    const ttl = await call(
      "PUT",
      `/v1/var/app/lock?namespace=${ns}&lock-acquire`,
      { Lock: { TTL: "5s" } },
      management,
    );
    expect([ttl.status, ttl.text]).toEqual([400, "TTL must be between 10 seconds and 24 hours"]);
    const both = await call(
      "PUT",
      `/v1/var/app/lock?namespace=${ns}&lock-acquire&cas=0`,
      {},
      management,
    );
    expect([both.status, both.text]).toEqual([400, "CAS can't be used with lock operations"]);
    const list = await call("GET", `/v1/vars?namespace=${ns}&prefix=app/b`, undefined, management);
    expect(list.json).toEqual([]);
  });

  it("acquires, renews and releases a lock; a locked variable changes only for its holder", async () => {
    const at = (op: string) => `/v1/var/app/locked?namespace=${ns}${op}`;
    const acquired = await call("PUT", at("&lock-acquire"), { Lock: { TTL: "20s" } }, management);
    expect(acquired.status, acquired.text).toBe(200);
    const lock = acquired.json.Lock;
    expect(lock).toMatchObject({ TTL: "20s", LockDelay: "15s" });
    expect(lock.ID).toMatch(/^[0-9a-f-]{36}$/);
    const index = acquired.json.ModifyIndex;

    const taken = await call("PUT", at("&lock-acquire"), {}, management);
    expect([taken.status, taken.json]).toEqual([
      409,
      {
        Namespace: ns,
        Path: "app/locked",
        CreateIndex: 0,
        CreateTime: 0,
        ModifyIndex: 0,
        ModifyTime: 0,
      },
    ]);
    const renewed = await call("PUT", at("&lock-renew"), { Lock: { ID: lock.ID } }, management);
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.json).toMatchObject({ Path: "app/locked", CreateIndex: index, Lock: lock });
    const wrongRenew = await call("PUT", at("&lock-renew"), { Lock: { ID: "nope" } }, management);
    expect([wrongRenew.status, wrongRenew.text]).toEqual([
      409,
      "attempting to modify locked variable",
    ]);

    const notHolder = await call("PUT", at(""), { Items: { k: "v" } }, management);
    expect(notHolder.status).toBe(409);
    const holder = await call(
      "PUT",
      at(""),
      { Items: { k: "v" }, Lock: { ID: lock.ID } },
      management,
    );
    expect(holder.status, holder.text).toBe(200);
    expect(holder.json).toMatchObject({ Items: { k: "v" }, CreateIndex: index, Lock: lock });
    expect((await call("DELETE", at(""), undefined, management)).status).toBe(409);
    // The lock is metadata Nomad shows to management tokens only.
    const read = await call("GET", at(""), undefined, limited);
    expect([read.status, read.json.Lock]).toEqual([200, undefined]);

    const wrongRelease = await call(
      "PUT",
      at("&lock-release"),
      { Lock: { ID: "nope" } },
      management,
    );
    expect([wrongRelease.status, wrongRelease.json]).toEqual([
      409,
      {
        Namespace: ns,
        Path: "app/locked",
        CreateIndex: 0,
        CreateTime: 0,
        ModifyIndex: 0,
        ModifyTime: 0,
      },
    ]);
    const released = await call("PUT", at("&lock-release"), { Lock: { ID: lock.ID } }, management);
    expect(released.status, released.text).toBe(200);
    expect(released.json.Lock).toBeUndefined();
    const again = await call("PUT", at("&lock-release"), { Lock: { ID: lock.ID } }, management);
    expect([again.status, again.text]).toEqual([409, "variable doesn't hold a lock"]);
    const kept = await call("GET", at(""), undefined, management);
    expect([kept.json.Items, kept.json.Lock]).toEqual([{ k: "v" }, undefined]);
    expect((await call("DELETE", at(""), undefined, management)).status).toBe(204);
  });

  it("checks the variables path rules of the token's policies", async () => {
    expect((await put("app/hidden/x", { k: "v" })).status).toBe(200);
    expect((await put("elsewhere/x", { k: "v" })).status).toBe(200);
    const as = (method: string, path: string, body?: unknown) => call(method, path, body, limited);
    const listed = await as("GET", `/v1/vars?namespace=${ns}`);
    expect(listed.status).toBe(200);
    expect(listed.json.map((v: { Path: string }) => v.Path)).toEqual([
      "app/db",
      "app/web",
      "listed/one",
    ]);
    expect((await as("GET", `/v1/var/app/web?namespace=${ns}`)).status).toBe(200);
    expect((await as("GET", `/v1/var/app/hidden/x?namespace=${ns}`)).status).toBe(403);
    expect((await as("GET", `/v1/var/listed/one?namespace=${ns}`)).status).toBe(403);
    expect((await as("GET", `/v1/var/elsewhere/x?namespace=${ns}`)).status).toBe(403);
    expect((await as("PUT", `/v1/var/app/new?namespace=${ns}`, { Items: { k: "v" } })).status).toBe(
      200,
    );
    expect(
      (await as("PUT", `/v1/var/elsewhere/y?namespace=${ns}`, { Items: { k: "v" } })).status,
    ).toBe(403);
    expect((await as("DELETE", `/v1/var/app/new?namespace=${ns}`)).status).toBe(403);
    expect((await as("GET", `/v1/var/app/web?namespace=${other}`)).status).toBe(403);
    const anonymous = await call("GET", `/v1/vars?namespace=${ns}`);
    expect([anonymous.status, anonymous.json]).toEqual([200, []]);
    const purged = await call("DELETE", `/v1/var/app/new?namespace=${ns}`, undefined, management);
    expect(purged.status).toBe(204);
  });

  it("keeps the values in the Secrets that hold them and nowhere else", async () => {
    const kinds = (await kubectlOk(kubeconfig, ["api-resources", "--verbs=list", "-o", "name"]))
      .split("\n")
      .filter((k) => k && k !== "secrets");
    const dump = await kubectlOk(kubeconfig, ["get", kinds.join(","), "-A", "-o", "yaml"]);
    const encoded = Buffer.from(secretValue).toString("base64");
    expect(dump).not.toContain(secretValue);
    expect(dump).not.toContain(encoded);
    // Everything the API logged (at debug) during the test, values must not be in it.
    expect(logs).not.toContain(secretValue);
    expect(logs).not.toContain(encoded);
  });
});
