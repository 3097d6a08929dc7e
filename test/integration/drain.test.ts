// Node drain and eligibility on a real API server with the controllers
// running and a simulated agent: draining the node that runs a 4-allocation
// service job moves its allocations to the other nodes migrate.max_parallel
// at a time, then the drain completes and the node stays ineligible; batch
// allocations run on until the deadline; eligibility is set and cleared with
// `caravan node eligibility`.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/common/log.js";
import { type Controllers, startControllers } from "../../src/controllers/run.js";
import { loadKubeConfig } from "../../src/kube/client.js";
import { allocationsOf, type Obj, runningOf, setClientStatus } from "../support/allocations.js";
import { runCaravan } from "../support/cli.js";
import { createNamespace, eventually, kubectl, kubectlOk } from "../support/kubectl.js";
import { registerNode } from "../support/nodes.js";
import { type SimulatedAgent, simulateAgent } from "../support/simulated-agent.js";

const kubeconfig = inject("kubeconfig");
const run = Math.random().toString(36).slice(2, 7);
const dc = `drain-${run}`;
const names = [1, 2, 3].map((n) => `${dc}-n${n}`);

/** `caravan ARGS` against the test cluster. */
const caravan = (...args: string[]) => runCaravan([...args, "-kubeconfig", kubeconfig]);

async function node(name: string): Promise<Obj> {
  const r = await kubectl(kubeconfig, ["get", "nomadnode", name, "-o", "json"]);
  return JSON.parse(r.stdout) as Obj;
}

