// Nomad-native service discovery with the real node agent: a raw_exec task
// serving HTTP registers its group's service (provider "nomad") when it runs,
// with its host address and dynamic port; the Nomad API lists and chooses
// it; another job's template ranging over `nomadService "web"` re-renders as
// the server scales from 1 to 3; stopping the job deregisters everything;
// and an allocation marked lost (its node gone) loses its registrations to
// the controllers.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { type Obj, runningOf, setClientStatus } from "../support/allocations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import {
  applyJob,
  marker,
  processesWith,
  shTask,
  startTestAgent,
  type TestAgent,
} from "./agent-harness.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `svc-${run}`;

interface Registration {
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  JobID: string;
  AllocID: string;
  Tags: string[];
  Address: string;
  Port: number;
}

describe("Nomad services with the node agent", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  let api: RunningApi;
  let call: ReturnType<typeof apiClient>;
  const m = marker();

  // A server on its dynamic port, with the marker in its command line to find it.
  const server = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.NOMAD_PORT_http)); // ${m}`;
  const web = (count: number) => ({
    type: "service",
    datacenters: [dc],
    groups: [
      {
        name: "web",
        count,
        networks: [{ ports: [{ label: "http" }] }],
        services: [
          {
            name: "web",
            provider: "nomad",
            port: "http",
            tags: ["v1", "http"],
            checks: [{ type: "http", path: "/", interval: "1s", timeout: "1s" }],
          },
        ],
        tasks: [
          {
            name: "srv",
            driver: "raw_exec",
            config: { command: process.execPath, args: ["-e", server] },
            resources: { cpu: 50, memory: 64 },
          },
        ],
      },
    ],
  });
  const services = async (query = "") => {
    const res = await call("GET", `/v1/service/web?namespace=${ns}${query}`);
    expect(res.status).toBe(200);
    return res.json as Registration[];
  };

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "svc-agent");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: `svc-${run}-node`, datacenter: dc });
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 } }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
    call = apiClient(api.url);
  });
  afterAll(async () => {
    await kubectl(kubeconfig, ["delete", "nomadjob", "--all", "-n", ns, "--timeout=30s"]);
    await api?.close();
    await agent?.stop(true);
    await controllers?.stop();
    for (const pid of processesWith(m)) process.kill(pid, "SIGKILL");
  });

  it("registers a running allocation's service, lists and chooses it, and re-renders a template as the server scales", async () => {
    await applyJob(kubeconfig, ns, "web", web(1));
    const [first] = await eventually(async () => {
      const regs = await services();
      return regs.length === 1 ? regs : undefined;
    }, "the web service to be registered");
    const [alloc] = await runningOf(kubeconfig, ns, "web");
    const ports: { label: string; value: number }[] = alloc?.spec.resources.shared.ports ?? [];
    const port = ports.find((p) => p.label === "http")?.value;
    expect(first).toMatchObject({
      ID: `_nomad-task-${alloc?.metadata.name}-group-web-web-http`,
      ServiceName: "web",
      Namespace: ns,
      NodeID: agent.name,
      JobID: "web",
      AllocID: alloc?.metadata.name,
      Tags: ["v1", "http"],
      Port: port,
    });
    // The address and port reach the task.
    const answer = await fetch(`http://${first?.Address}:${first?.Port}/`);
    expect(await answer.text()).toBe("ok");

    // The object is owned by its allocation and carries its check's status.
    const stored = await eventually(async () => {
      const out = await kubectlOk(kubeconfig, [
        "get",
        "nomadserviceregistrations",
        "-n",
        ns,
        "-o",
        "json",
      ]);
      const [o] = JSON.parse(out).items as Obj[];
      return o?.status?.checkStatus === "passing" ? o : undefined;
    }, "the registration's check to pass");
    expect(stored.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "NomadAllocation", name: alloc?.metadata.name }),
    ]);

    const list = await call("GET", `/v1/services?namespace=${ns}`);
    expect(list.json).toEqual([
      { Namespace: ns, Services: [{ ServiceName: "web", Tags: ["http", "v1"] }] },
    ]);
    expect(await services(`&filter=${encodeURIComponent('"v2" in Tags')}`)).toEqual([]);
    expect(await services(`&filter=${encodeURIComponent('"v1" in Tags')}`)).toHaveLength(1);
    const jobServices = await call("GET", `/v1/job/web/services?namespace=${ns}`);
    expect((jobServices.json as Registration[]).map((r) => r.ID)).toEqual([first?.ID]);
    const allocServices = await call(
      "GET",
      `/v1/allocation/${alloc?.metadata.name}/services?namespace=${ns}`,
    );
    expect((allocServices.json as Registration[]).map((r) => r.ID)).toEqual([first?.ID]);
    const badChoose = await call("GET", `/v1/service/web?namespace=${ns}&choose=2`);
    expect([badChoose.status, badChoose.text]).toEqual([
      400,
      "failed to choose services: Parameter for choose must be in form '<number>|<key>'",
    ]);

    // A client renders the catalog; the server scales to 3 and the file follows.
    await applyJob(kubeconfig, ns, "client", {
      type: "service",
      datacenters: [dc],
      groups: [
        {
          name: "client",
          tasks: [
            shTask("render", `sleep ${m}`, {
              templates: [
                {
                  data: '{{ range nomadService "web" }}{{ .Address }}:{{ .Port }}\n{{ end }}',
                  destination: "local/upstreams.txt",
                  changeMode: "noop",
                },
              ],
            }),
          ],
        },
      ],
    });
    const [clientAlloc] = await eventually(async () => {
      const a = await runningOf(kubeconfig, ns, "client");
      return a[0]?.status?.clientStatus === "running" ? a : undefined;
    }, "the client to run");
    const file = path.join(
      agent.dataDir,
      "alloc",
      clientAlloc?.metadata.name ?? "",
      "render",
      "local",
      "upstreams.txt",
    );
    const lines = () => readFileSync(file, "utf8").split("\n").filter(Boolean).sort();
    expect(lines()).toEqual([`${first?.Address}:${first?.Port}`]);

    await applyJob(kubeconfig, ns, "web", web(3));
    const three = await eventually(
      async () => {
        const regs = await services();
        return regs.length === 3 ? regs : undefined;
      },
      "three web registrations",
      60_000,
    );
    const want = three.map((r) => `${r.Address}:${r.Port}`).sort();
    await eventually(
      async () => (JSON.stringify(lines()) === JSON.stringify(want) ? true : undefined),
      "the template to list three addresses",
    );
    // choose keeps the same subset for the same key.
    const chosen = await services(`&choose=${encodeURIComponent("2|alloc-a")}`);
    expect(chosen).toHaveLength(2);
    expect(await services(`&choose=${encodeURIComponent("2|alloc-a")}`)).toEqual(chosen);

    // nomad service delete removes one registration.
    const victim = three[0] as Registration;
    const del = await call(
      "DELETE",
      `/v1/service/web/${encodeURIComponent(victim.ID)}?namespace=${ns}`,
    );
    expect(del.status).toBe(200);
    await eventually(async () => ((await services()).length === 2 ? true : undefined), "2 left");
    const again = await call(
      "DELETE",
      `/v1/service/web/${encodeURIComponent(victim.ID)}?namespace=${ns}`,
    );
    expect([again.status, again.text]).toEqual([404, "service registration not found"]);

    // Stopping the job deregisters its services; the template empties.
    await kubectlOk(kubeconfig, [
      "patch",
      "nomadjob",
      "web",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"spec":{"stop":true}}',
    ]);
    await eventually(async () => ((await services()).length === 0 ? true : undefined), "no web");
    await eventually(async () => (lines().length === 0 ? true : undefined), "an empty template");
  }, 180_000);

  it("mirrors an opted-in job's service as a Kubernetes Service and EndpointSlice whose endpoint follows the check", async () => {
    // Serves 200 until a file named sick appears in the allocation dir.
    const sickServer = `const fs = require('fs'); require('http').createServer((q, s) => { s.statusCode = fs.existsSync(process.env.NOMAD_ALLOC_DIR + '/sick') ? 500 : 200; s.end('ok'); }).listen(Number(process.env.NOMAD_PORT_http)); // ${m}`;
    const spec = web(1);
    await applyJob(kubeconfig, ns, "mirror", {
      ...spec,
      meta: { caravan_kubernetes_service: "true" },
      groups: [
        {
          ...spec.groups[0],
          services: [
            {
              name: "mirrored",
              provider: "nomad",
              port: "http",
              checks: [{ type: "http", path: "/", interval: "1s", timeout: "1s" }],
            },
          ],
          tasks: [
            {
              ...spec.groups[0]?.tasks[0],
              config: { command: process.execPath, args: ["-e", sickServer] },
            },
          ],
        },
      ],
    });
    // What a Kubernetes-side client reads: the Service's EndpointSlices, through the API.
    const endpoints = async () => {
      const out = await kubectlOk(kubeconfig, [
        "get",
        "endpointslices",
        "-n",
        ns,
        "-l",
        "kubernetes.io/service-name=mirrored",
        "-o",
        "json",
      ]);
      return (JSON.parse(out).items as Obj[]).flatMap((slice) =>
        (slice.endpoints ?? []).map((e: Obj) => ({
          address: e.addresses[0] as string,
          port: slice.ports[0].port as number,
          ready: e.conditions.ready as boolean,
        })),
      );
    };
    const [ready] = await eventually(async () => {
      const e = await endpoints();
      return e.length === 1 && e[0]?.ready ? e : undefined;
    }, "a ready endpoint of the mirrored service");
    const answer = await fetch(`http://${ready?.address}:${ready?.port}/`);
    expect(await answer.text()).toBe("ok");
    const svc = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "service", "mirrored", "-n", ns, "-o", "json"]),
    );
    expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(svc.spec.ports).toEqual([
      expect.objectContaining({ name: "nomad", port: ready?.port, protocol: "TCP" }),
    ]);

    // The check fails: the endpoint leaves the ready set, and comes back when it passes.
    const [alloc] = await runningOf(kubeconfig, ns, "mirror");
    const sick = path.join(agent.dataDir, "alloc", alloc?.metadata.name ?? "", "alloc", "sick");
    writeFileSync(sick, "");
    await eventually(
      async () => ((await endpoints())[0]?.ready === false ? true : undefined),
      "the endpoint to be not ready",
    );
    rmSync(sick);
    await eventually(
      async () => ((await endpoints())[0]?.ready === true ? true : undefined),
      "the endpoint to be ready again",
    );

    // Stopped: the Service and its slices go.
    await kubectlOk(kubeconfig, [
      "patch",
      "nomadjob",
      "mirror",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"spec":{"stop":true}}',
    ]);
    await eventually(async () => {
      const left = await kubectl(kubeconfig, ["get", "service", "mirrored", "-n", ns]);
      return left.code !== 0 && (await endpoints()).length === 0 ? true : undefined;
    }, "the mirror to go");
  }, 120_000);

  it("mirrors every job's services of a namespace labelled for it, unless the job's meta says false", async () => {
    const spec = web(1);
    const job = (name: string, service: string, meta?: Record<string, string>) =>
      applyJob(kubeconfig, ns, name, {
        ...spec,
        ...(meta ? { meta } : {}),
        groups: [
          {
            ...spec.groups[0],
            services: [{ name: service, provider: "nomad", port: "http" }],
          },
        ],
      });
    const mirrored = async (service: string) =>
      (await kubectl(kubeconfig, ["get", "service", service, "-n", ns])).code === 0;
    await job("nsmirror", "nsmirrored");
    await job("optout", "optedout", { caravan_kubernetes_service: "false" });
    await eventually(async () => {
      const res = await call("GET", `/v1/services?namespace=${ns}`);
      const names = (
        (res.json as { Services: { ServiceName: string }[] }[])[0]?.Services ?? []
      ).map((x) => x.ServiceName);
      return names.includes("nsmirrored") && names.includes("optedout") ? true : undefined;
    }, "both services to register");
    expect(await mirrored("nsmirrored")).toBe(false);

    const label = (value: string) =>
      kubectlOk(kubeconfig, [
        "label",
        "namespace",
        ns,
        "--overwrite",
        `caravan.dev/kubernetes-services${value}`,
      ]);
    await label("=true");
    await eventually(
      async () => ((await mirrored("nsmirrored")) ? true : undefined),
      "the labelled namespace's service to be mirrored",
    );
    expect(await mirrored("optedout")).toBe(false);
    await label("-");
    await eventually(
      async () => (!(await mirrored("nsmirrored")) ? true : undefined),
      "the mirror to go with the label",
    );
    for (const name of ["nsmirror", "optout"])
      await kubectlOk(kubeconfig, ["delete", "nomadjob", name, "-n", ns, "--timeout=60s"]);
  }, 120_000);

  it("a task's services go while it is dead between restarts and come back when it runs again", async () => {
    await applyJob(kubeconfig, ns, "flappy", {
      type: "service",
      datacenters: [dc],
      groups: [
        {
          name: "flappy",
          networks: [{ ports: [{ label: "http" }] }],
          restart: { attempts: 3, interval: "10m", delay: "3s", mode: "delay" },
          tasks: [
            shTask("srv", `sleep 2; echo ${m}; exit 1`, {
              services: [{ name: "flappy", provider: "nomad", port: "http" }],
            }),
          ],
        },
      ],
    });
    const count = async () => {
      const res = await call("GET", `/v1/service/flappy?namespace=${ns}`);
      return (res.json as Registration[]).length;
    };
    await eventually(async () => ((await count()) === 1 ? true : undefined), "registered");
    await eventually(async () => ((await count()) === 0 ? true : undefined), "gone once it exits");
    await eventually(async () => ((await count()) === 1 ? true : undefined), "back after restart");
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "flappy", "-n", ns, "--timeout=30s"]);
  }, 60_000);

  it("an allocation marked lost loses its registrations, though its agent is gone", async () => {
    await applyJob(kubeconfig, ns, "lonely", {
      ...web(1),
      groups: [
        { ...web(1).groups[0], services: [{ name: "lonely", provider: "nomad", port: "http" }] },
      ],
    });
    const reg = async () => {
      const res = await call("GET", `/v1/service/lonely?namespace=${ns}`);
      return res.json as Registration[];
    };
    const [r] = await eventually(async () => {
      const regs = await reg();
      return regs.length === 1 ? regs : undefined;
    }, "the lonely service to be registered");
    // The agent goes away and leaves its task running, as a lost node would.
    await agent.stop(false);
    await setClientStatus(kubeconfig, ns, r?.AllocID ?? "", "lost");
    await eventually(async () => ((await reg()).length === 0 ? true : undefined), "no lonely");
  }, 90_000);
});
