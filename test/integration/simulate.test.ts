// `caravan agent --simulate`: simulated nodes register and heartbeat like real
// agents, the real controller places a job on them, and their mock tasks run,
// complete and stop with the status a real agent would report.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { type Simulation, startSimulation } from "../../src/agent/simulate/index.js";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj } from "../support/allocations.js";
import { createNamespace, eventually, kubectlOk } from "../support/kubectl.js";

const kubeconfig = inject("kubeconfig");
const kc = loadKubeConfig(kubeconfig);
const log = createLogger({ level: "warn", json: false });
const run = Math.random().toString(36).slice(2, 7);
const dc = `sim-${run}`;
const prefix = `sim-${run}`;

function mockJob(
  ns: string,
  name: string,
  type: string,
  count: number,
  config: Obj,
  restart?: Obj,
) {
  return stringify({
    apiVersion: "caravan.dev/v1alpha1",
    kind: "NomadJob",
    metadata: { name, namespace: ns },
    spec: {
      type,
      datacenters: [dc],
      groups: [
        {
          name: "g",
          count,
          ...(restart ? { restart, reschedule: { attempts: 0, unlimited: false } } : {}),
          tasks: [{ name: "t", driver: "mock", config, resources: { cpu: 100, memory: 64 } }],
        },
      ],
    },
  });
}