describe("node drain and eligibility", () => {
  let ns: string;
  let controllers: Controllers;
  let agent: SimulatedAgent;
  beforeAll(async () => {
    ns = await createNamespace(kubeconfig, "drain");
    for (const name of names) await registerNode(kubeconfig, { name, datacenter: dc });
    controllers = await startControllers(
      loadKubeConfig(kubeconfig),
      createLogger({ level: "warn", json: false }),
      { namespace: ns },
    );
    agent = simulateAgent(kubeconfig, ns);
  });
  afterAll(async () => {
    agent?.stop();
    await controllers?.stop();
    // Nodes are cluster-wide: leave none draining or ineligible for other files.
    for (const name of names)
      await kubectl(kubeconfig, ["delete", "nomadnode", name, "--wait=false"]);
  });

  it("migrates a 4-allocation job off a node one at a time, completes, leaves it ineligible", async () => {
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "api", namespace: ns },
        spec: {
          type: "service",
          datacenters: [dc],
          migrate: { maxParallel: 1, minHealthyTime: "1s" },
          groups: [
            {
              name: "api",
              count: 4,
              tasks: [
                {
                  name: "api",
                  driver: "docker",
                  config: { image: "api:1" },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    const placed = await eventually(async () => {
      const live = await runningOf(kubeconfig, ns, "api");
      return live.length === 4 && live.every((a) => a.status?.clientStatus === "running")
        ? live
        : undefined;
    }, "4 allocations running");
    // Drain the node holding the most of them.
    const per = new Map<string, number>();
    for (const a of placed) per.set(a.spec.nodeName, (per.get(a.spec.nodeName) ?? 0) + 1);
    const [target, onTarget] = [...per].sort((x, y) => y[1] - x[1])[0] as [string, number];
    expect(onTarget).toBeGreaterThanOrEqual(2); // job anti-affinity spreads 4 over 3 nodes: 2, 1, 1

    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const all = await allocationsOf(kubeconfig, ns, "api");
        // Migrations in flight: replacements that are not healthy yet.
        const inFlight = all.filter(
          (a) =>
            a.spec.previousAllocation &&
            a.spec.desiredStatus === "run" &&
            a.status?.deploymentStatus?.healthy !== true,
        ).length;
        most = Math.max(most, inFlight);
      }
    })();
    const drained = await caravan("node", "drain", "-enable", "-deadline", "5m", target);
    expect(drained.err).toBe("");
    expect(drained.out).toContain(`Node "${target}" drain strategy set`);

    const done = await eventually(
      async () => {
        // The drainer says complete in the status first, then takes the drain from the spec.
        const n = await node(target);
        return n.status?.lastDrain?.status === "complete" && !n.spec.drain ? n : undefined;
      },
      "the drain to complete",
      120_000,
    );
    sampling = false;
    await sampler;
    expect(most).toBe(1);
    expect(done.spec.drain).toBeUndefined();
    expect(done.spec.eligibility).toBe("ineligible");
    expect(done.status.schedulingEligibility).toBe("ineligible");
    expect(done.status.drainStrategy).toBeUndefined();
    const live = await eventually(async () => {
      const l = await runningOf(kubeconfig, ns, "api");
      return l.length === 4 && l.every((a) => a.status?.clientStatus === "running") ? l : undefined;
    }, "4 allocations running again");
    expect(live.filter((a) => a.spec.nodeName === target)).toHaveLength(0);
    const status = await caravan("node", "status", target);
    expect(status.out).toMatch(
      new RegExp(`${target}\\s+default\\s+${dc}\\s+false\\s+ineligible\\s+ready`),
    );
    expect(status.out).toContain("Last drain: complete");
  }, 180_000);

  it("past the deadline moves everything left at once, however slow the migrations", async () => {
    // The two nodes still eligible: the job goes on `pin` (the other one
    // ineligible meanwhile), then `pin` is drained towards `other`.
    const eligible: string[] = [];
    for (const name of names)
      if ((await node(name)).status?.schedulingEligibility !== "ineligible") eligible.push(name);
    const [pin, other] = eligible as [string, string];
    expect((await caravan("node", "eligibility", "-disable", other)).code).toBe(0);
    await eventually(
      async () =>
        (await node(other)).status?.schedulingEligibility === "ineligible" ? true : undefined,
      "the other node ineligible",
    );
    await kubectlOk(
      kubeconfig,
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "caravan.dev/v1alpha1",
        kind: "NomadJob",
        metadata: { name: "slow", namespace: ns },
        spec: {
          type: "service",
          datacenters: [dc],
          // Replacements take a minute to count as healthy: only the deadline moves the rest.
          migrate: { maxParallel: 1, minHealthyTime: "60s" },
          groups: [
            {
              name: "slow",
              count: 3,
              tasks: [
                {
                  name: "t",
                  driver: "docker",
                  config: { image: "slow:1" },
                  resources: { cpu: 100, memory: 64 },
                },
              ],
            },
          ],
        },
      }),
    );
    await eventually(async () => {
      const live = await runningOf(kubeconfig, ns, "slow");
      return live.length === 3 && live.every((a) => a.status?.clientStatus === "running")
        ? true
        : undefined;
    }, "3 allocations on one node");
    expect((await runningOf(kubeconfig, ns, "slow")).every((a) => a.spec.nodeName === pin)).toBe(
      true,
    );
    expect((await caravan("node", "eligibility", "-enable", other)).code).toBe(0);
    await eventually(
      async () =>
        (await node(other)).status?.schedulingEligibility === "eligible" ? true : undefined,
      "the other node eligible again",
    );

    const started = Date.now();
    expect((await caravan("node", "drain", "-enable", "-deadline", "5s", pin)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2_500));
    // Before the deadline: one migrated, its replacement not healthy, two waiting.
    const early = (await allocationsOf(kubeconfig, ns, "slow")).filter(
      (a) => a.spec.nodeName === pin && a.spec.desiredStatus === "run",
    );
    expect(early.length).toBe(2);
    const done = await eventually(
      async () => {
        const n = await node(pin);
        return n.status?.lastDrain?.status === "complete" ? n : undefined;
      },
      "the drain to complete at its deadline",
      50_000,
    );
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(5_000);
    expect(took).toBeLessThan(60_000); // before any replacement could have become healthy
    expect(done.status.schedulingEligibility).toBe("ineligible");
    const live = await runningOf(kubeconfig, ns, "slow");
    expect(live).toHaveLength(3);
    expect(live.every((a) => a.spec.nodeName === other)).toBe(true);
  }, 120_000);

  it("leaves system job allocations on the node until everything else has moved", async () => {
    // The earlier tests' jobs go first, so only this test's allocations are drained.
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "api", "slow", "-n", ns, "--timeout=60s"]);
    for (const name of names) await caravan("node", "eligibility", "-enable", name);
    await eventually(async () => {
      for (const name of names)
        if ((await node(name)).status?.schedulingEligibility !== "eligible") return undefined;
      return true;
    }, "every node eligible again");
    const apply = (name: string, type: string, count: number) =>
      kubectlOk(
        kubeconfig,
        ["apply", "-f", "-"],
        stringify({
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadJob",
          metadata: { name, namespace: ns },
          spec: {
            type,
            datacenters: [dc],
            ...(type === "service" ? { migrate: { maxParallel: 1, minHealthyTime: "2s" } } : {}),
            groups: [
              {
                name,
                count,
                tasks: [
                  {
                    name: "t",
                    driver: "docker",
                    config: { image: `${name}:1` },
                    resources: { cpu: 50, memory: 32 },
                  },
                ],
              },
            ],
          },
        }),
      );
    await apply("agentd", "system", 1);
    await apply("late", "service", 3);
    const late = await eventually(async () => {
      const l = await runningOf(kubeconfig, ns, "late");
      return l.length === 3 && l.every((a) => a.status?.clientStatus === "running") ? l : undefined;
    }, "the service job running");
    const target = late[0]?.spec.nodeName as string;
    await eventually(async () => {
      const sys = await runningOf(kubeconfig, ns, "agentd");
      return sys.some((a) => a.spec.nodeName === target && a.status?.clientStatus === "running")
        ? true
        : undefined;
    }, "the system job running on the node");

    let order = "ok";
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [sys, svc] = await Promise.all([
          allocationsOf(kubeconfig, ns, "agentd"),
          allocationsOf(kubeconfig, ns, "late"),
        ]);
        const systemStopped = sys.some(
          (a) => a.spec.nodeName === target && a.spec.desiredStatus !== "run",
        );
        const serviceLeft = svc.some(
          (a) => a.spec.nodeName === target && a.spec.desiredStatus === "run",
        );
        if (systemStopped && serviceLeft) order = "system allocation stopped before the service's";
      }
    })();
    expect((await caravan("node", "drain", "-enable", target)).code).toBe(0);
    await eventually(
      async () =>
        (await node(target)).status?.lastDrain?.status === "complete" &&
        (await node(target)).spec.drain === undefined
          ? true
          : undefined,
      "the drain to complete",
      90_000,
    );
    sampling = false;
    await sampler;
    expect(order).toBe("ok");
    const sys = await runningOf(kubeconfig, ns, "agentd");
    expect(sys.some((a) => a.spec.nodeName === target)).toBe(false);
  }, 150_000);

  it("lets batch allocations run until the deadline, then moves them; finished ones are not replaced", async () => {
    // The earlier test's jobs go first (when it ran), so only batch work is drained.
    await kubectlOk(kubeconfig, [
      "delete",
      "nomadjob",
      "late",
      "agentd",
      "-n",
      ns,
      "--ignore-not-found",
      "--timeout=60s",
    ]);
    for (const name of names) await caravan("node", "eligibility", "-enable", name);
    await eventually(async () => {
      for (const name of names)
        if ((await node(name)).status?.schedulingEligibility !== "eligible") return undefined;
      return true;
    }, "every node eligible again");
    const batch = (name: string) =>
      kubectlOk(
        kubeconfig,
        ["apply", "-f", "-"],
        stringify({
          apiVersion: "caravan.dev/v1alpha1",
          kind: "NomadJob",
          metadata: { name, namespace: ns },
          spec: {
            type: "batch",
            datacenters: [dc],
            groups: [
              {
                name,
                count: 1,
                tasks: [
                  {
                    name: "t",
                    driver: "docker",
                    config: { image: `${name}:1` },
                    resources: { cpu: 50, memory: 32 },
                  },
                ],
              },
            ],
          },
        }),
      );
    const runningOn = async (job: string) =>
      eventually(async () => {
        const l = await runningOf(kubeconfig, ns, job);
        return l.length === 1 && l[0]?.status?.clientStatus === "running" ? l[0] : undefined;
      }, `the ${job} allocation running`);

    // Runs past the deadline: left alone until then, moved at it.
    await batch("crunch");
    const first = await runningOn("crunch");
    const target = first.spec.nodeName as string;
    const started = Date.now();
    expect((await caravan("node", "drain", "-enable", "-deadline", "6s", target)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 3_000));
    const early = await allocationsOf(kubeconfig, ns, "crunch");
    expect(early.map((a) => [a.metadata.name, a.spec.desiredStatus])).toEqual([
      [first.metadata.name, "run"],
    ]);
    await eventually(
      async () =>
        (await node(target)).status?.lastDrain?.status === "complete" ? true : undefined,
      "the drain to complete at its deadline",
      60_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_500);
    const moved = await runningOn("crunch");
    expect(moved.spec.nodeName).not.toBe(target);
    expect(moved.spec.previousAllocation).toBe(first.metadata.name);

    // Finishes before the deadline: the drain completes then, with no replacement.
    await kubectlOk(kubeconfig, ["delete", "nomadjob", "crunch", "-n", ns, "--timeout=60s"]);
    for (const name of names) await caravan("node", "eligibility", "-enable", name);
    await batch("short");
    const work = await runningOn("short");
    const node2 = work.spec.nodeName as string;
    expect((await caravan("node", "drain", "-enable", "-deadline", "5m", node2)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await allocationsOf(kubeconfig, ns, "short")).map((a) => a.spec.desiredStatus)).toEqual(
      ["run"],
    );
    await setClientStatus(kubeconfig, ns, work.metadata.name, "complete");
    await eventually(
      async () => ((await node(node2)).status?.lastDrain?.status === "complete" ? true : undefined),
      "the drain to complete once the batch work is done",
      30_000,
    );
    const after = await allocationsOf(kubeconfig, ns, "short");
    expect(after.map((a) => [a.metadata.name, a.status?.clientStatus])).toEqual([
      [work.metadata.name, "complete"],
    ]);
  }, 150_000);

  it("sets and clears eligibility with caravan node eligibility", async () => {
    const target = names[0] as string;
    expect((await caravan("node", "eligibility", "-disable", target)).code).toBe(0);
    await eventually(
      async () =>
        (await node(target)).status?.schedulingEligibility === "ineligible" ? true : undefined,
      "the node ineligible",
    );
    const both = await caravan("node", "eligibility", target);
    expect(both.code).toBe(1);
    expect(both.err).toContain("give exactly one of -enable or -disable");
    const r = await caravan("node", "eligibility", "-enable", target);
    expect(r.out).toContain(`Node "${target}" scheduling eligibility set: eligible`);
    await eventually(
      async () =>
        (await node(target)).status?.schedulingEligibility === "eligible" ? true : undefined,
      "the node eligible again",
    );
  });
});
