// The endpoints behind the `nomad` CLI's everyday node, agent, deployment,
// node pool and namespace commands, over a real API server, checked for what
// the CLI reads: `node status <node>` adds up each allocation's Resources and
// reads its Job; `node status -self` and `agent-info` read /v1/agent/self's
// stats; `deployment unblock`, `node pool apply|delete` and `namespace
// apply|delete` get Nomad's answers; Nomad paths Caravan does not serve say so.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { createObject } from "../../src/kube/apply.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { caravanResource } from "../../src/kube/resources.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { type NodeHandle, registerNode } from "../support/nodes.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const nodeName = `cli-node-${run}`;

describe("Nomad HTTP API: the CLI's node, agent, pool and namespace endpoints", () => {
  let ns: string;
  let api: RunningApi;
  let node: NodeHandle;
  let call: ReturnType<typeof apiClient>;
  const q = () => `namespace=${ns}`;

  const job = (id: string, extra: Record<string, unknown> = {}) => ({
    Job: {
      ID: id,
      Datacenters: ["nowhere"],
      ...extra,
      TaskGroups: [
        { Name: "g", Count: 1, Tasks: [{ Name: "t", Driver: "docker", Config: { image: "x" } }] },
      ],
    },
  });

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "cli");
    node = await registerNode(kubeconfig, { name: nodeName });
    // As `caravan dev`: the API's agent is a client too, its node named as the agent.
    const config = defaultAgentConfig();
    api = await startApi(
      loadKubeConfig(kubeconfig),
      {
        ...config,
        name: nodeName,
        dataDir: mkdtempSync(path.join(os.tmpdir(), "caravan-cli-")),
        ports: { http: 0 },
        client: { ...config.client, enabled: true },
      },
      createLogger({ level: "warn", json: false }),
      { registry: createControllerMetrics().registry, secretNamespace: ns },
    );
    call = apiClient(api.url);
    expect((await call("POST", `/v1/jobs?${q()}`, job("web"))).status).toBe(200);
  });
  afterAll(async () => {
    node?.stopHeartbeat();
    await api?.close();
  });

  it("answers a node's allocations whole, each with its job and resources, as `nomad node status` reads them", async () => {
    await createObject(loadKubeConfig(kubeconfig), caravanResource("NomadAllocation"), {
      metadata: { name: `web-a-${run}`, namespace: ns, labels: { "caravan.dev/node": nodeName } },
      spec: {
        jobName: "web",
        jobVersion: 0,
        group: "g",
        nodeName,
        desiredStatus: "run",
        name: "web.g[0]",
        index: 0,
        evalName: "web-e",
        resources: {
          tasks: { t: { cpu: 100, memoryMB: 64 } },
          shared: { diskMB: 300, ports: [{ label: "http", value: 23456, hostIP: "10.0.0.1" }] },
        },
      },
    });
    const allocs = await eventually(async () => {
      const r = await call("GET", `/v1/node/${nodeName}/allocations`);
      return r.json?.length === 1 ? r : undefined;
    }, "the allocation on the node");
    const [a] = allocs.json;
    expect(a).toMatchObject({
      ID: `web-a-${run}`,
      NodeID: nodeName,
      JobID: "web",
      Job: { ID: "web", Namespace: ns, TaskGroups: [{ Name: "g" }] },
      Resources: { CPU: 100, MemoryMB: 64, MemoryMaxMB: 64, DiskMB: 300 },
      TaskResources: { t: { CPU: 100, MemoryMB: 64 } },
      SharedResources: { DiskMB: 300 },
    });
    expect(a.Resources.Networks).toEqual([
      {
        IP: "10.0.0.1",
        DynamicPorts: [{ Label: "http", Value: 23456, To: 0, HostNetwork: "default" }],
      },
    ]);
  });

  it("reports the local client in /v1/agent/self, as `nomad node status -self` and `agent-info` read it", async () => {
    const self = await call("GET", "/v1/agent/self");
    expect(self.status).toBe(200);
    const { stats } = self.json;
    expect(stats.client).toMatchObject({
      node_id: nodeName,
      known_servers: expect.stringMatching(/:4647$/),
      num_allocations: "1",
      heartbeat_ttl: "10s",
    });
    // Go's duration format, as Nomad prints how long ago the heartbeat was.
    expect(stats.client.last_heartbeat).toMatch(/^[\d.]+(ns|µs|ms|s|m\d)/);
    expect(stats.nomad).toMatchObject({ server: "true", known_regions: "1" });
    expect(Object.keys(stats.runtime)).toEqual(
      expect.arrayContaining(["arch", "cpu_count", "kernel.name", "version"]),
    );
    // Every value is a string: the Go client decodes stats as map[string]map[string]string.
    for (const group of Object.values(stats) as Record<string, unknown>[])
      for (const v of Object.values(group)) expect(typeof v).toBe("string");
    expect(self.json.config.Client).toMatchObject({ Enabled: true, NodePool: "default" });
  });

  it("refuses to unblock a deployment that is not a blocked multiregion one, with Nomad's errors", async () => {
    const deployment = async (name: string, status: string) => {
      await kubectlOk(
        kubeconfig,
        ["apply", "-n", ns, "-f", "-"],
        JSON.stringify({
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadDeployment",
          metadata: { name },
          spec: { jobName: "web", jobVersion: 0 },
        }),
      );
      await kubectlOk(kubeconfig, [
        "patch",
        "-n",
        ns,
        `nomaddeployment/${name}`,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status: { status } }),
      ]);
      await eventually(async () => {
        const r = await call("GET", `/v1/deployment/${name}`);
        return r.json?.Status === status ? r : undefined;
      }, `deployment ${name} ${status}`);
    };
    const unblock = (id: string, body: unknown = { DeploymentID: id }) =>
      call("POST", `/v1/deployment/unblock/${id}`, body);
    await deployment(`done-${run}`, "successful");
    await deployment(`live-${run}`, "running");
    const done = await unblock(`done-${run}`);
    expect([done.status, done.text]).toEqual([400, "can't unblock terminal deployment"]);
    const live = await unblock(`live-${run}`);
    expect([live.status, live.text]).toEqual([400, "can't unblock running deployment"]);
    const mismatch = await unblock(`live-${run}`, { DeploymentID: "other" });
    expect([mismatch.status, mismatch.text]).toEqual([400, "Deployment ID does not match"]);
    const missing = await unblock("nope");
    expect([missing.status, missing.text]).toEqual([404, "deployment not found"]);
    // Nothing changed.
    expect((await call("GET", `/v1/deployment/live-${run}`)).json.Status).toBe("running");
  });

  it("applies and deletes node pools as `nomad node pool apply|delete` do, with Nomad's refusals", async () => {
    const pool = `gpu-${run}`;
    const put = await call("PUT", "/v1/node/pools", {
      Name: pool,
      Description: "gpu nodes",
      Meta: { vendor: "acme" },
      SchedulerConfiguration: { SchedulerAlgorithm: "spread" },
    });
    expect(put.status).toBe(200);
    const stored = JSON.parse(
      await kubectlOk(kubeconfig, ["get", `nomadnodepool/${pool}`, "-o", "json"]),
    );
    expect(stored.spec).toMatchObject({
      description: "gpu nodes",
      meta: { vendor: "acme" },
      schedulerConfiguration: { schedulerAlgorithm: "spread" },
    });
    const info = await eventually(async () => {
      const r = await call("GET", `/v1/node/pool/${pool}`);
      return r.status === 200 ? r : undefined;
    }, "the pool");
    expect(info.json).toMatchObject({ Name: pool, Description: "gpu nodes" });
    // Applying again changes it in place.
    expect((await call("PUT", "/v1/node/pools", { Name: pool, Description: "v2" })).status).toBe(
      200,
    );
    await eventually(async () => {
      const r = await call("GET", `/v1/node/pool/${pool}`);
      return r.json?.Description === "v2" && r.json.Meta === null ? r : undefined;
    }, "the pool updated");

    const refused = async (method: string, p: string, body: unknown, status: number) => {
      const r = await call(method, p, body);
      expect(r.status, r.text).toBe(status);
      return r.text;
    };
    expect(await refused("PUT", "/v1/node/pools", { Name: "default" }, 400)).toBe(
      'modifying node pool "default" is not allowed',
    );
    expect(await refused("PUT", "/v1/node/pools", { Name: "a b" }, 400)).toBe(
      'invalid node pool "a b": 1 error occurred:\n\t* invalid name "a b", must match regex ^[a-zA-Z0-9-_]{1,128}$\n\n',
    );
    expect(
      await refused(
        "PUT",
        "/v1/node/pools",
        { Name: pool, SchedulerConfiguration: { SchedulerAlgorithm: "fastest" } },
        400,
      ),
    ).toContain("invalid scheduler algorithm: fastest");
    expect(await refused("PUT", `/v1/node/pool/${pool}`, { Name: "other" }, 400)).toBe(
      "Node pool name does not match request path",
    );
    // "default" holds this test's node (and other tests' jobs).
    expect(await refused("DELETE", "/v1/node/pool/default", undefined, 400)).toContain(
      `node pool "default" has nodes in regions: [global]`,
    );
    expect(await refused("DELETE", "/v1/node/pool/all", undefined, 400)).toBe(
      'deleting node pool "all" is not allowed',
    );

    // A pool an unfinished job runs in stays.
    expect((await call("POST", `/v1/jobs?${q()}`, job("pooled", { NodePool: pool }))).status).toBe(
      200,
    );
    await eventually(async () => {
      const r = await call("DELETE", `/v1/node/pool/${pool}`);
      return r.status === 400 ? r : undefined;
    }, "the job to be seen").then((r) =>
      expect(r.text).toBe(
        `1 error occurred:\n\t* node pool "${pool}" has non-terminal jobs in regions: [global]\n\n`,
      ),
    );
    expect((await call("DELETE", `/v1/job/pooled?${q()}&purge=true`)).status).toBe(200);
    await eventually(async () => {
      const r = await call("DELETE", `/v1/node/pool/${pool}`);
      return r.status === 200 ? r : undefined;
    }, "the pool deleted once its job is gone");
    // The delete answers once this API no longer finds the pool.
    const read = await call("GET", `/v1/node/pool/${pool}`);
    expect([read.status, read.text]).toEqual([404, "node pool not found"]);
    expect((await kubectl(kubeconfig, ["get", `nomadnodepool/${pool}`])).code).not.toBe(0);
    const again = await call("DELETE", `/v1/node/pool/${pool}`);
    expect([again.status, again.text]).toEqual([404, `node pool ${pool} not found`]);
  });

  it("applies and deletes namespaces as Kubernetes namespaces, deleting only those Caravan made", async () => {
    const made = `ns1-${run}`;
    const put = await call("PUT", `/v1/namespace/${made}`, {
      Name: made,
      Description: "test",
      Meta: { team: "a" },
      Capabilities: null,
    });
    expect(put.status, put.text).toBe(200);
    const k = JSON.parse(await kubectlOk(kubeconfig, ["get", `namespace/${made}`, "-o", "json"]));
    expect(k.metadata.labels["app.kubernetes.io/managed-by"]).toBe("caravan");
    expect(k.metadata.annotations["caravan.dev/description"]).toBe("test");
    const got = await call("GET", `/v1/namespace/${made}`);
    expect(got.json).toMatchObject({ Name: made, Description: "test", Meta: { team: "a" } });
    expect((await call("GET", "/v1/namespaces")).json.map((n: { Name: string }) => n.Name)).toEqual(
      expect.arrayContaining([made, ns, "default"]),
    );

    // A namespace made with kubectl is a Nomad namespace too: apply describes it.
    expect(
      (await call("POST", "/v1/namespace", { Name: ns, Description: "from kubectl" })).status,
    ).toBe(200);
    expect((await call("GET", `/v1/namespace/${ns}`)).json.Description).toBe("from kubectl");

    const refused = async (method: string, p: string, body: unknown, status = 400) => {
      const r = await call(method, p, body);
      expect(r.status, r.text).toBe(status);
      return r.text;
    };
    expect(await refused("PUT", `/v1/namespace/${made}`, { Name: "other" })).toBe(
      "Namespace name does not match request path",
    );
    expect(await refused("PUT", "/v1/namespace/Caps", { Name: "Caps" })).toContain(
      'invalid name "Caps": a Caravan namespace is a Kubernetes namespace',
    );
    expect(await refused("PUT", "/v1/namespace/bad_name", { Name: "bad_name" })).toContain(
      'invalid name "bad_name". Must match regex ^[a-zA-Z0-9-]{1,128}$',
    );
    expect(await refused("PUT", `/v1/namespace/${made}`, { Name: made, Quota: "q" })).toBe(
      `namespace "${made}" using non-existent quota "q"`,
    );
    expect(
      await refused("PUT", `/v1/namespace/${made}`, {
        Name: made,
        Capabilities: { EnabledTaskDrivers: ["docker"] },
      }),
    ).toContain("capabilities are not enforced yet in Caravan");
    // Refused writes changed nothing.
    expect((await call("GET", `/v1/namespace/${made}`)).json.Description).toBe("test");

    expect(await refused("DELETE", "/v1/namespace/default", undefined)).toBe(
      "can not delete default namespace",
    );
    expect(await refused("DELETE", `/v1/namespace/${ns}`, undefined)).toContain(
      `namespace "${ns}" has non-terminal jobs in regions: [global]`,
    );
    expect(await refused("DELETE", "/v1/namespace/nope-nope", undefined, 404)).toBe(
      "namespace not found",
    );
    const foreign = await createNamespace(kubeconfig, "foreign");
    await eventually(async () => {
      const r = await call("DELETE", `/v1/namespace/${foreign}`);
      return r.status === 400 ? r : undefined;
    }, "the kubectl namespace").then((r) =>
      expect(r.text).toContain("is a Kubernetes namespace Caravan did not create"),
    );
    expect((await kubectl(kubeconfig, ["get", `namespace/${foreign}`])).code).toBe(0);

    expect((await call("DELETE", `/v1/namespace/${made}`)).status).toBe(200);
    const gone = JSON.parse(
      (await kubectl(kubeconfig, ["get", `namespace/${made}`, "-o", "json"])).stdout || "{}",
    );
    expect(gone.metadata?.deletionTimestamp ?? "deleted").toBeTruthy();
    expect((await call("GET", `/v1/namespace/${made}`)).status).toBe(404);
  });

  it("says which Nomad endpoints Caravan does not serve instead of Invalid URL path", async () => {
    const plugins = await call("GET", "/v1/plugins");
    expect([plugins.status, plugins.text]).toEqual([
      404,
      "CSI plugins are not implemented yet in Caravan",
    ]);
    const volumes = await call("GET", "/v1/volumes");
    expect(volumes.text).toBe(
      "volumes (CSI and dynamic host volumes) are not implemented yet in Caravan",
    );
    const quotas = await call("GET", "/v1/quotas");
    expect([quotas.status, quotas.text]).toEqual([501, "Nomad Enterprise only endpoint"]);
    const unknown = await call("GET", "/v1/nonsense");
    expect([unknown.status, unknown.text]).toEqual([404, "Invalid URL path"]);
  });
});
