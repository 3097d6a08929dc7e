// Nomad service checks with the real node agent: a raw_exec task serves HTTP
// on its dynamic port and the group's service (provider "nomad") checks it.
// With update { health_check = "checks" } a passing check makes the
// deployment successful; a version whose check targets a port nobody listens
// on keeps its allocations unhealthy although their tasks run, and its
// deployment fails at the healthy deadline.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { type RunningApi, startApi } from "../../src/api/index.js";
import { createLogger } from "../../src/common/log.js";
import { defaultAgentConfig } from "../../src/config/agent-config.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { createControllerMetrics } from "../../src/metrics/registry.js";
import { type Obj, runningOf } from "../support/allocations.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { startTestAgent, type TestAgent } from "./agent-harness.js";
import { apiClient } from "./api-client.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `checks-agent-${run}`;
const nodeName = `checks-agent-${run}-node`;

// With a ">" in the job, as commands often have: its version is still marked stable.
const server =
  "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.NOMAD_PORT_http))";

function job(ns: string, checkedPort: "http" | "idle"): string {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name: "web", namespace: ns },
    spec: {
      type: "service",
      datacenters: [dc],
      update: {
        maxParallel: 1,
        minHealthyTime: "1s",
        healthyDeadline: "8s",
        progressDeadline: "60s",
        healthCheck: "checks",
      },
      groups: [
        {
          name: "web",
          count: 1,
          networks: [{ ports: [{ label: "http" }, { label: "idle" }] }],
          services: [
            {
              name: "web",
              provider: "nomad",
              port: "http",
              checks: [
                {
                  name: "alive",
                  type: "http",
                  port: checkedPort,
                  path: "/",
                  interval: "1s",
                  timeout: "1s",
                },
              ],
            },
          ],
          tasks: [
            {
              name: "srv",
              driver: "raw_exec",
              // The version number in meta makes each apply a new version.
              meta: { checked: checkedPort },
              config: { command: process.execPath, args: ["-e", server] },
              resources: { cpu: 100, memory: 64 },
            },
          ],
        },
      ],
    },
  });
}

async function deployment(ns: string, version: number): Promise<Obj | undefined> {
  const out = await kubectlOk(kubeconfig, ["get", "nomaddeployments", "-n", ns, "-o", "json"]);
  return (JSON.parse(out).items as Obj[]).find((d) => d.spec.jobVersion === version);
}

describe("service checks with the node agent", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: TestAgent;
  let api: RunningApi;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "checks-agent");
    controllers = await startControllers(kc, log, { namespace: ns });
    agent = await startTestAgent(kc, log, { name: nodeName, datacenter: dc });
    api = await startApi(kc, { ...defaultAgentConfig(), ports: { http: 0 } }, log, {
      registry: createControllerMetrics().registry,
      secretNamespace: ns,
      namespace: ns,
    });
  });
  afterAll(async () => {
    await kubectl(kubeconfig, ["delete", "nomadjob", "web", "flaky", "-n", ns, "--timeout=30s"]);
    await api?.close();
    await agent?.stop();
    await controllers?.stop();
  });

  it("a passing check makes the deployment healthy; a check on a closed port fails it at the deadline", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "http"));
    const ok = await eventually(
      async () => {
        const d = await deployment(ns, 0);
        return d?.status?.status === "successful" ? d : undefined;
      },
      "the version 0 deployment to succeed",
      60_000,
    );
    expect(ok.status.groups.web.healthyAllocs).toBe(1);
    const [first] = await runningOf(kubeconfig, ns, "web");
    expect(first?.status?.deploymentStatus?.healthy).toBe(true);
    expect(first?.status?.checks).toEqual([
      expect.objectContaining({
        check: "alive",
        service: "web",
        mode: "healthiness",
        status: "success",
        statusCode: 200,
        output: "nomad: http ok",
      }),
    ]);
    // What `nomad alloc checks` reads.
    const viaApi = await apiClient(api.url)(
      "GET",
      `/v1/client/allocation/${first?.metadata.name}/checks?namespace=${ns}`,
    );
    expect(viaApi.status).toBe(200);
    expect(Object.values(viaApi.json)).toEqual([
      expect.objectContaining({
        Check: "alive",
        Group: "web.web[0]",
        Service: "web",
        Mode: "healthiness",
        Status: "success",
        StatusCode: 200,
        Output: "nomad: http ok",
      }),
    ]);

    const started = Date.now();
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job(ns, "idle"));
    const failed = await eventually(
      async () => {
        const d = await deployment(ns, 1);
        return d?.status?.status === "failed" ? d : undefined;
      },
      "the version 1 deployment to fail",
      90_000,
    );
    // Its task ran the whole time: only the check held it back, until the
    // healthy deadline (8 s, from a creationTimestamp kept to the second).
    expect(Date.now() - started).toBeGreaterThanOrEqual(7_000);
    expect(failed.status.groups.web.unhealthyAllocs).toBe(1);
    const v1 = (await runningOf(kubeconfig, ns, "web")).find((a) => a.spec.jobVersion === 1);
    expect(v1?.status?.taskStates?.srv?.state).toBe("running");
    expect(v1?.status?.deploymentStatus?.healthy).toBe(false);
    expect(v1?.status?.checks?.[0]?.status).toBe("failure");
    expect(v1?.status?.checks?.[0]?.output).toContain("ECONNREFUSED");
  }, 180_000);

  it("check_restart restarts a task whose check keeps failing, through its restart policy", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "flaky", namespace: ns },
        spec: {
          type: "service",
          datacenters: [dc],
          groups: [
            {
              name: "flaky",
              count: 1,
              networks: [{ ports: [{ label: "http" }] }],
              // One restart allowed: the second unhealthy spell fails the task.
              restart: { attempts: 1, interval: "10m", delay: "1s", mode: "fail" },
              reschedule: { attempts: 0, unlimited: false },
              tasks: [
                {
                  name: "srv",
                  driver: "raw_exec",
                  // Runs, but serves nothing: its check never passes.
                  config: { command: "/bin/sleep", args: ["3600"] },
                  resources: { cpu: 100, memory: 32 },
                  services: [
                    {
                      name: "flaky",
                      provider: "nomad",
                      port: "http",
                      checks: [
                        {
                          name: "alive",
                          type: "tcp",
                          interval: "1s",
                          timeout: "1s",
                          checkRestart: { limit: 2, grace: "1s" },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      }),
    );
    const failed = await eventually(
      async () => {
        const [a] = await runningOf(kubeconfig, ns, "flaky");
        return a?.status?.clientStatus === "failed" ? a : undefined;
      },
      "the allocation to fail once its one restart is spent",
      60_000,
    );
    const state = failed.status.taskStates.srv;
    expect(state.restarts).toBe(1);
    expect(state.failed).toBe(true);
    const events = (state.events as Obj[]).map((e) => [e.type, e.restartReason ?? ""]);
    expect(events).toContainEqual(["Restart Signaled", 'healthcheck: check "alive" unhealthy']);
    expect(events.at(-1)?.[0]).toBe("Not Restarting");
    expect(failed.status.checks[0]).toMatchObject({
      check: "alive",
      task: "srv",
      status: "failure",
    });
  }, 120_000);
});