describe("simulated nodes", () => {
  let ns: string;
  let controllers: Controllers;
  let simulation: Simulation;

  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "simulate");
    controllers = await startControllers(kc, log, { namespace: ns });
    simulation = await startSimulation(kc, {
      count: 50,
      prefix,
      datacenter: dc,
      nodeClass: "simulated",
      meta: { rack: "r1" },
      log,
    });
  }, 120_000);
  afterAll(async () => {
    await simulation?.stop();
    await controllers?.stop();
  });

  it("registers every node ready, with its own lease and a fingerprint", async () => {
    expect(simulation.nodeNames).toHaveLength(50);
    const nodes = await eventually(async () => {
      const out = await kubectlOk(kubeconfig, ["get", "nomadnodes", "-o", "json"]);
      const ours = (JSON.parse(out).items as Obj[]).filter((n) =>
        n.metadata.name.startsWith(`${prefix}-`),
      );
      return ours.length === 50 && ours.every((n) => n.status?.status === "ready")
        ? ours
        : undefined;
    }, "50 ready simulated nodes");
    const names = nodes.map((n) => n.metadata.name).sort();
    expect(names).toEqual(simulation.nodeNames.slice().sort());
    const node = nodes.find((n) => n.metadata.name === `${prefix}-7`) as Obj;
    expect(node.status.datacenter).toBe(dc);
    expect(node.status.nodeClass).toBe("simulated");
    expect(node.status.meta).toEqual({ rack: "r1" });
    expect(node.status.resources.cpu.cpuShares).toBe(4000);
    expect(node.status.resources.memory.memoryMB).toBe(8192);
    expect(node.status.attributes["driver.mock"]).toBe("1");
    expect(node.status.attributes["unique.hostname"]).toBe(`${prefix}-7`);

    const leases = JSON.parse(
      await kubectlOk(kubeconfig, ["get", "leases", "-n", "caravan-node-lease", "-o", "json"]),
    ).items as Obj[];
    const ours = leases.filter((l) => l.metadata.name.startsWith(`${prefix}-`));
    expect(ours).toHaveLength(50);
    for (const lease of ours) {
      expect(lease.spec.holderIdentity).toBe(lease.metadata.name);
      expect(Date.now() - Date.parse(lease.spec.renewTime)).toBeLessThan(30_000);
    }
  });

  it("runs a job of 100 allocations placed by the controller, then stops them", async () => {
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], mockJob(ns, "web", "service", 100, {}));
    const allocs = await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "web");
        const running = all.filter((a) => a.status?.clientStatus === "running");
        return running.length === 100 ? running : undefined;
      },
      "100 running allocations",
      180_000,
    );
    for (const a of allocs) {
      expect(a.spec.nodeName.startsWith(`${prefix}-`)).toBe(true);
      expect(a.status.taskStates.t.state).toBe("running");
      expect(a.status.taskStates.t.events.map((e: Obj) => e.type)).toEqual([
        "Received",
        "Task Setup",
        "Started",
      ]);
    }
    expect(new Set(allocs.map((a) => a.spec.nodeName)).size).toBeGreaterThan(1);

    await kubectlOk(kubeconfig, ["delete", "nomadjob", "web", "-n", ns, "--timeout=120s"]);
    await eventually(
      async () => ((await allocationsOf(kubeconfig, ns, "web")).length === 0 ? true : undefined),
      "the job's allocations to go",
      120_000,
    );
  }, 300_000);

  it("runs a batch job of mock tasks to completion", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      mockJob(ns, "report", "batch", 5, { run_for: "1s", exit_code: 0 }),
    );
    const done = await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "report");
        return all.length === 5 && all.every((a) => a.status?.clientStatus === "complete")
          ? all
          : undefined;
      },
      "5 complete allocations",
      120_000,
    );
    for (const a of done) {
      const events = a.status.taskStates.t.events.map((e: Obj) => e.type);
      expect(events).toContain("Terminated");
      expect(a.status.taskStates.t.failed).toBe(false);
    }
  }, 180_000);

  it("reports Nomad service checks passing, so a deployment with health_check = checks succeeds", async () => {
    const job = (name: string, services: Obj[]) =>
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name, namespace: ns },
        spec: {
          type: "service",
          datacenters: [dc],
          update: {
            maxParallel: 2,
            minHealthyTime: "1s",
            healthyDeadline: "30s",
            healthCheck: "checks",
          },
          groups: [
            {
              name: "g",
              count: 2,
              networks: [{ ports: [{ label: "http" }] }],
              services,
              tasks: [
                { name: "t", driver: "mock", config: {}, resources: { cpu: 100, memory: 64 } },
              ],
            },
          ],
        },
      });
    const check = {
      name: "alive",
      type: "http",
      port: "http",
      path: "/",
      interval: "5s",
      timeout: "1s",
    };
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      job("checked", [
        { name: "web", provider: "nomad", port: "http", checks: [check] },
        // Consul's checks are not Nomad's to report.
        { name: "other", provider: "consul", port: "http", checks: [{ ...check, name: "c" }] },
      ]),
    );
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job("unchecked", []));
    const deployment = await eventually(
      async () => {
        const out = await kubectlOk(kubeconfig, [
          "get",
          "nomaddeployments",
          "-n",
          ns,
          "-o",
          "json",
        ]);
        const d = (JSON.parse(out).items as Obj[]).find((x) => x.spec.jobName === "checked");
        return d?.status?.status === "successful" ? d : undefined;
      },
      "the checked job's deployment to succeed",
      60_000,
    );
    expect(deployment.status.groups.g.healthyAllocs).toBe(2);
    for (const a of await allocationsOf(kubeconfig, ns, "checked")) {
      expect(a.status.checks).toEqual([
        expect.objectContaining({
          id: "group/web/alive",
          check: "alive",
          service: "web",
          mode: "healthiness",
          status: "success",
        }),
      ]);
      expect(a.status.deploymentStatus?.healthy).toBe(true);
    }
    // Without checks, the status has none.
    const plain = await eventually(async () => {
      const all = await allocationsOf(kubeconfig, ns, "unchecked");
      return all.length === 2 && all.every((a) => a.status?.clientStatus === "running")
        ? all
        : undefined;
    }, "the unchecked job running");
    for (const a of plain) expect(a.status.checks).toBeUndefined();
  }, 120_000);

  it("restarts a failing mock task per the restart policy, then fails the allocation", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      mockJob(
        ns,
        "flaky",
        "batch",
        1,
        { run_for: "200ms", exit_code: 2 },
        {
          attempts: 1,
          delay: "1s",
          interval: "10m",
          mode: "fail",
        },
      ),
    );
    const [failed] = await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "flaky");
        return all[0]?.status?.clientStatus === "failed" ? all : undefined;
      },
      "the allocation to fail",
      120_000,
    );
    const state = (failed as Obj).status.taskStates.t;
    expect(state.restarts).toBe(1);
    expect(state.failed).toBe(true);
    const types = state.events.map((e: Obj) => e.type);
    expect(types.filter((t: string) => t === "Terminated")).toHaveLength(2);
    expect(types).toContain("Restarting");
    expect(types.at(-1)).toBe("Not Restarting");
    expect(state.events.find((e: Obj) => e.type === "Terminated").exitCode).toBe(2);
  }, 180_000);

  it("stops at once with allocations running, reporting nothing more, as hosts that died", async () => {
    const small = await startSimulation(kc, {
      count: 3,
      prefix: `${prefix}-small`,
      datacenter: `${dc}-small`,
      log,
    });
    const job = stringify({
      apiVersion: "caravan.dev/v1alpha1",
      kind: "NomadJob",
      metadata: { name: "doomed", namespace: ns },
      spec: {
        datacenters: [`${dc}-small`],
        groups: [
          {
            name: "g",
            count: 6,
            tasks: [
              {
                name: "t",
                driver: "mock",
                config: { kill_after: "30s" },
                resources: { cpu: 100, memory: 64 },
              },
            ],
          },
        ],
      },
    });
    await kubectlOk(kubeconfig, ["apply", "-f", "-"], job);
    await eventually(
      async () => {
        const all = await allocationsOf(kubeconfig, ns, "doomed");
        return all.length === 6 && all.every((a) => a.status?.clientStatus === "running")
          ? true
          : undefined;
      },
      "6 running allocations",
      120_000,
    );
    expect(small.stats().running).toBe(6);
    const started = Date.now();
    await small.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await allocationsOf(kubeconfig, ns, "doomed");
    expect(after.map((a) => a.status.clientStatus)).toEqual(Array(6).fill("running"));
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "doomed", "-n", ns, "--wait=false"]);
  }, 180_000);
});
